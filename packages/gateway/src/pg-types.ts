/** How a served column's type appears in `pg_type`, `pg_attribute` and `information_schema.columns`. */
export interface PgTypeRow {
  /** The type's OID, the same the PostgreSQL front door announces for the column. */
  readonly oid: number;
  readonly name: string;
  /** What `format_type` and `information_schema.columns.data_type` print. */
  readonly display: string;
  /** `typlen`: bytes of a fixed-size type, -1 for variable size. */
  readonly size: number;
  /** `typcategory`. */
  readonly category: string;
}

/**
 * The types the catalog emits. The OIDs are PostgreSQL's and match the front door's mapping of
 * DuckDB types (packages/pgwire `pgTypeOf`), so that a column's `atttypid` is the type OID of
 * the RowDescription a query over it returns.
 */
export const PG_TYPES: readonly PgTypeRow[] = [
  { oid: 16, name: 'bool', display: 'boolean', size: 1, category: 'B' },
  { oid: 18, name: 'char', display: '"char"', size: 1, category: 'Z' },
  { oid: 19, name: 'name', display: 'name', size: 64, category: 'S' },
  { oid: 20, name: 'int8', display: 'bigint', size: 8, category: 'N' },
  { oid: 21, name: 'int2', display: 'smallint', size: 2, category: 'N' },
  { oid: 23, name: 'int4', display: 'integer', size: 4, category: 'N' },
  { oid: 25, name: 'text', display: 'text', size: -1, category: 'S' },
  { oid: 26, name: 'oid', display: 'oid', size: 4, category: 'N' },
  { oid: 114, name: 'json', display: 'json', size: -1, category: 'U' },
  { oid: 700, name: 'float4', display: 'real', size: 4, category: 'N' },
  { oid: 701, name: 'float8', display: 'double precision', size: 8, category: 'N' },
  { oid: 1043, name: 'varchar', display: 'character varying', size: -1, category: 'S' },
  { oid: 1082, name: 'date', display: 'date', size: 4, category: 'D' },
  { oid: 1114, name: 'timestamp', display: 'timestamp without time zone', size: 8, category: 'D' },
  { oid: 1184, name: 'timestamptz', display: 'timestamp with time zone', size: 8, category: 'D' },
  { oid: 1700, name: 'numeric', display: 'numeric', size: -1, category: 'N' },
];

const BY_DUCKDB_NAME: Readonly<Record<string, number>> = {
  BOOLEAN: 16,
  TINYINT: 21,
  UTINYINT: 21,
  SMALLINT: 21,
  USMALLINT: 23,
  INTEGER: 23,
  UINTEGER: 20,
  BIGINT: 20,
  UBIGINT: 1700,
  HUGEINT: 1700,
  UHUGEINT: 1700,
  FLOAT: 700,
  DOUBLE: 701,
  DATE: 1082,
  TIMESTAMP: 1114,
  TIMESTAMP_S: 1114,
  TIMESTAMP_MS: 1114,
  TIMESTAMP_NS: 1114,
  'TIMESTAMP WITH TIME ZONE': 1184,
  JSON: 114,
};

const DECIMAL = /^(?:DECIMAL|NUMERIC)(?:\((\d+)\s*,\s*(\d+)\))?$/;
const NESTED = /^(?:STRUCT|MAP|UNION)\s*\(|\[\d*\]$/;

/** A served column's PostgreSQL type and `atttypmod` (precision and scale of a numeric, -1 otherwise). */
export function pgColumnType(duckDbType: string): { type: PgTypeRow; modifier: number } {
  const name = duckDbType.trim().toUpperCase();
  const decimal = DECIMAL.exec(name);
  const oid = decimal ? 1700 : (BY_DUCKDB_NAME[name] ?? (NESTED.test(name) ? 114 : 25));
  const type = PG_TYPES.find((row) => row.oid === oid) ?? textType();
  const [, precision, scale] = decimal ?? [];
  const modifier = precision && scale ? (Number(precision) << 16) + Number(scale) + 4 : -1;
  return { type, modifier };
}

function textType(): PgTypeRow {
  return { oid: 25, name: 'text', display: 'text', size: -1, category: 'S' };
}
