import { type JsonValue, QuantaError } from '@quanta/model';

/** PostgreSQL type OIDs Quanta speaks. */
export const PG_OID = {
  bool: 16,
  int8: 20,
  int2: 21,
  int4: 23,
  text: 25,
  json: 114,
  float4: 700,
  float8: 701,
  unknown: 705,
  varchar: 1043,
  date: 1082,
  timestamp: 1114,
  timestamptz: 1184,
  numeric: 1700,
} as const;

/** How a column is described on the wire. */
export interface PgType {
  readonly oid: number;
  /** `typlen`: bytes of a fixed-size type, -1 for variable size. */
  readonly size: number;
  /** `atttypmod`: precision and scale of a numeric, -1 otherwise. */
  readonly modifier: number;
}

const FIXED: Readonly<Record<string, PgType>> = {
  BOOLEAN: { oid: PG_OID.bool, size: 1, modifier: -1 },
  TINYINT: { oid: PG_OID.int2, size: 2, modifier: -1 },
  UTINYINT: { oid: PG_OID.int2, size: 2, modifier: -1 },
  SMALLINT: { oid: PG_OID.int2, size: 2, modifier: -1 },
  USMALLINT: { oid: PG_OID.int4, size: 4, modifier: -1 },
  INTEGER: { oid: PG_OID.int4, size: 4, modifier: -1 },
  UINTEGER: { oid: PG_OID.int8, size: 8, modifier: -1 },
  BIGINT: { oid: PG_OID.int8, size: 8, modifier: -1 },
  UBIGINT: { oid: PG_OID.numeric, size: -1, modifier: -1 },
  HUGEINT: { oid: PG_OID.numeric, size: -1, modifier: -1 },
  UHUGEINT: { oid: PG_OID.numeric, size: -1, modifier: -1 },
  FLOAT: { oid: PG_OID.float4, size: 4, modifier: -1 },
  DOUBLE: { oid: PG_OID.float8, size: 8, modifier: -1 },
  DATE: { oid: PG_OID.date, size: 4, modifier: -1 },
  TIMESTAMP: { oid: PG_OID.timestamp, size: 8, modifier: -1 },
  TIMESTAMP_S: { oid: PG_OID.timestamp, size: 8, modifier: -1 },
  TIMESTAMP_MS: { oid: PG_OID.timestamp, size: 8, modifier: -1 },
  TIMESTAMP_NS: { oid: PG_OID.timestamp, size: 8, modifier: -1 },
  'TIMESTAMP WITH TIME ZONE': { oid: PG_OID.timestamptz, size: 8, modifier: -1 },
  JSON: { oid: PG_OID.json, size: -1, modifier: -1 },
};

