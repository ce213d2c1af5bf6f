import type { ColumnLineage, LineageInputField, LineageTransformation } from './data-engine.ts';
import type { DuckDbDatabase } from './duckdb-database.ts';
import { parseLosslessJson } from './lossless-json.ts';

/** A node of DuckDB's serialized syntax tree (`json_serialize_sql`). */
type TreeNode = { readonly [key: string]: unknown };

type DirectSubtype = 'IDENTITY' | 'TRANSFORMATION' | 'AGGREGATION';
type IndirectSubtype = 'FILTER' | 'JOIN' | 'GROUP_BY' | 'SORT';

/** Input columns, keyed `relation\0column`, with how strongly the value was changed. */
type Origins = ReadonlyMap<string, DirectSubtype>;

/** A column a relation of the query exposes: its name (when known) and where its values come from. */
interface ScopeColumn {
  readonly name?: string;
  /** Undefined when the column's inputs cannot be resolved. */
  readonly origins?: Origins;
}

/** A relation of a FROM clause: its name for qualified references, and its columns when known. */
interface Source {
  readonly alias: string;
  readonly columns?: readonly ScopeColumn[];
}

/** What resolving a query node gives: its columns in order (undefined if unknown) and the INDIRECT inputs. */
interface Resolved {
  readonly columns?: readonly ScopeColumn[];
  readonly indirect: Map<string, Set<IndirectSubtype>>;
}

/** The inputs of the transform by lower-cased name, and the CTEs in scope. */
interface Scope {
  readonly inputs: ReadonlyMap<string, { name: string; columns: readonly string[] }>;
  readonly ctes: ReadonlyMap<string, Resolved>;
}

const DIRECT_RANK: Readonly<Record<DirectSubtype, number>> = {
  IDENTITY: 0,
  TRANSFORMATION: 1,
  AGGREGATION: 2,
};
const AGGREGATES = new Set([
  'sum',
  'count',
  'count_star',
  'avg',
  'mean',
  'min',
  'max',
  'first',
  'last',
  'any_value',
  'arbitrary',
  'string_agg',
  'group_concat',
  'listagg',
  'list',
  'array_agg',
  'median',
  'mode',
  'stddev',
  'stddev_pop',
  'stddev_samp',
  'variance',
  'var_pop',
  'var_samp',
  'approx_count_distinct',
  'approx_quantile',
  'quantile',
  'quantile_cont',
  'quantile_disc',
  'bool_and',
  'bool_or',
  'arg_max',
  'arg_min',
  'max_by',
  'min_by',
  'product',
  'histogram',
  'bit_and',
  'bit_or',
  'bit_xor',
  'fsum',
  'kurtosis',
  'skewness',
  'entropy',
  'corr',
  'covar_pop',
  'covar_samp',
]);

/**
 * The column lineage of a transform's SQL over its named inputs, read from DuckDB's parse tree
 * (`json_serialize_sql` in the transform's own database, where the inputs are views of their
 * names). Handles `SELECT *` (with EXCLUDE), aliases, subqueries, CTEs, joins and set
 * operations; an output column whose inputs cannot be resolved is left out, and when the
 * query's columns cannot be lined up with the output's, there is no lineage at all.
 */
export async function deriveColumnLineage(
  database: DuckDbDatabase,
  transform: { sql: string; inputs: readonly string[]; outputs: readonly string[] },
): Promise<ColumnLineage | undefined> {
  try {
    const [row] = await database.rows('SELECT CAST(json_serialize_sql(CAST($1 AS VARCHAR)) AS VARCHAR)', [
      transform.sql,
    ]);
    const tree = parseLosslessJson(String(row?.[0])) as TreeNode;
    const [statement] = Array.isArray(tree.statements) ? tree.statements : [];
    if (tree.error !== false || !isNode(statement) || !isNode(statement.node)) return undefined;
    const inputs = new Map<string, { name: string; columns: readonly string[] }>();
    for (const name of transform.inputs) {
      inputs.set(name.toLowerCase(), { name, columns: await viewColumns(database, name) });
    }
    return lineageOf(resolveQuery(statement.node, { inputs, ctes: new Map() }), transform.outputs);
  } catch {
    // Lineage is a description of the transform, never a reason for it to fail.
    return undefined;
  }
}

