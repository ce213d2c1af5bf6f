import { createHash } from 'node:crypto';
import type { ColumnType } from '@quanta/model';
import type { StagedTable } from './data-engine.ts';
import type { DuckDbDatabase } from './duckdb-database.ts';
import { DATA_TABLE, QUARANTINE_TABLE } from './quarantine.ts';

/** The columns of a table in the open database, with DuckDB's type names, in order. */
export async function tableColumns(
  database: DuckDbDatabase,
  options: { catalog?: string; table: string },
): Promise<ColumnType[]> {
  const rows = await database.rows(
    `SELECT column_name, data_type FROM duckdb_columns()
     WHERE database_name = coalesce($1, current_database()) AND schema_name = 'main' AND table_name = $2
     ORDER BY column_index`,
    [options.catalog ?? null, options.table],
  );
  return rows.map(([name, type]) => ({ name: String(name), type: String(type) }));
}

/** The sha256 of a schema's `name:type` list, in order. */
export function schemaHash(columns: readonly ColumnType[]): string {
  const text = columns.map((column) => `${column.name}:${column.type}`).join('\n');
  return createHash('sha256').update(text).digest('hex');
}

/**
 * Describes the staged table of the open staging database: row counts of `data` and
 * `quarantine`, columns and schema hash. `rowsIn` defaults to published plus quarantined rows.
 */
export async function describeStagedTable(
  database: DuckDbDatabase,
  options: { path: string; rowsIn?: number },
): Promise<StagedTable> {
  const [counts] = await database.rows(
    `SELECT (SELECT count(*) FROM main.${DATA_TABLE}), (SELECT count(*) FROM main.${QUARANTINE_TABLE})`,
  );
  const rowCount = Number(counts?.[0] ?? 0);
  const quarantinedRows = Number(counts?.[1] ?? 0);
  const columns = await tableColumns(database, { table: DATA_TABLE });
  return {
    path: options.path,
    rowCount,
    quarantinedRows,
    rowsIn: options.rowsIn ?? rowCount + quarantinedRows,
    columns,
    schemaHash: schemaHash(columns),
  };
}
