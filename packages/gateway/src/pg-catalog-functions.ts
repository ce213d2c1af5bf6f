import type { SessionMacro } from '@quanta/engine';
import { PG_CATALOG_SESSION_SCHEMA, PG_CLASS_OID, PG_OWNER } from './pg-catalog-tables.ts';
import { PG_TYPES } from './pg-types.ts';

const CATALOG = PG_CATALOG_SESSION_SCHEMA;

/** Fixed OIDs of the system catalogs clients name in `'pg_class'::regclass`. */
const SYSTEM_RELATIONS: Readonly<Record<string, number>> = {
  pg_class: PG_CLASS_OID,
  pg_type: 1247,
  pg_attribute: 1249,
  pg_proc: 1255,
  pg_namespace: 2615,
  pg_constraint: 2606,
  pg_description: 2609,
};

function formatTypeBody(): string {
  const numeric = `'numeric' || CASE WHEN typemod > 4 THEN '(' || ((typemod - 4) >> 16) || ',' || ((typemod - 4) & 65535) || ')' ELSE '' END`;
  const cases = PG_TYPES.filter((type) => type.oid !== 1700).map(
    (type) => `WHEN type_oid = ${type.oid} THEN '${type.display.replaceAll("'", "''")}'`,
  );
  return `CASE WHEN type_oid = 1700 THEN ${numeric} ${cases.join(' ')} ELSE NULL END`;
}

function regclassBody(): string {
  const system = Object.entries(SYSTEM_RELATIONS)
    .map(([name, oid]) => `WHEN '${name}' THEN ${oid}`)
    .join(' ');
  const bare = `lower(replace(split_part(name, '.', -1), '"', ''))`;
  return `CASE ${bare} ${system} ELSE (SELECT min(oid) FROM ${CATALOG}.pg_class WHERE relname = ${bare}) END`;
}

/**
 * The functions psql, JDBC and BI tools call on the catalog, as session macros over Quanta's
 * own `pg_catalog` (the front door calls them unqualified). They shadow DuckDB's built-ins of
 * the same name, which describe DuckDB's own catalog; none reads a setting, a file or the session.
 */
export const PG_CATALOG_MACROS: readonly SessionMacro[] = [
  { name: 'pg_get_userbyid', parameters: ['role_oid'], body: `'${PG_OWNER}'` },
  { name: 'pg_table_is_visible', parameters: ['relation_oid'], body: 'true' },
  { name: 'pg_type_is_visible', parameters: ['type_oid'], body: 'true' },
  { name: 'pg_function_is_visible', parameters: ['function_oid'], body: 'true' },
  { name: 'format_type', parameters: ['type_oid', 'typemod'], body: formatTypeBody() },
  {
    name: 'pg_get_expr',
    parameters: ['node', 'relation_oid'],
    optional: ['pretty'],
    body: 'CAST(NULL AS VARCHAR)',
  },
  {
    name: 'obj_description',
    parameters: ['object_oid'],
    optional: ['catalog_name'],
    body: `(SELECT min(description) FROM ${CATALOG}.pg_description d WHERE d.objoid = object_oid AND d.objsubid = 0)`,
  },
  {
    name: 'col_description',
    parameters: ['relation_oid', 'column_number'],
    body: `(SELECT min(description) FROM ${CATALOG}.pg_description d WHERE d.objoid = relation_oid AND d.objsubid = column_number)`,
  },
  { name: 'shobj_description', parameters: ['object_oid', 'catalog_name'], body: 'CAST(NULL AS VARCHAR)' },
  {
    name: 'pg_encoding_to_char',
    parameters: ['encoding'],
    body: "CASE WHEN encoding = 6 THEN 'UTF8' ELSE 'SQL_ASCII' END",
  },
  { name: 'has_table_privilege', parameters: ['a', 'b'], optional: ['c'], body: 'true' },
  { name: 'has_schema_privilege', parameters: ['a', 'b'], optional: ['c'], body: 'true' },
  { name: 'has_database_privilege', parameters: ['a', 'b'], optional: ['c'], body: 'true' },
  { name: 'has_any_column_privilege', parameters: ['a', 'b'], optional: ['c'], body: 'true' },
  { name: 'has_column_privilege', parameters: ['a', 'b', 'c'], optional: ['d'], body: 'true' },
  { name: 'pg_has_role', parameters: ['a', 'b'], optional: ['c'], body: 'false' },
  { name: 'current_schemas', parameters: ['include_implicit'], body: "['pg_catalog', 'public']" },
  {
    name: 'pg_get_indexdef',
    parameters: ['index_oid'],
    optional: ['column', 'pretty'],
    body: 'CAST(NULL AS VARCHAR)',
  },
  {
    name: 'pg_get_constraintdef',
    parameters: ['constraint_oid'],
    optional: ['pretty'],
    body: 'CAST(NULL AS VARCHAR)',
  },
  { name: 'pg_get_viewdef', parameters: ['view_oid'], optional: ['pretty'], body: 'CAST(NULL AS VARCHAR)' },
  { name: 'pg_get_partkeydef', parameters: ['relation_oid'], body: 'CAST(NULL AS VARCHAR)' },
  { name: 'pg_get_statisticsobjdef_columns', parameters: ['statistics_oid'], body: 'CAST(NULL AS VARCHAR)' },
  { name: 'pg_relation_size', parameters: ['relation_oid'], optional: ['fork'], body: '0' },
  { name: 'pg_total_relation_size', parameters: ['relation_oid'], body: '0' },
  { name: 'pg_table_size', parameters: ['relation_oid'], body: '0' },
  { name: 'pg_is_in_recovery', parameters: [], body: 'false' },
  { name: 'quote_ident', parameters: ['text'], body: `'"' || replace(text, '"', '""') || '"'` },
  { name: 'pg_relation_is_publishable', parameters: ['relation_oid'], body: 'false' },
  { name: 'array_upper', parameters: ['list', 'dimension'], body: 'len(list)' },
  { name: 'to_regclass', parameters: ['name'], body: regclassBody() },
];

/** The names of the catalog functions, which make the gateway load Quanta's `pg_catalog`. */
export const PG_CATALOG_FUNCTION_NAMES: ReadonlySet<string> = new Set(
  PG_CATALOG_MACROS.map((macro) => macro.name),
);
