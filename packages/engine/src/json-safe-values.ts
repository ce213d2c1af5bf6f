import {
  DuckDBBlobValue,
  DuckDBDecimalValue,
  DuckDBTimestampTZValue,
  type DuckDBType,
  DuckDBTypeId,
  type DuckDBValue,
  type DuckDBValueConverter,
  JsonDuckDBValueConverter,
} from '@duckdb/node-api';
import type { JsonValue } from '@quanta/model';

/**
 * Converts a DuckDB value to a JSON-safe value without losing a digit: big integers as numbers
 * when exactly representable (their exact decimal text otherwise), DECIMAL as its exact text
 * with its scale (`12345678901234567.89`, `12.50`: a double would round both), DATE as `YYYY-MM-DD`, TIMESTAMP as ISO
 * text (`2025-01-02T03:04:05`, with `Z` when time-zoned), BLOB as base64, LIST and STRUCT as JSON
 * arrays and objects. Everything else follows DuckDB's own JSON conversion.
 */
export const jsonSafeValue: DuckDBValueConverter<JsonValue> = (value, type, converter) => {
  if (value === null) return null;
  switch (type.typeId) {
    case DuckDBTypeId.BIGINT:
    case DuckDBTypeId.UBIGINT:
    case DuckDBTypeId.HUGEINT:
    case DuckDBTypeId.UHUGEINT:
    case DuckDBTypeId.BIGNUM:
      return safeInteger(value);
    case DuckDBTypeId.DECIMAL:
      return value instanceof DuckDBDecimalValue ? value.toString() : String(value);
    case DuckDBTypeId.DATE:
      return String(value);
    case DuckDBTypeId.TIMESTAMP:
    case DuckDBTypeId.TIMESTAMP_S:
    case DuckDBTypeId.TIMESTAMP_MS:
    case DuckDBTypeId.TIMESTAMP_NS:
      return String(value).replace(' ', 'T');
    case DuckDBTypeId.TIMESTAMP_TZ:
      return timestampWithZone(value);
    case DuckDBTypeId.BLOB:
      return value instanceof DuckDBBlobValue ? Buffer.from(value.bytes).toString('base64') : String(value);
    default:
      return JsonDuckDBValueConverter(value, type, converter) as JsonValue;
  }
};

/** Converts one value of a given DuckDB type (exposed for tests and callers holding raw values). */
export function toJsonSafe(value: DuckDBValue, type: DuckDBType): JsonValue {
  return jsonSafeValue(value, type, jsonSafeValue);
}

function safeInteger(value: DuckDBValue): JsonValue {
  const integer = typeof value === 'bigint' ? value : BigInt(String(value));
  const asNumber = Number(integer);
  return Number.isSafeInteger(asNumber) ? asNumber : integer.toString();
}

function timestampWithZone(value: DuckDBValue): string {
  if (!(value instanceof DuckDBTimestampTZValue)) return String(value);
  const millis = Number(value.micros / 1000n);
  const date = new Date(millis);
  if (Number.isNaN(date.getTime())) return String(value);
  const micros = Number(((value.micros % 1_000_000n) + 1_000_000n) % 1_000_000n);
  const iso = date.toISOString();
  return micros % 1000 === 0 ? iso : `${iso.slice(0, 19)}.${String(micros).padStart(6, '0')}Z`;
}