/** Lines the query's columns up with the output's and keeps the resolved ones. */
export function lineageOf(resolved: Resolved, outputs: readonly string[]): ColumnLineage | undefined {
  if (!resolved.columns || resolved.columns.length !== outputs.length) return undefined;
  const fields: Record<string, LineageInputField[]> = {};
  for (const [index, column] of resolved.columns.entries()) {
    const output = outputs[index];
    if (output === undefined || !column.origins || column.origins.size === 0) continue;
    fields[output] = [...column.origins].map(([key, subtype]) =>
      inputField(key, [{ type: 'DIRECT', subtype }]),
    );
  }
  const dataset = [...resolved.indirect].map(([key, subtypes]) =>
    inputField(
      key,
      [...subtypes].sort().map((subtype) => ({ type: 'INDIRECT', subtype })),
    ),
  );
  return { fields, dataset };
}

async function viewColumns(database: DuckDbDatabase, name: string): Promise<string[]> {
  const rows = await database.rows(
    `SELECT column_name FROM duckdb_columns() WHERE database_name = 'temp' AND table_name = $1 ORDER BY column_index`,
    [name],
  );
  return rows.map(([column]) => String(column));
}

function inputField(key: string, transformations: LineageTransformation[]): LineageInputField {
  const [relation = '', column = ''] = key.split('\u0000');
  return { relation, column, transformations };
}

function resolveQuery(node: TreeNode, outer: Scope): Resolved {
  const scope = withCtes(node, outer);
  let resolved: Resolved;
  if (node.type === 'SELECT_NODE') resolved = resolveSelect(node, scope);
  else if (node.type === 'SET_OPERATION_NODE') resolved = resolveSetOperation(node, scope);
  else resolved = { indirect: new Map() };
  return resolved;
}

function withCtes(node: TreeNode, outer: Scope): Scope {
  const map = isNode(node.cte_map) && Array.isArray(node.cte_map.map) ? node.cte_map.map : [];
  if (map.length === 0) return outer;
  const ctes = new Map(outer.ctes);
  for (const entry of map) {
    if (!isNode(entry) || typeof entry.key !== 'string' || !isNode(entry.value)) continue;
    const query =
      isNode(entry.value.query) && isNode(entry.value.query.node) ? entry.value.query.node : undefined;
    // A CTE sees the CTEs before it (a recursive one is not resolved).
    const resolved: Resolved = query
      ? resolveQuery(query, { inputs: outer.inputs, ctes })
      : { indirect: new Map() };
    ctes.set(entry.key.toLowerCase(), renamed(resolved, entry.value.aliases));
  }
  return { inputs: outer.inputs, ctes };
}

/** Applies column aliases (`cte(a, b)`, `AS s(a, b)`) to a relation's first columns. */
function renamed(resolved: Resolved, aliases: unknown): Resolved {
  if (!Array.isArray(aliases) || aliases.length === 0 || !resolved.columns) return resolved;
  const columns = resolved.columns.map((column, index) => {
    const alias = aliases[index];
    return typeof alias === 'string' ? { ...column, name: alias } : column;
  });
  return { ...resolved, columns };
}

function resolveSelect(node: TreeNode, scope: Scope): Resolved {
  const indirect = new Map<string, Set<IndirectSubtype>>();
  const sources = resolveFrom(node.from_table, { scope, indirect });
  const columns: ScopeColumn[] = [];
  let isKnown = true;
  for (const item of Array.isArray(node.select_list) ? node.select_list : []) {
    if (!isNode(item)) continue;
    if (item.class === 'STAR') {
      const expanded = expandStar(item, sources);
      if (!expanded) isKnown = false;
      else columns.push(...expanded);
      continue;
    }
    columns.push({ ...nameOf(item), ...originsOf(item, sources) });
  }
  const addIndirect = (expression: unknown, subtype: IndirectSubtype) => {
    const isPositional = subtype === 'GROUP_BY' || subtype === 'SORT';
    for (const key of referencedInputs(expression, { sources, outputs: columns, isPositional })) {
      addTo(indirect, key, subtype);
    }
  };
  addIndirect(node.where_clause, 'FILTER');
  addIndirect(node.having, 'FILTER');
  addIndirect(node.qualify, 'FILTER');
  for (const group of Array.isArray(node.group_expressions) ? node.group_expressions : []) {
    addIndirect(group, 'GROUP_BY');
  }
  addSortInputs(node, addIndirect);
  return isKnown ? { columns, indirect } : { indirect };
}

