import type { AppendDistributivity } from './data-engine.ts';
import { type DatabaseSettings, DuckDbDatabase } from './duckdb-database.ts';
import { parseLosslessJson } from './lossless-json.ts';

/** A node of DuckDB's serialized syntax tree (`json_serialize_sql`). */
type TreeNode = { readonly [key: string]: unknown };

/** What DuckDB's catalog says about the functions a query may call. */
export interface FunctionKinds {
  /** Aggregate functions (`duckdb_functions()` where function_type = 'aggregate'), lower-cased. */
  readonly aggregates: ReadonlySet<string>;
  /**
   * Functions whose value is not a function of their arguments (`random`, `now`, `uuid`...:
   * stability other than CONSISTENT) and macros calling them (`ago`), lower-cased.
   */
  readonly nondeterministic: ReadonlySet<string>;
}

/**
 * How a query relates to one relation: it does not read it (`constant`), it is linear in it
 * (`linear`: its rows over `A ∪ Δ` are its rows over `A` followed by its rows over `Δ`), or
 * neither, with why.
 */
type Linearity =
  | { readonly kind: 'constant' }
  | { readonly kind: 'linear' }
  | { readonly kind: 'no'; readonly reason: string };

/** The CTEs in scope, innermost last: a name, its query and the scope it was defined in. */
interface CteScope {
  readonly name: string;
  readonly query: TreeNode;
  readonly outer: readonly CteScope[];
}

/** What the walk knows: the relation (lower-cased) and DuckDB's function kinds. */
interface Walk {
  readonly relation: string;
  readonly functions: FunctionKinds;
}

const CONSTANT: Linearity = { kind: 'constant' };
const LINEAR: Linearity = { kind: 'linear' };

/**
 * Column references the binder turns into values that are not the row's: the row's position
 * (`rowid`, which differs between a delta and the whole table) and SQL's special values
 * (`current_date`, `current_user`...), which parse as bare column names.
 */
const SPECIAL_COLUMNS = new Set([
  'rowid',
  'current_date',
  'current_time',
  'current_timestamp',
  'localtime',
  'localtimestamp',
  'current_user',
  'user',
  'session_user',
  'current_role',
  'current_catalog',
  'current_schema',
  'current_query',
]);

/** Joins whose left side keeps each of its rows independently of the others (row-wise in the left). */
const ROW_WISE_LEFT = new Set(['INNER', 'LEFT', 'SEMI', 'ANTI']);
/** Joins whose right side keeps each of its rows independently of the others. */
const ROW_WISE_RIGHT = new Set(['INNER', 'RIGHT', 'RIGHT_SEMI', 'RIGHT_ANTI']);

/**
 * Decides, from DuckDB's parse tree, whether a transform distributes over appends to one of its
 * relations: whether its result over the relation's old rows followed by new rows is, as a
 * multiset, its result over the old rows followed by its result over the new rows, the other
 * relations unchanged. That holds for a query linear in the relation: a single SELECT (or a
 * UNION ALL of them, each branch reading it), without aggregates, window functions, DISTINCT,
 * GROUP BY, HAVING, QUALIFY, ORDER BY, LIMIT, OFFSET or SAMPLE along the path to the relation,
 * reading it exactly once (per UNION ALL branch), never on the null-supplying side of an outer
 * join nor inside a subquery expression; derived tables and CTEs are followed. Anything the
 * analysis does not recognise, and anything not a function of the rows (a volatile or
 * time-dependent function, a table function, `rowid`), makes it not distributive (ADR 018).
 */
export function appendDistributivity(
  statement: unknown,
  options: { relation: string; functions: FunctionKinds },
): AppendDistributivity {
  const walk: Walk = { relation: options.relation.toLowerCase(), functions: options.functions };
  if (!isNode(statement) || !isNode(statement.node)) return notDistributive('it is not a single query');
  const impurity = firstImpurity(statement.node, walk);
  if (impurity) return notDistributive(impurity);
  const linearity = queryLinearity(statement.node, { walk, ctes: [] });
  switch (linearity.kind) {
    case 'linear':
      return { isDistributive: true };
    case 'constant':
      return notDistributive(`it does not read ${options.relation}`);
    case 'no':
      return notDistributive(linearity.reason);
  }
}

