import type { ResolvedColumn } from './contract-columns.ts';
import type { DuckDbDatabase } from './duckdb-database.ts';
import { quoteIdentifier, quoteLiteral } from './sql-text.ts';

/** The table of rejected rows every staging file and snapshot carries. */
export const QUARANTINE_TABLE = 'quarantine';

/** The table of published rows every staging file and snapshot carries. */
export const DATA_TABLE = 'data';

/**
 * The quarantine's columns: the row as it came (the raw line, or its fields as text), why it was
 * rejected, and where it came from (`line` is unknown for rows rejected after parsing).
 */
export const CREATE_QUARANTINE_SQL = `CREATE TABLE IF NOT EXISTS main.${QUARANTINE_TABLE} (
  raw VARCHAR, reason VARCHAR, source_file VARCHAR, line BIGINT)`;

/** A SQL condition true when any required column is NULL, or undefined when none is required. */
export function missingRequiredCondition(columns: readonly ResolvedColumn[]): string | undefined {
  const required = columns.filter((column) => column.required);
  if (required.length === 0) return undefined;
  return required.map((column) => `${quoteIdentifier(column.name)} IS NULL`).join(' OR ');
}

/** A SQL expression naming every required column that is NULL: `missing required value for x`. */
export function missingRequiredReason(columns: readonly ResolvedColumn[]): string {
  const parts = columns
    .filter((column) => column.required)
    .map(
      (column) =>
        `CASE WHEN ${quoteIdentifier(column.name)} IS NULL THEN ${quoteLiteral(`missing required value for ${column.name}`)} END`,
    );
  return `concat_ws('; ', ${parts.join(', ')})`;
}

/** A SQL expression rendering a row's contract fields as one comma-separated text, as a CSV line would. */
export function fieldsAsText(columns: readonly ResolvedColumn[]): string {
  const fields = columns.map((column) => `coalesce(CAST(${quoteIdentifier(column.name)} AS VARCHAR), '')`);
  return `concat_ws(',', ${fields.join(', ')})`;
}

/**
 * Copies the quarantine of an attached staging file or snapshot (`alias`) into the open
 * database's, reasons and sources unchanged; a file without one adds nothing. Returns the rows
 * copied.
 */
export async function copyQuarantine(database: DuckDbDatabase, alias: string): Promise<number> {
  const [table] = await database.rows(
    `SELECT count(*) FROM duckdb_tables() WHERE database_name = $1 AND schema_name = 'main' AND table_name = $2`,
    [alias, QUARANTINE_TABLE],
  );
  if (Number(table?.[0] ?? 0) === 0) return 0;
  const source = `${quoteIdentifier(alias)}.main.${QUARANTINE_TABLE}`;
  const [count] = await database.rows(`SELECT count(*) FROM ${source}`);
  await database.run(
    `INSERT INTO main.${QUARANTINE_TABLE} SELECT raw, reason, source_file, line FROM ${source}`,
  );
  return Number(count?.[0] ?? 0);
}
