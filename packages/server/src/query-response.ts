import type { GatewayResult } from '@quanta/gateway';
import type { JsonValue } from '@quanta/model';
import {
  Bool,
  type DataType,
  Float64,
  Int32,
  Int64,
  RecordBatchStreamWriter,
  Table,
  Utf8,
  vectorFromArray,
} from 'apache-arrow';

/** The media types `/api/query` answers in, by the request's Accept header. */
export type QueryMediaType = 'application/json' | 'text/csv' | 'application/vnd.apache.arrow.stream';

/** Rows encoded per chunk of a CSV or Arrow response. */
export const ROWS_PER_BATCH = 2_048;

/** The media type to answer with: CSV or Arrow when the client asks for it, JSON otherwise. */
export function queryMediaType(accept: string | undefined): QueryMediaType {
  const wanted = (accept ?? '').toLowerCase();
  if (wanted.includes('application/vnd.apache.arrow.stream')) return 'application/vnd.apache.arrow.stream';
  if (wanted.includes('text/csv')) return 'text/csv';
  return 'application/json';
}

/**
 * The rows of a result as a CSV or Arrow IPC stream, encoded one batch at a time as the client
 * reads, so that a large result is never turned into one giant string or buffer.
 */
export function queryResultStream(
  result: GatewayResult,
  mediaType: Exclude<QueryMediaType, 'application/json'>,
): ReadableStream<Uint8Array> {
  return mediaType === 'text/csv' ? csvStream(result) : arrowStream(result);
}

function csvStream(result: GatewayResult): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let offset = 0;
  return new ReadableStream({
    start(controller) {
      controller.enqueue(
        encoder.encode(`${result.columns.map((column) => csvCell(column.name)).join(',')}\r\n`),
      );
    },
    pull(controller) {
      const batch = result.rows.slice(offset, offset + ROWS_PER_BATCH);
      offset += batch.length;
      if (batch.length === 0) {
        controller.close();
        return;
      }
      controller.enqueue(encoder.encode(batch.map((row) => `${row.map(csvCell).join(',')}\r\n`).join('')));
    },
  });
}

function csvCell(value: JsonValue): string {
  if (value === null) return '';
  const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

function arrowStream(result: GatewayResult): ReadableStream<Uint8Array> {
  const names = uniqueNames(result.columns.map((column) => column.name));
  const types = result.columns.map((column) => arrowType(column.type));
  const writer = new RecordBatchStreamWriter();
  const stream = writer.toDOMStream() as ReadableStream<Uint8Array>;
  const writeBatches = async (): Promise<void> => {
    let offset = 0;
    do {
      const batch = result.rows.slice(offset, offset + ROWS_PER_BATCH);
      offset += ROWS_PER_BATCH;
      const vectors = Object.fromEntries(
        names.map((name, index) => {
          const type = types[index] ?? new Utf8();
          return [
            name,
            vectorFromArray(
              batch.map((row) => arrowValue(row[index] ?? null, type)),
              type,
            ),
          ];
        }),
      );
      writer.write(new Table(vectors));
      // Let the response send this batch before encoding the next one.
      await new Promise((resolve) => setImmediate(resolve));
    } while (offset < result.rows.length);
  };
  writeBatches().finally(() => writer.finish());
  return stream;
}

/** Arrow types for the engine's column types: integers, floats, booleans; text for the rest. */
function arrowType(type: string): DataType {
  const upper = type.toUpperCase();
  if (upper === 'BOOLEAN') return new Bool();
  if (['TINYINT', 'SMALLINT', 'INTEGER', 'UTINYINT', 'USMALLINT'].includes(upper)) return new Int32();
  if (['BIGINT', 'UINTEGER', 'HUGEINT'].includes(upper)) return new Int64();
  if (['FLOAT', 'DOUBLE', 'REAL'].includes(upper) || upper.startsWith('DECIMAL')) return new Float64();
  return new Utf8();
}

function arrowValue(value: JsonValue, type: DataType): unknown {
  if (value === null) return null;
  if (type instanceof Int64)
    return BigInt(typeof value === 'object' ? 0 : String(value).replace(/\..*$/, ''));
  if (type instanceof Int32 || type instanceof Float64) return Number(value);
  if (type instanceof Bool) return Boolean(value);
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

function uniqueNames(names: readonly string[]): string[] {
  const seen = new Map<string, number>();
  return names.map((name) => {
    const count = seen.get(name) ?? 0;
    seen.set(name, count + 1);
    return count === 0 ? name : `${name}_${count}`;
  });
}
