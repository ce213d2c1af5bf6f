import { QuantaError } from '@quanta/model';
import type { SqlParam, SqlRow, SqlValue } from './sql-database.ts';

/** Reads a text column that must hold a value. */
export function readText(row: SqlRow, column: string): string {
  const value = readValue(row, column);
  if (typeof value !== 'string') throw unexpectedValue(column, value);
  return value;
}

/** Reads a nullable text column; SQL NULL becomes undefined. */
export function readOptionalText(row: SqlRow, column: string): string | undefined {
  const value = readValue(row, column);
  if (value === null) return undefined;
  if (typeof value !== 'string') throw unexpectedValue(column, value);
  return value;
}

/** Reads an integer column that must hold a value. */
export function readNumber(row: SqlRow, column: string): number {
  const value = readValue(row, column);
  if (typeof value !== 'number') throw unexpectedValue(column, value);
  return value;
}

/**
 * Reads a JSON document column. The store wrote every document itself from a typed record,
 * so the parsed value is trusted to have the type the caller names.
 */
export function readJson<T>(row: SqlRow, column: string): T {
  return JSON.parse(readText(row, column)) as T;
}

/** Reads a nullable JSON document column; SQL NULL becomes undefined. */
export function readOptionalJson<T>(row: SqlRow, column: string): T | undefined {
  const text = readOptionalText(row, column);
  return text === undefined ? undefined : (JSON.parse(text) as T);
}

/** Binds a JSON document as its text. */
export function jsonParam(value: unknown): string {
  return JSON.stringify(value);
}

/** Binds an optional JSON document: undefined becomes SQL NULL (JSON null stays `null`). */
export function optionalJsonParam(value: unknown): SqlParam {
  return value === undefined ? null : JSON.stringify(value);
}

function readValue(row: SqlRow, column: string): SqlValue {
  const value = row[column];
  if (value === undefined) {
    throw new QuantaError('QUANTA_INTERNAL', `the metadata store returned no column '${column}'`);
  }
  return value;
}

function unexpectedValue(column: string, value: SqlValue): QuantaError {
  return new QuantaError(
    'QUANTA_INTERNAL',
    `the metadata store returned ${value === null ? 'NULL' : typeof value} for column '${column}'`,
  );
}
