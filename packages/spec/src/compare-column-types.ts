import type { ColumnSpec } from '@quanta/model';

/** How a column's type moved: `wider` keeps every old value valid, `narrower` may not. */
export type TypeChange = 'same' | 'wider' | 'narrower';

const ALIASES: Readonly<Record<string, string>> = {
  int: 'integer',
  int4: 'integer',
  int32: 'integer',
  signed: 'integer',
  int8: 'bigint',
  int64: 'bigint',
  long: 'bigint',
  int2: 'smallint',
  int16: 'smallint',
  short: 'smallint',
  int1: 'tinyint',
  float4: 'float',
  real: 'float',
  float8: 'double',
  'double precision': 'double',
  numeric: 'decimal',
  string: 'varchar',
  text: 'varchar',
  char: 'varchar',
  bpchar: 'varchar',
  'character varying': 'varchar',
  character: 'varchar',
  nvarchar: 'varchar',
  datetime: 'timestamp',
  bool: 'boolean',
  number: 'number',
};

/** Decimal digits before the point each integer type needs. */
const INTEGER_DIGITS: Readonly<Record<string, number>> = {
  tinyint: 3,
  smallint: 5,
  integer: 10,
  bigint: 19,
  hugeint: 39,
};

/** Types every value of the key type fits in (besides text, which takes anything). */
const WIDER: Readonly<Record<string, readonly string[]>> = {
  tinyint: ['smallint', 'integer', 'bigint', 'hugeint', 'float', 'double', 'number'],
  smallint: ['integer', 'bigint', 'hugeint', 'float', 'double', 'number'],
  integer: ['bigint', 'hugeint', 'double', 'number'],
  bigint: ['hugeint', 'number'],
  hugeint: ['number'],
  float: ['double', 'number'],
  double: ['number'],
  decimal: ['number'],
  date: ['timestamp', 'timestamptz'],
  timestamp: ['timestamptz'],
};

/** The base of a type without size: `VARCHAR(18)` is `varchar`, `int8` is `bigint`. */
export function baseType(type: string): string {
  const base = type
    .trim()
    .toLowerCase()
    .replace(/\s*\(.*\)\s*$/, '');
  return ALIASES[base] ?? base;
}

/** The type a column is compared by: its physical type, or its logical type when absent. */
export function comparedType(before: ColumnSpec, after: ColumnSpec): { before: string; after: string } {
  const usePhysical = before.physicalType !== undefined && after.physicalType !== undefined;
  if (usePhysical && baseType(before.physicalType ?? '') !== baseType(after.physicalType ?? '')) {
    return { before: before.physicalType ?? '', after: after.physicalType ?? '' };
  }
  return { before: before.logicalType, after: after.logicalType };
}

/** Compares the base types of two columns (sizes are compared separately). */
export function compareBaseTypes(before: ColumnSpec, after: ColumnSpec): TypeChange {
  const types = comparedType(before, after);
  const from = baseType(types.before);
  const to = baseType(types.after);
  if (from === to) return 'same';
  if (to === 'varchar') return 'wider';
  if (to === 'decimal' && INTEGER_DIGITS[from] !== undefined) {
    const digits = (after.precision ?? 18) - (after.scale ?? 3);
    return digits >= (INTEGER_DIGITS[from] ?? Number.POSITIVE_INFINITY) ? 'wider' : 'narrower';
  }
  return WIDER[from]?.includes(to) ? 'wider' : 'narrower';
}

/** Compares decimal precision and scale: narrower when integer digits or scale shrink. */
export function compareDecimals(before: ColumnSpec, after: ColumnSpec): TypeChange {
  const precision = { before: before.precision ?? 18, after: after.precision ?? 18 };
  const scale = { before: before.scale ?? 3, after: after.scale ?? 3 };
  if (precision.before === precision.after && scale.before === scale.after) return 'same';
  const digitsKept = precision.after - scale.after >= precision.before - scale.before;
  return digitsKept && scale.after >= scale.before ? 'wider' : 'narrower';
}

/** Compares maximum lengths: no maximum is the widest. */
export function compareLengths(before: number | undefined, after: number | undefined): TypeChange {
  if (before === after) return 'same';
  if (after === undefined) return 'wider';
  if (before === undefined) return 'narrower';
  return after > before ? 'wider' : 'narrower';
}
