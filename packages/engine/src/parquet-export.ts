import { randomUUID } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import type { QueryResult } from './data-engine.ts';
import { quoteIdentifier, quoteLiteral } from './sql-text.ts';

/**
 * Writes the rows of a gateway result to a Parquet file with their column types. It runs in a
 * fresh in-memory DuckDB instance that only ever sees data: the rows the gateway already
 * authorized, masked and filtered, written to a private temporary NDJSON file, read back with
 * the declared types, and copied out. No consumer SQL reaches this instance, so the sandbox of
 * the read session (no file access) stays closed (ADR 011).
 */
export async function writeParquet(result: QueryResult, options: { path: string }): Promise<void> {
  const staging = path.join(tmpdir(), `quanta-export-${randomUUID()}.ndjson`);
  const keys = result.columns.map((_column, index) => `c${index}`);
  const lines = result.rows.map((row) =>
    JSON.stringify(Object.fromEntries(keys.map((key, index) => [key, row[index] ?? null]))),
  );
  await writeFile(staging, lines.length > 0 ? `${lines.join('\n')}\n` : '', { mode: 0o600 });
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    const columns = result.columns
      .map((column, index) => `${quoteLiteral(keys[index] ?? '')}: ${quoteLiteral(column.type)}`)
      .join(', ');
    const projection = result.columns
      .map((column, index) => `${quoteIdentifier(keys[index] ?? '')} AS ${quoteIdentifier(column.name)}`)
      .join(', ');
    const source =
      result.rows.length === 0
        ? `SELECT ${result.columns.map((column) => `CAST(NULL AS ${column.type}) AS ${quoteIdentifier(column.name)}`).join(', ')} LIMIT 0`
        : `SELECT ${projection} FROM read_json(${quoteLiteral(staging)}, format = 'newline_delimited', columns = {${columns}})`;
    await connection.run(`COPY (${source}) TO ${quoteLiteral(options.path)} (FORMAT parquet)`);
  } finally {
    connection.closeSync();
    instance.closeSync();
    await rm(staging, { force: true });
  }
}
