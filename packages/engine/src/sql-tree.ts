import type { TableReference } from './data-engine.ts';

/** What a table reference becomes in the tree: another table, or a parsed subquery (a SELECT statement). */
export type TreeTableRewrite = TableReference | { readonly statement: unknown };

/** A node of DuckDB's serialized syntax tree (`json_serialize_sql`), as far as Quanta reads it. */
type TreeNode = { [key: string]: unknown };

/** What a walk over a statement found. */
export interface TreeFindings {
  readonly tableReferences: TableReference[];
  /** Table functions, plus `summarize` and `describe` for SUMMARIZE, DESCRIBE and SHOW. */
  readonly tableFunctions: string[];
  readonly functions: string[];
  /** Functions called with a schema or catalog (`pg_catalog.format_type`), as written, lower-cased. */
  readonly qualifiedFunctions: string[];
}

const SELECT_NODE_TYPES = new Set(['SELECT_NODE', 'SET_OPERATION_NODE', 'RECURSIVE_CTE_NODE', 'CTE_NODE']);

/** True when the serialized statement is a query (SELECT, WITH, UNION...). */
export function isSelectStatement(statement: unknown): boolean {
  return isNode(statement) && isNode(statement.node) && SELECT_NODE_TYPES.has(String(statement.node.type));
}

/**
 * Every base-table reference (deduplicated, as written) and every table function of a statement.
 * A bare name that matches a CTE in scope is the CTE, not a table, and is left out.
 */
export function findTableReferences(statement: unknown): TreeFindings {
  const findings: TreeFindings = {
    tableReferences: [],
    tableFunctions: [],
    functions: [],
    qualifiedFunctions: [],
  };
  const seen = new Set<string>();
  visitTables(statement, {
    onTable: (node) => {
      const reference = referenceOf(node);
      const key = JSON.stringify([reference.catalog, reference.schema, reference.table]);
      if (!seen.has(key)) findings.tableReferences.push(reference);
      seen.add(key);
    },
    onFunction: (name) => {
      if (!findings.tableFunctions.includes(name)) findings.tableFunctions.push(name);
    },
    onScalarFunction: (name, qualifier) => {
      if (!findings.functions.includes(name)) findings.functions.push(name);
      const qualified = qualifier ? `${qualifier}.${name}` : undefined;
      if (qualified && !findings.qualifiedFunctions.includes(qualified)) {
        findings.qualifiedFunctions.push(qualified);
      }
    },
  });
  return findings;
}

/**
 * Replaces, in place, each non-CTE base-table reference by what `rewrite` returns. A reference
 * without an alias gets its original table name as alias, so `orders.amount` keeps working.
 */
export function rewriteTableReferences(
  statement: unknown,
  rewrite: (reference: TableReference) => TreeTableRewrite,
): void {
  visitTables(statement, {
    onTable: (node) => {
      const original = referenceOf(node);
      const target = rewrite(original);
      const alias = typeof node.alias === 'string' && node.alias !== '' ? node.alias : original.table;
      if ('statement' in target) replaceBySubquery(node, { statement: target.statement, alias });
      else {
        node.catalog_name = target.catalog ?? '';
        node.schema_name = target.schema ?? '';
        node.table_name = target.table;
        node.alias = alias;
      }
    },
    onFunction: () => {},
    onScalarFunction: () => {},
  });
}

/**
 * Turns a BASE_TABLE node into a SUBQUERY node (a derived table) in place, keeping its alias and
 * column aliases. Each replacement gets its own copy of the subquery's tree.
 */
function replaceBySubquery(node: TreeNode, target: { statement: unknown; alias: string }): void {
  const subquery = structuredClone(target.statement);
  const columnAliases = Array.isArray(node.column_name_alias) ? node.column_name_alias : [];
  const location = node.query_location;
  for (const key of Object.keys(node)) delete node[key];
  Object.assign(node, {
    type: 'SUBQUERY',
    alias: target.alias,
    sample: null,
    query_location: location,
    subquery,
    column_name_alias: columnAliases,
  });
}

interface TableVisitor {
  onTable(node: TreeNode): void;
  onFunction(name: string): void;
  /** `qualifier` is the call's `catalog.schema`, `schema` or empty, lower-cased. */
  onScalarFunction(name: string, qualifier: string): void;
}

function visitTables(value: unknown, visitor: TableVisitor, ctes: ReadonlySet<string> = new Set()): void {
  if (Array.isArray(value)) {
    for (const item of value) visitTables(item, visitor, ctes);
    return;
  }
  if (!isNode(value)) return;
  const scope = visitCteBodies(value, visitor, ctes);
  if (value.type === 'BASE_TABLE' && typeof value.table_name === 'string') {
    if (!isCteReference(value, scope)) visitor.onTable(value);
    return;
  }
  if (value.type === 'SHOW_REF') visitor.onFunction(value.show_type === 'SUMMARY' ? 'summarize' : 'describe');
  if (value.type === 'TABLE_FUNCTION' && isNode(value.function)) {
    visitor.onFunction(String(value.function.function_name));
  } else if (value.class === 'FUNCTION' && typeof value.function_name === 'string') {
    visitor.onScalarFunction(value.function_name.toLowerCase(), qualifierOf(value));
  }
  for (const [key, child] of Object.entries(value)) {
    if (key !== 'cte_map') visitTables(child, visitor, scope);
  }
}

function qualifierOf(node: TreeNode): string {
  const parts = [node.catalog, node.schema].filter((part) => typeof part === 'string' && part !== '');
  return parts.join('.').toLowerCase();
}

/**
 * Visits the bodies of the CTEs `node` defines, each with only the CTEs defined before it in
 * scope (and itself when recursive), as DuckDB binds them: in `WITH pg_proc AS (SELECT * FROM
 * pg_proc)` the inner `pg_proc` is the system table, and must be seen as one. Returns the scope
 * of the rest of `node`: every CTE it defines.
 */
function visitCteBodies(
  node: TreeNode,
  visitor: TableVisitor,
  outer: ReadonlySet<string>,
): ReadonlySet<string> {
  const map = isNode(node.cte_map) ? node.cte_map.map : undefined;
  if (!Array.isArray(map) || map.length === 0) return outer;
  const defined = new Set(outer);
  for (const entry of map) {
    if (!isNode(entry) || typeof entry.key !== 'string') continue;
    const name = entry.key.toLowerCase();
    const query = isNode(entry.value) ? entry.value.query : undefined;
    const own = isRecursiveCte(query) ? new Set([...defined, name]) : new Set(defined);
    visitTables(query, visitor, own);
    defined.add(name);
  }
  return defined;
}

function isRecursiveCte(query: unknown): boolean {
  return isNode(query) && isNode(query.node) && query.node.type === 'RECURSIVE_CTE_NODE';
}

function isCteReference(node: TreeNode, ctes: ReadonlySet<string>): boolean {
  return !node.catalog_name && !node.schema_name && ctes.has(String(node.table_name).toLowerCase());
}

function referenceOf(node: TreeNode): TableReference {
  const catalog = typeof node.catalog_name === 'string' ? node.catalog_name : '';
  const schema = typeof node.schema_name === 'string' ? node.schema_name : '';
  return {
    ...(catalog ? { catalog } : {}),
    ...(schema ? { schema } : {}),
    table: String(node.table_name),
  };
}

function isNode(value: unknown): value is TreeNode {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