function addSortInputs(node: TreeNode, add: (expression: unknown, subtype: IndirectSubtype) => void): void {
  for (const modifier of Array.isArray(node.modifiers) ? node.modifiers : []) {
    if (!isNode(modifier) || modifier.type !== 'ORDER_MODIFIER' || !Array.isArray(modifier.orders)) continue;
    for (const order of modifier.orders) if (isNode(order)) add(order.expression, 'SORT');
  }
}

function resolveSetOperation(node: TreeNode, scope: Scope): Resolved {
  const left: Resolved = isNode(node.left) ? resolveQuery(node.left, scope) : { indirect: new Map() };
  const right: Resolved = isNode(node.right) ? resolveQuery(node.right, scope) : { indirect: new Map() };
  const indirect = mergeIndirect(left.indirect, right.indirect);
  const sortTarget: Source[] = left.columns ? [{ alias: '', columns: left.columns }] : [];
  addSortInputs(node, (expression, subtype) => {
    const outputs = left.columns ?? [];
    for (const key of referencedInputs(expression, { sources: sortTarget, outputs, isPositional: true })) {
      addTo(indirect, key, subtype);
    }
  });
  if (!left.columns || !right.columns) return { indirect };
  const type = String(node.setop_type);
  if (type === 'EXCEPT' || type === 'INTERSECT') {
    for (const column of right.columns) {
      for (const key of column.origins?.keys() ?? []) addTo(indirect, key, 'FILTER');
    }
    return { columns: left.columns, indirect };
  }
  if (type === 'UNION_BY_NAME') return { columns: unionByName(left.columns, right.columns), indirect };
  if (left.columns.length !== right.columns.length) return { indirect };
  const columns = left.columns.map((column, index) => ({
    ...(column.name === undefined ? {} : { name: column.name }),
    ...combined([column.origins, right.columns?.[index]?.origins]),
  }));
  return { columns, indirect };
}

function unionByName(left: readonly ScopeColumn[], right: readonly ScopeColumn[]): ScopeColumn[] | undefined {
  if ([...left, ...right].some((column) => column.name === undefined)) return undefined;
  const byName = new Map<string, ScopeColumn[]>();
  for (const column of [...left, ...right]) {
    const key = (column.name as string).toLowerCase();
    byName.set(key, [...(byName.get(key) ?? []), column]);
  }
  return [...byName.values()].map((same) => ({
    name: same[0]?.name as string,
    ...combined(same.map((column) => column.origins)),
  }));
}

/** The union of several columns' origins, or no origins when any of them is unresolved. */
function combined(list: readonly (Origins | undefined)[]): { origins?: Origins } {
  const origins = new Map<string, DirectSubtype>();
  for (const each of list) {
    if (!each) return {};
    for (const [key, subtype] of each) addOrigin(origins, key, subtype);
  }
  return { origins };
}

function resolveFrom(
  table: unknown,
  at: { scope: Scope; indirect: Map<string, Set<IndirectSubtype>> },
): Source[] {
  if (!isNode(table)) return [];
  switch (table.type) {
    case 'EMPTY':
      return [];
    case 'BASE_TABLE':
      return [baseTable(table, at)];
    case 'SUBQUERY': {
      const subquery =
        isNode(table.subquery) && isNode(table.subquery.node) ? table.subquery.node : undefined;
      const resolved = renamed(
        subquery ? resolveQuery(subquery, at.scope) : { indirect: new Map<string, Set<IndirectSubtype>>() },
        table.column_name_alias,
      );
      for (const [key, subtypes] of resolved.indirect)
        for (const subtype of subtypes) addTo(at.indirect, key, subtype);
      return [
        { alias: String(table.alias ?? ''), ...(resolved.columns ? { columns: resolved.columns } : {}) },
      ];
    }
    case 'JOIN': {
      const sources = [...resolveFrom(table.left, at), ...resolveFrom(table.right, at)];
      for (const key of referencedInputs(table.condition, { sources, outputs: [] }))
        addTo(at.indirect, key, 'JOIN');
      for (const name of Array.isArray(table.using_columns) ? table.using_columns : []) {
        for (const source of sources) {
          const column = source.columns?.find((candidate) => sameName(candidate.name, String(name)));
          for (const key of column?.origins?.keys() ?? []) addTo(at.indirect, key, 'JOIN');
        }
      }
      return sources;
    }
    default:
      // Table functions, pivots and the like: their columns are not known here.
      return [{ alias: String(table.alias ?? '') }];
  }
}