const TEXT: PgType = { oid: PG_OID.text, size: -1, modifier: -1 };
const JSON_TYPE: PgType = { oid: PG_OID.json, size: -1, modifier: -1 };
const DECIMAL = /^(?:DECIMAL|NUMERIC)(?:\((\d+)\s*,\s*(\d+)\))?$/;
const NESTED = /^(?:STRUCT|MAP|UNION)\s*\(|\[\d*\]$/;

/** The PostgreSQL type of a DuckDB type name: nested types as json, unknown ones as text. */
export function pgTypeOf(duckDbType: string): PgType {
  const name = duckDbType.trim().toUpperCase();
  const fixed = FIXED[name];
  if (fixed) return fixed;
  const decimal = DECIMAL.exec(name);
  if (decimal) {
    const [, precision, scale] = decimal;
    const modifier = precision && scale ? (Number(precision) << 16) + Number(scale) + 4 : -1;
    return { oid: PG_OID.numeric, size: -1, modifier };
  }
  return NESTED.test(name) ? JSON_TYPE : TEXT;
}

/** A timestamp in PostgreSQL's text form: space separator, no trailing zero fraction, `+00` for UTC. */
function timestampText(value: string, isZoned: boolean): string {
  const spaced = value
    .replace('T', ' ')
    .replace(/(\.\d*?)0+(?=$|Z|[+-]\d)/, '$1')
    .replace(/\.(?=$|Z|[+-]\d)/, '');
  if (!isZoned) return spaced.replace(/Z$/, '');
  return spaced.endsWith('Z') ? `${spaced.slice(0, -1)}+00` : spaced;
}

/** The text-format value of one cell (`t`/`f` for booleans, JSON for nested values). */
export function encodeText(value: JsonValue, type: PgType): Buffer | null {
  if (value === null) return null;
  if (typeof value === 'boolean') return Buffer.from(value ? 't' : 'f');
  if (typeof value === 'object') return Buffer.from(JSON.stringify(value));
  if (typeof value === 'string' && (type.oid === PG_OID.timestamp || type.oid === PG_OID.timestamptz))
    return Buffer.from(timestampText(value, type.oid === PG_OID.timestamptz));
  if (type.oid === PG_OID.json) return Buffer.from(JSON.stringify(value));
  return Buffer.from(String(value));
}

/** Types whose binary format Quanta writes; others must be requested as text. */
export const BINARY_RESULT_OIDS: ReadonlySet<number> = new Set<number>([
  PG_OID.bool,
  PG_OID.int2,
  PG_OID.int4,
  PG_OID.int8,
  PG_OID.float4,
  PG_OID.float8,
  PG_OID.text,
  PG_OID.json,
  PG_OID.date,
  PG_OID.timestamp,
  PG_OID.timestamptz,
]);

const POSTGRES_EPOCH_DAYS = 10_957;
const POSTGRES_EPOCH_MICROS = 946_684_800_000_000n;

function dateDays(value: string): number {
  const millis = Date.parse(`${value}T00:00:00Z`);
  if (Number.isNaN(millis)) throw new QuantaError('QUANTA_INTERNAL', `'${value}' is not a date`);
  return Math.round(millis / 86_400_000) - POSTGRES_EPOCH_DAYS;
}

function timestampMicros(value: string): bigint {
  const match = /^(\d{4,}-\d\d-\d\d)[T ](\d\d:\d\d:\d\d)(?:\.(\d{1,6})\d*)?(Z|[+-]\d\d(?::?\d\d)?)?$/.exec(
    value,
  );
  if (!match) throw new QuantaError('QUANTA_INTERNAL', `'${value}' is not a timestamp`);
  const [, day, time, fraction = '', zone = 'Z'] = match;
  const offset = zone === 'Z' ? 'Z' : zone.length === 3 ? `${zone}:00` : zone;
  const millis = Date.parse(`${day}T${time}${offset}`);
  const micros = BigInt(millis) * 1000n + BigInt(fraction.padEnd(6, '0'));
  return micros - POSTGRES_EPOCH_MICROS;
}

function fixedBinary(size: number, write: (buffer: Buffer) => void): Buffer {
  const buffer = Buffer.alloc(size);
  write(buffer);
  return buffer;
}

/** The binary-format value of one cell of a type in BINARY_RESULT_OIDS. */
export function encodeBinary(value: JsonValue, type: PgType): Buffer | null {
  if (value === null) return null;
  switch (type.oid) {
    case PG_OID.bool:
      return Buffer.from([value === true ? 1 : 0]);
    case PG_OID.int2:
      return fixedBinary(2, (buffer) => buffer.writeInt16BE(Number(value)));
    case PG_OID.int4:
      return fixedBinary(4, (buffer) => buffer.writeInt32BE(Number(value)));
    case PG_OID.int8:
      return fixedBinary(8, (buffer) => buffer.writeBigInt64BE(BigInt(String(value))));
    case PG_OID.float4:
      return fixedBinary(4, (buffer) => buffer.writeFloatBE(Number(value)));
    case PG_OID.float8:
      return fixedBinary(8, (buffer) => buffer.writeDoubleBE(Number(value)));
    case PG_OID.date:
      return fixedBinary(4, (buffer) => buffer.writeInt32BE(dateDays(String(value))));
    case PG_OID.timestamp:
    case PG_OID.timestamptz:
      return fixedBinary(8, (buffer) => buffer.writeBigInt64BE(timestampMicros(String(value))));
    default:
      return encodeText(value, type);
  }
}
