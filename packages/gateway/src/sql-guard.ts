import type { TableReference } from '@quanta/engine';
import { QuantaError } from '@quanta/model';

const SYSTEM_SCHEMAS = new Set(['information_schema', 'pg_catalog', 'system', 'temp', 'main']);
const SYSTEM_TABLE = /^(duckdb_|sqlite_|pragma_|pg_)/i;
const FORBIDDEN_FUNCTION_PREFIXES = ['quanta_', 'duckdb_', 'pragma_'];
const FORBIDDEN_FUNCTIONS = new Set([
  'current_setting',
  'set_config',
  'getenv',
  'getvariable',
  'current_query',
  'pg_read_file',
  'pg_read_binary_file',
  'pg_ls_dir',
  'pg_stat_file',
  'pg_sleep',
  'pg_reload_conf',
  'pg_terminate_backend',
  'pg_cancel_backend',
  'lo_import',
  'lo_export',
  'inet_server_addr',
  'inet_server_port',
  'pg_postmaster_start_time',
  'pg_conf_load_time',
]);

/**
 * True for references to DuckDB's own catalogs and system tables (`information_schema.tables`,
 * `pg_catalog.pg_class`, `duckdb_columns`, `sqlite_master`...). They would describe the
 * session, not the mesh; the gateway refuses them before resolving anything.
 */
export function isSystemReference(reference: TableReference): boolean {
  const parts = [reference.catalog, reference.schema].filter((part): part is string => part !== undefined);
  return parts.some((part) => SYSTEM_SCHEMAS.has(part.toLowerCase())) || SYSTEM_TABLE.test(reference.table);
}

/**
 * Refuses functions a consumer may not call: the platform's own (`quanta_*`, the keyed hash of
 * masks would be a dictionary oracle), DuckDB's introspection (`duckdb_*`, `pragma_*`) and the
 * ones that read the session's settings or environment.
 */
export function checkFunctions(functions: readonly string[]): void {
  const forbidden = functions.filter(
    (name) =>
      FORBIDDEN_FUNCTIONS.has(name) || FORBIDDEN_FUNCTION_PREFIXES.some((prefix) => name.startsWith(prefix)),
  );
  if (forbidden.length > 0) {
    throw new QuantaError('QUANTA_SQL_FORBIDDEN', `functions not allowed: ${forbidden.join(', ')}`, {
      fix: 'use SQL functions over the ports’ columns only',
    });
  }
}

/**
 * Refuses functions called with a schema or catalog other than `main` (`system.pg_catalog.x`,
 * `pg_catalog.x`): they would reach DuckDB's own catalog functions past the session's macros.
 * `main.` is what DuckDB's parser writes itself (`main.struct_pack`, `main.like_escape`), and
 * bare names are checked as such. PostgreSQL clients' `pg_catalog.` prefixes are removed by
 * the front door before the gateway sees them.
 */
export function checkQualifiedFunctions(functions: readonly string[]): void {
  const forbidden = functions.filter((name) => !name.startsWith('main.') || name.split('.').length !== 2);
  if (forbidden.length > 0) {
    throw new QuantaError(
      'QUANTA_SQL_FORBIDDEN',
      `qualified function names are not allowed: ${forbidden.join(', ')}`,
      {
        fix: 'call functions by their bare name',
      },
    );
  }
}