/** An input, or a CTE (whose INDIRECT inputs then apply to the query reading it). */
function baseTable(
  table: TreeNode,
  at: { scope: Scope; indirect: Map<string, Set<IndirectSubtype>> },
): Source {
  const { scope } = at;
  const name = String(table.table_name);
  const alias = typeof table.alias === 'string' && table.alias !== '' ? table.alias : name;
  const isBare = !table.catalog_name && !table.schema_name;
  const cte = isBare ? scope.ctes.get(name.toLowerCase()) : undefined;
  if (cte) {
    for (const [key, subtypes] of cte.indirect)
      for (const subtype of subtypes) addTo(at.indirect, key, subtype);
    const resolved = renamed(cte, table.column_name_alias);
    return { alias, ...(resolved.columns ? { columns: resolved.columns } : {}) };
  }
  const input = isBare ? scope.inputs.get(name.toLowerCase()) : undefined;
  if (!input) return { alias };
  const columns = input.columns.map((column) => ({
    name: column,
    origins: new Map<string, DirectSubtype>([[`${input.name}\u0000${column}`, 'IDENTITY']]),
  }));
  return { alias, columns: renamed({ columns, indirect: new Map() }, table.column_name_alias).columns ?? [] };
}

function expandStar(star: TreeNode, sources: readonly Source[]): ScopeColumn[] | undefined {
  if (star.columns === true || (star.expr !== null && star.expr !== undefined)) return undefined;
  const relation = typeof star.relation_name === 'string' ? star.relation_name : '';
  const chosen = relation === '' ? sources : sources.filter((source) => sameName(source.alias, relation));
  if (chosen.length === 0) return undefined;
  const excluded = new Set(
    (Array.isArray(star.exclude_list) ? star.exclude_list : []).map((name) => String(name).toLowerCase()),
  );
  const hasOtherLists = [star.replace_list, star.rename_list, star.qualified_exclude_list].some(
    (list) => Array.isArray(list) && list.length > 0,
  );
  if (hasOtherLists) return undefined;
  const columns: ScopeColumn[] = [];
  for (const source of chosen) {
    if (!source.columns) return undefined;
    columns.push(...source.columns.filter((column) => !excluded.has(column.name?.toLowerCase() ?? '\u0000')));
  }
  return columns;
}

function nameOf(expression: TreeNode): { name?: string } {
  if (typeof expression.alias === 'string' && expression.alias !== '') return { name: expression.alias };
  if (expression.class === 'COLUMN_REF' && Array.isArray(expression.column_names)) {
    const last = expression.column_names.at(-1);
    return typeof last === 'string' ? { name: last } : {};
  }
  return {};
}

/** The inputs of a select-list expression, or none when a reference or subquery in it is unresolved. */
function originsOf(expression: TreeNode, sources: readonly Source[]): { origins?: Origins } {
  const origins = new Map<string, DirectSubtype>();
  const isIdentity = expression.class === 'COLUMN_REF';
  const subtype: DirectSubtype = hasAggregate(expression) ? 'AGGREGATION' : 'TRANSFORMATION';
  let isResolved = true;
  walkExpression(expression, {
    onColumn: (names) => {
      const column = resolveColumn(names, sources);
      if (!column?.origins) isResolved = false;
      for (const [key, from] of column?.origins ?? [])
        addOrigin(origins, key, isIdentity ? from : max(from, subtype));
    },
    onSubquery: () => {
      isResolved = false;
    },
  });
  return isResolved ? { origins } : {};
}

/**
 * Input columns referenced by an expression of a clause: references to select aliases included,
 * and in GROUP BY and ORDER BY (`isPositional`) a bare integer names a select-list position.
 */
