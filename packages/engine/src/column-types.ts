import type { ColumnSpec } from '@quanta/model';

/** Broad families of DuckDB types, for deciding whether a staged column fits its contract. */
export type TypeFamily =
  | 'integer'
  | 'number'
  | 'string'
  | 'boolean'
  | 'date'
  | 'timestamp'
  | 'time'
  | 'other';

const LOGICAL_TYPES: Readonly<Record<string, string>> = {
  string: 'VARCHAR',
  text: 'VARCHAR',
  integer: 'BIGINT',
  long: 'BIGINT',
  number: 'DOUBLE',
  double: 'DOUBLE',
  decimal: 'DOUBLE',
  date: 'DATE',
  timestamp: 'TIMESTAMP',
  datetime: 'TIMESTAMP',
  time: 'TIME',
  boolean: 'BOOLEAN',
  object: 'JSON',
  array: 'JSON',
};

/** A type name DuckDB could parse: a word or two, an optional `(p[,s])`. Keeps contract text out of SQL. */
const TYPE_NAME_PATTERN =
  /^[A-Za-z][A-Za-z0-9_]*(?: [A-Za-z][A-Za-z0-9_]*)*(?:\s*\(\s*\d+\s*(?:,\s*\d+\s*)?\))?(?:\[\])?$/;

/**
 * The DuckDB type a contract column asks for, before DuckDB normalizes it: `physicalType` when it
 * looks like a type name, otherwise a mapping of `logicalType` (`number` with a precision is a
 * DECIMAL). Unknown logical types are read as VARCHAR.
 */
export function declaredType(column: ColumnSpec): string {
  const physical = column.physicalType?.trim();
  if (physical && isTypeName(physical)) return physical;
  return logicalTypeOf(column);
}

/** The DuckDB type for a column's logical type alone. */
export function logicalTypeOf(column: ColumnSpec): string {
  const logical = column.logicalType.trim().toLowerCase();
  if (logical === 'number' && column.precision !== undefined) {
    return `DECIMAL(${column.precision}, ${column.scale ?? 0})`;
  }
  return LOGICAL_TYPES[logical] ?? 'VARCHAR';
}

/** True when `text` is shaped like a DuckDB type name, so that it can be placed in SQL. */
export function isTypeName(text: string): boolean {
  return TYPE_NAME_PATTERN.test(text);
}

/** The family of a DuckDB type name as DuckDB prints it (`DECIMAL(12,2)`, `TIMESTAMP WITH TIME ZONE`). */
export function typeFamily(typeName: string): TypeFamily {
  const name = typeName.trim().toUpperCase();
  if (/^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT)$/.test(name)) {
    return 'integer';
  }
  if (/^(FLOAT|DOUBLE|DECIMAL|REAL)/.test(name)) return 'number';
  if (name === 'VARCHAR' || name === 'JSON') return 'string';
  if (name === 'BOOLEAN') return 'boolean';
  if (name === 'DATE') return 'date';
  if (name.startsWith('TIMESTAMP')) return 'timestamp';
  if (name.startsWith('TIME')) return 'time';
  return 'other';
}

/**
 * Whether a staged column of type `actual` satisfies a contract asking for `expected`: same family,
 * or integers where numbers are expected. Widths and precisions are not compared.
 */
export function isCompatibleType(actual: string, expected: string): boolean {
  const actualFamily = typeFamily(actual);
  const expectedFamily = typeFamily(expected);
  if (expectedFamily === 'other') return actual.trim().toUpperCase() === expected.trim().toUpperCase();
  if (expectedFamily === 'number') return actualFamily === 'number' || actualFamily === 'integer';
  return actualFamily === expectedFamily;
}
