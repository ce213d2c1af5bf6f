import { randomUUID } from 'node:crypto';
import { open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import type { ColumnType, JsonValue } from '@quanta/model';
import type { QueryResult } from './data-engine.ts';
import { quoteIdentifier, quoteLiteral } from './sql-text.ts';

/** Rows to export as they come: their columns, then chunks of rows (a gateway stream). */
export interface ParquetRows extends AsyncIterable<readonly JsonValue[][]> {
  readonly columns: readonly ColumnType[];
}

/**
 * Writes the rows of a gateway result or stream to a Parquet file with their column types, and
 * says how many it wrote. It runs in a fresh in-memory DuckDB instance that only ever sees
 * data: the rows the gateway already authorized, masked and filtered, appended chunk by chunk
 * to a private temporary NDJSON file (so that only one chunk is ever in memory, and a slow disk
 * slows the query down instead of piling rows up), read back with the declared types and copied
 * out by DuckDB, which streams too. No consumer SQL reaches this instance, so the sandbox of the
 * read session (no file access) stays closed (ADR 011).
 */
export async function writeParquet(
  source: QueryResult | ParquetRows,
  options: { path: string },
): Promise<number> {
  const staging = path.join(tmpdir(), `quanta-export-${randomUUID()}.ndjson`);
  try {
    const rowCount = await writeNdjson(source, staging);
    await copyToParquet(source.columns, { staging: rowCount > 0 ? staging : undefined, path: options.path });
    return rowCount;
  } finally {
    await rm(staging, { force: true });
  }
}

/** Appends every chunk to a private NDJSON file, one object per row keyed `c0`, `c1`...; the row count. */
async function writeNdjson(source: QueryResult | ParquetRows, staging: string): Promise<number> {
  const keys = source.columns.map((_column, index) => `c${index}`);
  const file = await open(staging, 'wx', 0o600);
  let rowCount = 0;
  try {
    const chunks: AsyncIterable<readonly JsonValue[][]> | Iterable<readonly JsonValue[][]> =
      'rows' in source ? [source.rows] : source;
    for await (const chunk of chunks) {
      if (chunk.length === 0) continue;
      const lines = chunk.map((row) =>
        JSON.stringify(Object.fromEntries(keys.map((key, index) => [key, row[index] ?? null]))),
      );
      await file.write(`${lines.join('\n')}\n`);
      rowCount += chunk.length;
    }
  } finally {
    await file.close();
  }
  return rowCount;
}

/** Copies the staged rows (none when `staging` is undefined) to Parquet with their types. */
async function copyToParquet(
  columnTypes: readonly ColumnType[],
  options: { staging: string | undefined; path: string },
): Promise<void> {
  const keys = columnTypes.map((_column, index) => `c${index}`);
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    const columns = columnTypes
      .map((column, index) => `${quoteLiteral(keys[index] ?? '')}: ${quoteLiteral(column.type)}`)
      .join(', ');
    const projection = columnTypes
      .map((column, index) => `${quoteIdentifier(keys[index] ?? '')} AS ${quoteIdentifier(column.name)}`)
      .join(', ');
    const source =
      options.staging === undefined
        ? `SELECT ${columnTypes.map((column) => `CAST(NULL AS ${column.type}) AS ${quoteIdentifier(column.name)}`).join(', ')} LIMIT 0`
        : `SELECT ${projection} FROM read_json(${quoteLiteral(options.staging)}, format = 'newline_delimited', columns = {${columns}})`;
    await connection.run(`COPY (${source}) TO ${quoteLiteral(options.path)} (FORMAT parquet)`);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