/** Reads DuckDB's aggregate and non-deterministic functions from its catalog. */
export async function readFunctionKinds(database: DuckDbDatabase): Promise<FunctionKinds> {
  const rows = await database.rows(
    "SELECT DISTINCT lower(function_name), function_type, coalesce(stability, ''), coalesce(lower(macro_definition), '') FROM duckdb_functions()",
  );
  const aggregates = new Set<string>();
  const nondeterministic = new Set<string>();
  const macros: [string, string][] = [];
  for (const [name, type, stability, definition] of rows) {
    const fn = String(name);
    if (type === 'aggregate') aggregates.add(fn);
    else if (type === 'scalar' && stability !== 'CONSISTENT') nondeterministic.add(fn);
    else if (type === 'macro') macros.push([fn, String(definition)]);
  }
  const callsImpure = (definition: string) =>
    [...SPECIAL_COLUMNS].some((word) => word !== 'rowid' && containsWord(definition, word)) ||
    [...nondeterministic].some((fn) => new RegExp(`\\b${fn}\\s*\\(`).test(definition));
  for (const [name, definition] of macros) if (callsImpure(definition)) nondeterministic.add(name);
  return { aggregates, nondeterministic };
}

/**
 * Parses transforms and decides their append distributivity, on its own in-memory DuckDB whose
 * catalog lists the functions (read once).
 */
export class AppendAnalyser {
  readonly #database: DuckDbDatabase;
  readonly #functions: FunctionKinds;

  private constructor(database: DuckDbDatabase, functions: FunctionKinds) {
    this.#database = database;
    this.#functions = functions;
  }

  /** Opens the analyser's in-memory database and reads the function catalog. */
  static async create(settings: DatabaseSettings): Promise<AppendAnalyser> {
    const database = await DuckDbDatabase.create(':memory:', { settings: { ...settings, threads: 1 } });
    try {
      return new AppendAnalyser(database, await readFunctionKinds(database));
    } catch (error) {
      database.close();
      throw error;
    }
  }

