import type { GatewayStream, QueryAction } from '@quanta/gateway';
import type { JsonValue } from '@quanta/model';
import {
  AsyncByteQueue,
  Bool,
  type DataType,
  Decimal,
  Field,
  Float64,
  Int32,
  Int64,
  makeData,
  RecordBatch,
  RecordBatchStreamWriter,
  Schema,
  Struct,
  Uint64,
  Utf8,
  vectorFromArray,
} from 'apache-arrow';

/** The media types `/api/query` answers in, by the request's Accept header. */
export type QueryMediaType = 'application/json' | 'text/csv' | 'application/vnd.apache.arrow.stream';

/** The media type to answer with: CSV or Arrow when the client asks for it, JSON otherwise. */
export function queryMediaType(accept: string | undefined): QueryMediaType {
  const wanted = (accept ?? '').toLowerCase();
  if (wanted.includes('application/vnd.apache.arrow.stream')) return 'application/vnd.apache.arrow.stream';
  if (wanted.includes('text/csv')) return 'text/csv';
  return 'application/json';
}

/**
 * What answering in a media type does with the rows (ADR 006): JSON is a `query`; CSV and Arrow
 * are bulk files, an `export`, which every port read must allow too.
 */
export function queryActionOf(mediaType: QueryMediaType): QueryAction {
  switch (mediaType) {
    case 'application/json':
      return 'query';
    case 'text/csv':
    case 'application/vnd.apache.arrow.stream':
      return 'export';
  }
}

const CONTENT_TYPES: Readonly<Record<QueryMediaType, string>> = {
  'application/json': 'application/json; charset=utf-8',
  'text/csv': 'text/csv; charset=utf-8',
  'application/vnd.apache.arrow.stream': 'application/vnd.apache.arrow.stream',
};

/**
 * The HTTP response of a gateway stream: JSON, CSV or Arrow IPC, encoded one chunk of rows at a
 * time as the client reads. The next chunk is fetched from DuckDB only when the client has taken
 * the previous one (backpressure), so a large result is never held whole in memory. A client
 * that goes away cancels the body, which closes the stream: the session is released and the
 * audit records the rows sent. An error after the first row can no longer change the status:
 * the body is cut short (a JSON body is then not valid JSON).
 */
export function queryResponse(stream: GatewayStream, mediaType: QueryMediaType): Response {
  const encoder = chunkEncoder(stream, mediaType);
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      const head = encoder.head();
      if (head.length > 0) controller.enqueue(head);
    },
    async pull(controller) {
      let chunk: JsonValue[][] | undefined;
      try {
        chunk = await stream.next();
      } catch (error) {
        controller.error(error);
        return;
      }
      if (chunk) {
        controller.enqueue(encoder.rows(chunk));
        return;
      }
      const tail = encoder.tail();
      if (tail.length > 0) controller.enqueue(tail);
      controller.close();
    },
    cancel: () => stream.close(),
  });
  return new Response(body, { headers: { 'content-type': CONTENT_TYPES[mediaType] } });
}

/** Encodes a stream's head, each chunk of rows, and its tail, in one format. */
interface ChunkEncoder {
  head(): Uint8Array;
  rows(rows: readonly JsonValue[][]): Uint8Array;
  tail(): Uint8Array;
}

function chunkEncoder(stream: GatewayStream, mediaType: QueryMediaType): ChunkEncoder {
  switch (mediaType) {
    case 'application/json':
      return jsonEncoder(stream);
    case 'text/csv':
      return csvEncoder(stream);
    case 'application/vnd.apache.arrow.stream':
      return arrowEncoder(stream);
  }
}

const textEncoder = new TextEncoder();

/**
 * `{"columns":[...],"reads":[...],"rows":[[...],...],"rowCount":n,"durationMs":ms}`, written as
 * the rows come. Values are exact: DECIMAL as its exact text in a string (`"12.50"`), integers
 * beyond 2^53 as strings, smaller ones as numbers.
 */
function jsonEncoder(stream: GatewayStream): ChunkEncoder {
  let isFirst = true;
  return {
    head: () =>
      textEncoder.encode(
        `{"columns":${JSON.stringify(stream.columns)},"reads":${JSON.stringify(stream.reads)},"rows":[`,
      ),
    rows: (rows) => {
      const text = rows.map((row) => JSON.stringify(row)).join(',\n');
      const separator = isFirst ? '\n' : ',\n';
      isFirst = false;
      return textEncoder.encode(`${separator}${text}`);
    },
    tail: () =>
      textEncoder.encode(`\n],"rowCount":${stream.rowCount},"durationMs":${stream.durationMs.toFixed(3)}}\n`),
  };
}

function csvEncoder(stream: GatewayStream): ChunkEncoder {
  return {
    head: () => textEncoder.encode(`${stream.columns.map((column) => csvCell(column.name)).join(',')}\r\n`),
    rows: (rows) => textEncoder.encode(rows.map((row) => `${row.map(csvCell).join(',')}\r\n`).join('')),
    tail: () => new Uint8Array(),
  };
}