function referencedInputs(
  expression: unknown,
  at: { sources: readonly Source[]; outputs: readonly ScopeColumn[]; isPositional?: boolean },
): string[] {
  const keys = new Set<string>();
  const position = at.isPositional ? positionOf(expression) : undefined;
  if (position !== undefined) return [...(at.outputs[position - 1]?.origins?.keys() ?? [])];
  walkExpression(expression, {
    onColumn: (names) => {
      const column =
        resolveColumn(names, at.sources) ??
        (names.length === 1 ? at.outputs.find((output) => sameName(output.name, names[0])) : undefined);
      for (const key of column?.origins?.keys() ?? []) keys.add(key);
    },
    onSubquery: () => {},
  });
  return [...keys];
}

function positionOf(expression: unknown): number | undefined {
  if (!isNode(expression) || expression.class !== 'CONSTANT' || !isNode(expression.value)) return undefined;
  const position = expression.value.value;
  return typeof position === 'number' && Number.isInteger(position) ? position : undefined;
}

/** Finds `column`, `relation.column` (or a struct field of a column) among the sources. */
function resolveColumn(names: readonly string[], sources: readonly Source[]): ScopeColumn | undefined {
  const [first, second] = names;
  if (first === undefined) return undefined;
  if (names.length >= 2 && second !== undefined) {
    const source = sources.find((candidate) => sameName(candidate.alias, names.at(-2)));
    const qualified = source?.columns?.find((column) => sameName(column.name, names.at(-1)));
    if (qualified) return qualified;
  }
  const matches = sources.flatMap((source) =>
    (source.columns ?? []).filter((column) => sameName(column.name, first)),
  );
  // Unknown or ambiguous: not guessed.
  if (matches.length !== 1 || sources.some((source) => !source.columns)) return undefined;
  const [match] = matches;
  if (names.length === 1 || !match?.origins) return match;
  // `column.field`: a struct field is a transformation of its column.
  const origins = new Map<string, DirectSubtype>();
  for (const [key, from] of match.origins) addOrigin(origins, key, max(from, 'TRANSFORMATION'));
  return { origins };
}

interface ExpressionVisitor {
  onColumn(names: readonly string[]): void;
  onSubquery(): void;
}

function walkExpression(value: unknown, visitor: ExpressionVisitor): void {
  if (Array.isArray(value)) {
    for (const item of value) walkExpression(item, visitor);
    return;
  }
  if (!isNode(value)) return;
  if (value.class === 'COLUMN_REF' && Array.isArray(value.column_names)) {
    visitor.onColumn(value.column_names.map(String));
    return;
  }
  if (value.class === 'SUBQUERY') {
    visitor.onSubquery();
    return;
  }
  if (value.class === 'CONSTANT' || value.class === 'LAMBDA') return;
  for (const child of Object.values(value)) walkExpression(child, visitor);
}

function hasAggregate(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(hasAggregate);
  if (!isNode(value)) return false;
  if (value.class === 'WINDOW') return true;
  if (value.class === 'FUNCTION' && AGGREGATES.has(String(value.function_name).toLowerCase())) return true;
  return Object.values(value).some(hasAggregate);
}

function addOrigin(origins: Map<string, DirectSubtype>, key: string, subtype: DirectSubtype): void {
  const known = origins.get(key);
  origins.set(key, known ? max(known, subtype) : subtype);
}

function addTo(indirect: Map<string, Set<IndirectSubtype>>, key: string, subtype: IndirectSubtype): void {
  const subtypes = indirect.get(key) ?? new Set<IndirectSubtype>();
  subtypes.add(subtype);
  indirect.set(key, subtypes);
}

function mergeIndirect(
  ...maps: readonly Map<string, Set<IndirectSubtype>>[]
): Map<string, Set<IndirectSubtype>> {
  const merged = new Map<string, Set<IndirectSubtype>>();
  for (const map of maps)
    for (const [key, subtypes] of map) for (const subtype of subtypes) addTo(merged, key, subtype);
  return merged;
}

function max(a: DirectSubtype, b: DirectSubtype): DirectSubtype {
  return DIRECT_RANK[a] >= DIRECT_RANK[b] ? a : b;
}

function sameName(a: string | undefined, b: string | undefined): boolean {
  return a !== undefined && b !== undefined && a.toLowerCase() === b.toLowerCase();
}

function isNode(value: unknown): value is TreeNode {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