  /** The verdict for `sql` and one relation it reads; SQL that does not parse is not distributive. */
  async analyse(sql: string, relation: string): Promise<AppendDistributivity> {
    const [row] = await this.#database.rows(
      'SELECT CAST(json_serialize_sql(CAST($1 AS VARCHAR)) AS VARCHAR)',
      [sql],
    );
    const tree = parseLosslessJson(String(row?.[0])) as TreeNode;
    const statements = Array.isArray(tree.statements) ? tree.statements : [];
    if (tree.error !== false || statements.length !== 1) return notDistributive('it is not a single query');
    return appendDistributivity(statements[0], { relation, functions: this.#functions });
  }

  /** Closes the in-memory database. */
  close(): void {
    this.#database.close();
  }
}

function notDistributive(reason: string): AppendDistributivity {
  return { isDistributive: false, reason };
}

/**
 * The first thing anywhere in the query that is not a function of the relations' rows: a
 * volatile or time-dependent function, a special value, a table function (rows Quanta does not
 * track), a sample, time travel or a recursive CTE.
 */
function firstImpurity(value: unknown, walk: Walk): string | undefined {
  if (Array.isArray(value)) {
    for (const item of value) {
      const found = firstImpurity(item, walk);
      if (found) return found;
    }
    return undefined;
  }
  if (!isNode(value)) return undefined;
  const own = ownImpurity(value, walk);
  if (own) return own;
  for (const child of Object.values(value)) {
    const found = firstImpurity(child, walk);
    if (found) return found;
  }
  return undefined;
}

function ownImpurity(node: TreeNode, walk: Walk): string | undefined {
  if (node.class === 'FUNCTION' && typeof node.function_name === 'string') {
    const name = node.function_name.toLowerCase();
    if (walk.functions.nondeterministic.has(name))
      return `it calls ${name}(), whose value changes between runs`;
  }
  if (node.class === 'COLUMN_REF' && Array.isArray(node.column_names)) {
    const last = String(node.column_names.at(-1) ?? '').toLowerCase();
    if (SPECIAL_COLUMNS.has(last)) return `it reads ${last}, which is not a value of the row`;
  }
  if (node.type === 'TABLE_FUNCTION') return 'it calls a table function, whose rows Quanta does not track';
  if (node.type === 'RECURSIVE_CTE_NODE') return 'it has a recursive CTE';
  if (isNode(node.sample)) return 'it samples rows (TABLESAMPLE/USING SAMPLE)';
  if (isNode(node.at_clause)) return 'it reads a table AT a version';
  return undefined;
}

/** How a query node (SELECT, set operation) relates to the relation. */
function queryLinearity(node: TreeNode, at: { walk: Walk; ctes: readonly CteScope[] }): Linearity {
  const ctes = withCtes(node, at.ctes);
  switch (node.type) {
    case 'SELECT_NODE':
      return selectLinearity(node, { walk: at.walk, ctes });
    case 'SET_OPERATION_NODE':
      return setOperationLinearity(node, { walk: at.walk, ctes });
    default:
      return readsRelation(node, { walk: at.walk, ctes })
        ? { kind: 'no', reason: `it reads ${at.walk.relation} in a ${String(node.type)}` }
        : CONSTANT;
  }
}

function selectLinearity(node: TreeNode, at: { walk: Walk; ctes: readonly CteScope[] }): Linearity {
  const from = tableLinearity(node.from_table, at);
  if (from.kind === 'no') return from;
  const expressions = [
    node.select_list,
    node.where_clause,
    node.group_expressions,
    node.having,
    node.qualify,
    node.modifiers,
  ];
  const inSubquery = subqueryReading(expressions, at);
  if (inSubquery) return inSubquery;
  if (from.kind === 'constant') return CONSTANT;
  const clause = rowWiseViolation(node, at.walk);
  return clause ? { kind: 'no', reason: clause } : LINEAR;
}

/** What makes a SELECT over the relation combine rows: a modifier, grouping, an aggregate or a window. */
function rowWiseViolation(node: TreeNode, walk: Walk): string | undefined {
  const modifiers = Array.isArray(node.modifiers) ? node.modifiers.filter(isNode) : [];
  const [modifier] = modifiers;
  if (modifier) return `it has ${modifierName(modifier)}`;
  if (nonEmpty(node.group_expressions) || nonEmpty(node.group_sets)) return 'it has GROUP BY';
  if (node.having !== null && node.having !== undefined) return 'it has HAVING';
  if (node.qualify !== null && node.qualify !== undefined) return 'it has QUALIFY';
  if (node.aggregate_handling !== 'STANDARD_HANDLING') return 'it has GROUP BY ALL or aggregates';
  const combining = combiningFunction([node.select_list, node.where_clause], walk);
  return combining;
}

function modifierName(modifier: TreeNode): string {
  switch (modifier.type) {
    case 'DISTINCT_MODIFIER':
      return 'DISTINCT';
    case 'ORDER_MODIFIER':
      return 'ORDER BY';
    case 'LIMIT_MODIFIER':
    case 'LIMIT_PERCENT_MODIFIER':
      return 'LIMIT/OFFSET';
    default:
      return String(modifier.type);
  }
}

/** An aggregate or window function in the node's own expressions (not inside their subqueries). */
function combiningFunction(value: unknown, walk: Walk): string | undefined {
  if (Array.isArray(value)) {
    for (const item of value) {
      const found = combiningFunction(item, walk);
      if (found) return found;
    }
    return undefined;
  }
  if (!isNode(value) || value.class === 'SUBQUERY') return undefined;
  if (value.class === 'WINDOW') return `it calls the window function ${String(value.function_name)}()`;
  if (value.class === 'FUNCTION' && typeof value.function_name === 'string') {
    const name = value.function_name.toLowerCase();
    if (walk.functions.aggregates.has(name) || value.export_state === true) {
      return `it calls the aggregate ${name === 'count_star' ? 'count' : name}()`;
    }
  }
  for (const child of Object.values(value)) {
    const found = combiningFunction(child, walk);
    if (found) return found;
  }
  return undefined;
}

function setOperationLinearity(node: TreeNode, at: { walk: Walk; ctes: readonly CteScope[] }): Linearity {
  const branches = [node.left, node.right].filter(isNode);
  if (branches.length !== 2) {
    return readsRelation(node, at)
      ? { kind: 'no', reason: 'it has a set operation Quanta does not analyse' }
      : CONSTANT;
  }
  const results = branches.map((branch) => queryLinearity(branch, at));
  const refused = results.find((result) => result.kind === 'no');
  if (refused) return refused;
  if (results.every((result) => result.kind === 'constant')) return CONSTANT;
  const isUnionAll =
    (node.setop_type === 'UNION' || node.setop_type === 'UNION_BY_NAME') && node.setop_all === true;
  if (!isUnionAll)
    return { kind: 'no', reason: `it has ${String(node.setop_type)}${node.setop_all ? ' ALL' : ''}` };
  const [modifier] = Array.isArray(node.modifiers) ? node.modifiers.filter(isNode) : [];
  if (modifier) return { kind: 'no', reason: `it has ${modifierName(modifier)}` };
  if (results.some((result) => result.kind === 'constant')) {
    return { kind: 'no', reason: `a UNION ALL branch does not read ${at.walk.relation}` };
  }
  return LINEAR;
}

/** How a FROM item relates to the relation. */
function tableLinearity(value: unknown, at: { walk: Walk; ctes: readonly CteScope[] }): Linearity {
  if (!isNode(value)) return CONSTANT;
  switch (value.type) {
    case 'EMPTY':
      return CONSTANT;
    case 'BASE_TABLE':
      return baseTableLinearity(value, at);
    case 'SUBQUERY':
      return isNode(value.subquery) && isNode(value.subquery.node)
        ? queryLinearity(value.subquery.node, at)
        : { kind: 'no', reason: 'it has a derived table Quanta does not analyse' };
    case 'JOIN':
      return joinLinearity(value, at);
    default:
      return readsRelation(value, at)
        ? { kind: 'no', reason: `it reads ${at.walk.relation} through a ${String(value.type)}` }
        : CONSTANT;
  }
}

function baseTableLinearity(node: TreeNode, at: { walk: Walk; ctes: readonly CteScope[] }): Linearity {
  const name = String(node.table_name).toLowerCase();
  const cte = isBare(node) ? findCte(name, at.ctes) : undefined;
  if (cte) return queryLinearity(cte.query, { walk: at.walk, ctes: cte.outer });
  return name === at.walk.relation ? LINEAR : CONSTANT;
}

function joinLinearity(node: TreeNode, at: { walk: Walk; ctes: readonly CteScope[] }): Linearity {
  const left = tableLinearity(node.left, at);
  if (left.kind === 'no') return left;
  const right = tableLinearity(node.right, at);
  if (right.kind === 'no') return right;
  const inCondition = subqueryReading([node.condition], at);
  if (inCondition) return inCondition;
  if (left.kind === 'constant' && right.kind === 'constant') return CONSTANT;
  const relation = at.walk.relation;
  if (left.kind === 'linear' && right.kind === 'linear') {
    return { kind: 'no', reason: `it reads ${relation} twice (a self-join)` };
  }
  const side = left.kind === 'linear' ? 'left' : 'right';
  const joinType = String(node.join_type);
  const refType = String(node.ref_type);
  const isRowWise = side === 'left' ? ROW_WISE_LEFT.has(joinType) : ROW_WISE_RIGHT.has(joinType);
  if (!isRowWise) {
    return { kind: 'no', reason: `it reads ${relation} on the null-supplying side of a ${joinType} JOIN` };
  }
  const isKnownRef =
    refType === 'REGULAR' ||
    refType === 'NATURAL' ||
    refType === 'CROSS' ||
    (refType === 'ASOF' && side === 'left');
  return isKnownRef ? LINEAR : { kind: 'no', reason: `it reads ${relation} in a ${refType} JOIN` };
}

/**
 * A subquery expression among `expressions` that reads the relation (or that the analysis
 * refuses): its result would change with every appended row.
 */
function subqueryReading(
  expressions: readonly unknown[],
  at: { walk: Walk; ctes: readonly CteScope[] },
): Linearity | undefined {
  for (const subquery of subqueriesOf(expressions)) {
    if (queryLinearity(subquery, at).kind !== 'constant') {
      return { kind: 'no', reason: `it reads ${at.walk.relation} inside a subquery expression` };
    }
  }
  return undefined;
}

/** The query nodes of the subquery expressions in `value`, not looking inside them. */
function subqueriesOf(value: unknown, found: TreeNode[] = []): TreeNode[] {
  if (Array.isArray(value)) {
    for (const item of value) subqueriesOf(item, found);
    return found;
  }
  if (!isNode(value)) return found;
  if (value.class === 'SUBQUERY' && isNode(value.subquery) && isNode(value.subquery.node)) {
    found.push(value.subquery.node);
    return found;
  }
  for (const child of Object.values(value)) subqueriesOf(child, found);
  return found;
}

/** True when anything under `value` reads the relation (through CTEs in scope too). */
function readsRelation(value: unknown, at: { walk: Walk; ctes: readonly CteScope[] }): boolean {
  if (Array.isArray(value)) return value.some((item) => readsRelation(item, at));
  if (!isNode(value)) return false;
  const ctes = withCtes(value, at.ctes);
  if (value.type === 'BASE_TABLE' && typeof value.table_name === 'string') {
    const name = value.table_name.toLowerCase();
    const cte = isBare(value) ? findCte(name, ctes) : undefined;
    if (cte) return readsRelation(cte.query, { walk: at.walk, ctes: cte.outer });
    return name === at.walk.relation;
  }
  return Object.entries(value).some(
    ([key, child]) => key !== 'cte_map' && readsRelation(child, { walk: at.walk, ctes }),
  );
}

/** The CTEs in scope inside `node`: those it defines, each seeing the ones defined before it. */
function withCtes(node: TreeNode, outer: readonly CteScope[]): readonly CteScope[] {
  const map = isNode(node.cte_map) && Array.isArray(node.cte_map.map) ? node.cte_map.map : [];
  let scope = outer;
  for (const entry of map) {
    if (!isNode(entry) || typeof entry.key !== 'string' || !isNode(entry.value)) continue;
    const query = isNode(entry.value.query) ? entry.value.query.node : undefined;
    if (!isNode(query)) continue;
    scope = [...scope, { name: entry.key.toLowerCase(), query, outer: scope }];
  }
  return scope;
}

function findCte(name: string, ctes: readonly CteScope[]): CteScope | undefined {
  return ctes.findLast((cte) => cte.name === name);
}

function isBare(node: TreeNode): boolean {
  return !node.catalog_name && !node.schema_name;
}

function nonEmpty(value: unknown): boolean {
  return Array.isArray(value) && value.length > 0;
}

function containsWord(text: string, word: string): boolean {
  return new RegExp(`\\b${word}\\b`).test(text);
}

function isNode(value: unknown): value is TreeNode {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