function csvCell(value: JsonValue): string {
  if (value === null) return '';
  const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** One Arrow IPC record batch per chunk, after the schema; the end-of-stream marker at the end. */
function arrowEncoder(stream: GatewayStream): ChunkEncoder {
  const names = uniqueNames(stream.columns.map((column) => column.name));
  const types = stream.columns.map((column) => arrowType(column.type));
  const sink = new DrainedSink();
  const writer = new RecordBatchStreamWriter().reset(sink);
  // One schema for every batch: a batch whose schema differed would end the IPC stream.
  const schema = new Schema(names.map((name, index) => new Field(name, types[index] ?? new Utf8(), true)));
  const batch = (rows: readonly JsonValue[][]): RecordBatch => {
    const children = schema.fields.map(
      (field, index) =>
        vectorFromArray(
          rows.map((row) => arrowValue(row[index] ?? null, field.type)),
          field.type,
        ).data[0] ?? makeData({ type: field.type, length: 0 }),
    );
    return new RecordBatch(
      schema,
      makeData({ type: new Struct(schema.fields), length: rows.length, nullCount: 0, children }),
    );
  };
  let hasBatch = false;
  return {
    head: () => new Uint8Array(),
    rows: (rows) => {
      writer.write(batch(rows));
      hasBatch = true;
      return sink.drain();
    },
    tail: () => {
      // An empty result still carries its schema: one empty batch.
      if (!hasBatch) writer.write(batch([]));
      writer.finish();
      return sink.drain();
    },
  };
}

/** Where the Arrow writer puts its bytes: kept until drained, one chunk's worth at a time. */
class DrainedSink extends AsyncByteQueue {
  #parts: Uint8Array[] = [];

  override write(value: Uint8Array): void {
    if (value.byteLength > 0) this.#parts.push(value);
  }

  /** The bytes written since the last drain. */
  drain(): Uint8Array {
    const bytes = Buffer.concat(this.#parts);
    this.#parts = [];
    return bytes;
  }
}

const DECIMAL_TYPE = /^DECIMAL\((\d+),\s*(\d+)\)$/;

/**
 * Arrow types for the engine's column types, exact: DECIMAL(p,s) as Decimal128(p,s), BIGINT as
 * Int64, UBIGINT as Uint64, HUGEINT as Decimal128(38,0) (as DuckDB exports it); floats as
 * Float64, booleans; text for the rest.
 */
export function arrowType(type: string): DataType {
  const upper = type.toUpperCase();
  if (upper === 'BOOLEAN') return new Bool();
  if (['TINYINT', 'SMALLINT', 'INTEGER', 'UTINYINT', 'USMALLINT'].includes(upper)) return new Int32();
  if (['BIGINT', 'UINTEGER'].includes(upper)) return new Int64();
  if (upper === 'UBIGINT') return new Uint64();
  if (upper === 'HUGEINT') return new Decimal(0, 38, 128);
  const decimal = DECIMAL_TYPE.exec(upper);
  if (decimal) return new Decimal(Number(decimal[2]), Number(decimal[1]), 128);
  if (['FLOAT', 'DOUBLE', 'REAL'].includes(upper)) return new Float64();
  return new Utf8();
}

function arrowValue(value: JsonValue, type: DataType): unknown {
  if (value === null) return null;
  if (type instanceof Int64 || type instanceof Uint64) return BigInt(String(value));
  if (type instanceof Decimal) return decimal128Words(String(value), type.scale);
  if (type instanceof Int32 || type instanceof Float64) return Number(value);
  if (type instanceof Bool) return Boolean(value);
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

const WORD = 0xffff_ffffn;

/**
 * The four little-endian 32-bit words of a Decimal128: the unscaled value (`12.50` at scale 2
 * is 1250) in two's complement, from the exact text, with no double in between.
 */
export function decimal128Words(text: string, scale: number): Uint32Array {
  const match = /^(-?)(\d*)(?:\.(\d*))?$/.exec(text.trim());
  const [, sign = '', whole = '', fraction = ''] = match ?? [];
  const digits = `${whole}${fraction.padEnd(scale, '0').slice(0, scale)}`;
  let unscaled = BigInt(digits === '' ? '0' : digits);
  if (sign === '-') unscaled = -unscaled;
  const twos = BigInt.asUintN(128, unscaled);
  return Uint32Array.from([0n, 32n, 64n, 96n], (shift) => Number((twos >> shift) & WORD));
}

function uniqueNames(names: readonly string[]): string[] {
  const seen = new Map<string, number>();
  return names.map((name) => {
    const count = seen.get(name) ?? 0;
    seen.set(name, count + 1);
    return count === 0 ? name : `${name}_${count}`;
  });
}
