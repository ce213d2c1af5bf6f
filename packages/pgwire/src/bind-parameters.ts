import { QuantaError } from '@quanta/model';
import { PG_OID } from './pg-types.ts';
import { scanSql } from './scan-sql.ts';

/** One parameter value of a Bind message, with its declared type and format. */
export interface BoundParameter {
  readonly value: Buffer | null;
  /** The type OID declared at Parse, 0 when unspecified. */
  readonly typeOid: number;
  /** 0 text, 1 binary. */
  readonly format: number;
}

const PLACEHOLDER = /(?<![A-Za-z0-9_$\u0080-\uffff])\$(\d+)/g;
const INTEGER = /^[+-]?\d+$/;
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const FLOAT_WORDS = /^(?:[+-]?infinity|[+-]?inf|nan)$/i;
const DATE = /^\d{4,}-\d\d-\d\d$/;
const TIMESTAMP =
  /^\d{4,}-\d\d-\d\d(?:[T ]\d\d:\d\d(?::\d\d(?:\.\d+)?)?)?(?:\s*(?:Z|[+-]\d\d(?::?\d\d)?|UTC))?$/i;
const TRUE_WORDS = new Set(['t', 'true', 'y', 'yes', 'on', '1']);
const FALSE_WORDS = new Set(['f', 'false', 'n', 'no', 'off', '0']);

const CAST_TYPE: Readonly<Record<number, string>> = {
  [PG_OID.int2]: 'SMALLINT',
  [PG_OID.int4]: 'INTEGER',
  [PG_OID.int8]: 'BIGINT',
  [PG_OID.float4]: 'FLOAT',
  [PG_OID.float8]: 'DOUBLE',
  [PG_OID.bool]: 'BOOLEAN',
  [PG_OID.date]: 'DATE',
  [PG_OID.timestamp]: 'TIMESTAMP',
  [PG_OID.timestamptz]: 'TIMESTAMPTZ',
  [PG_OID.json]: 'JSON',
  [PG_OID.numeric]: 'DECIMAL',
};

/** The highest `$n` placeholder in the SQL's code (not in strings, identifiers or comments). */
export function countPlaceholders(sql: string): number {
  let highest = 0;
  for (const span of scanSql(sql)) {
    if (span.kind !== 'code') continue;
    for (const match of span.text.matchAll(PLACEHOLDER)) highest = Math.max(highest, Number(match[1]));
  }
  return highest;
}

/** A SQL string literal: single quotes doubled (standard_conforming_strings is on). */
export function quoteLiteral(text: string): string {
  if (text.includes('\0'))
    throw new QuantaError('QUANTA_USAGE', 'a parameter holds a NUL character', {
      fix: 'remove the NUL byte',
    });
  return `'${text.replaceAll("'", "''")}'`;
}

function invalidInput(typeOid: number, text: string): QuantaError {
  const type = CAST_TYPE[typeOid] ?? 'text';
  return new QuantaError('QUANTA_USAGE', `invalid input syntax for type ${type.toLowerCase()}: "${text}"`, {
    fix: `send a valid ${type.toLowerCase()} value for this parameter`,
  });
}

function cast(text: string, typeOid: number): string {
  return `CAST(${quoteLiteral(text)} AS ${CAST_TYPE[typeOid] ?? 'VARCHAR'})`;
}

/** The literal of a text-format value, validated against its declared type. */
function textLiteral(text: string, typeOid: number): string {
  const trimmed = text.trim();
  switch (typeOid) {
    case PG_OID.int2:
    case PG_OID.int4:
    case PG_OID.int8:
      if (!INTEGER.test(trimmed)) throw invalidInput(typeOid, text);
      return cast(trimmed, typeOid);
    case PG_OID.float4:
    case PG_OID.float8:
      if (!DECIMAL.test(trimmed) && !FLOAT_WORDS.test(trimmed)) throw invalidInput(typeOid, text);
      return cast(trimmed, typeOid);
    case PG_OID.numeric:
      // A bare literal keeps every digit: DuckDB types it as a DECIMAL wide enough.
      if (!DECIMAL.test(trimmed)) throw invalidInput(typeOid, text);
      return `(${trimmed})`;
    case PG_OID.bool:
      if (TRUE_WORDS.has(trimmed.toLowerCase())) return 'TRUE';
      if (FALSE_WORDS.has(trimmed.toLowerCase())) return 'FALSE';
      throw invalidInput(typeOid, text);
    case PG_OID.date:
      if (!DATE.test(trimmed)) throw invalidInput(typeOid, text);
      return cast(trimmed, typeOid);
    case PG_OID.timestamp:
    case PG_OID.timestamptz:
      if (!TIMESTAMP.test(trimmed)) throw invalidInput(typeOid, text);
      return cast(trimmed, typeOid);
    case PG_OID.json:
      return cast(text, typeOid);
    default:
      // text, varchar and unspecified types: an untyped string literal, which DuckDB casts
      // to whatever it is compared with, like PostgreSQL's `unknown`.
      return quoteLiteral(text);
  }
}

function binaryText(value: Buffer, typeOid: number): string {
  const expect = (size: number): void => {
    if (value.length !== size)
      throw new QuantaError(
        'QUANTA_USAGE',
        `a binary parameter of type oid ${typeOid} must be ${size} bytes`,
      );
  };
  switch (typeOid) {
    case PG_OID.int2:
      expect(2);
      return String(value.readInt16BE());
    case PG_OID.int4:
      expect(4);
      return String(value.readInt32BE());
    case PG_OID.int8:
      expect(8);
      return value.readBigInt64BE().toString();
    case PG_OID.float4:
      expect(4);
      return String(value.readFloatBE());
    case PG_OID.float8:
      expect(8);
      return String(value.readDoubleBE());
    case PG_OID.bool:
      expect(1);
      return value[0] === 0 ? 'false' : 'true';
    case PG_OID.text:
    case PG_OID.varchar:
    case PG_OID.json:
      return value.toString('utf8');
    default:
      throw new QuantaError(
        'QUANTA_USAGE',
        `binary format is not supported for parameters of type oid ${typeOid}`,
        {
          fix: 'send this parameter in text format',
        },
      );
  }
}

/** The SQL literal of one bound parameter: typed by its declared OID, validated, quoted. */
export function parameterLiteral(parameter: BoundParameter): string {
  if (parameter.value === null) {
    const type = CAST_TYPE[parameter.typeOid];
    return type ? `CAST(NULL AS ${type})` : 'NULL';
  }
  const text =
    parameter.format === 1
      ? binaryText(parameter.value, parameter.typeOid)
      : parameter.value.toString('utf8');
  return textLiteral(text, parameter.typeOid);
}

/**
 * Replaces each `$n` placeholder in code (never inside strings, quoted identifiers or comments)
 * by the literal of parameter n. A placeholder without a parameter is an error.
 */
export function substituteParameters(sql: string, literals: readonly string[]): string {
  return scanSql(sql)
    .map((span) =>
      span.kind !== 'code'
        ? span.text
        : span.text.replace(PLACEHOLDER, (_match, digits: string) => {
            const literal = literals[Number(digits) - 1];
            if (literal === undefined)
              throw new QuantaError('QUANTA_SQL_INVALID', `there is no parameter $${digits}`, {
                fix: `bind ${digits} parameter(s) or fix the placeholder`,
              });
            return literal;
          }),
    )
    .join('');
}
