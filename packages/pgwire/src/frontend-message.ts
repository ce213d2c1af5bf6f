import { QuantaError } from '@quanta/model';

/** A message a client sends after startup, decoded. */
export type FrontendMessage =
  | { readonly kind: 'password'; readonly password: string }
  | { readonly kind: 'query'; readonly sql: string }
  | {
      readonly kind: 'parse';
      readonly statement: string;
      readonly sql: string;
      readonly parameterTypes: readonly number[];
    }
  | {
      readonly kind: 'bind';
      readonly portal: string;
      readonly statement: string;
      readonly parameterFormats: readonly number[];
      readonly parameters: readonly (Buffer | null)[];
      readonly resultFormats: readonly number[];
    }
  | { readonly kind: 'describe'; readonly target: 'statement' | 'portal'; readonly name: string }
  | { readonly kind: 'execute'; readonly portal: string; readonly maxRows: number }
  | { readonly kind: 'close'; readonly target: 'statement' | 'portal'; readonly name: string }
  | { readonly kind: 'sync' }
  | { readonly kind: 'flush' }
  | { readonly kind: 'terminate' }
  | { readonly kind: 'unsupported'; readonly type: string };

/** A request sent before startup, in place of a StartupMessage. */
export type StartupRequest =
  | { readonly kind: 'cancel'; readonly processId: number; readonly secret: number }
  | { readonly kind: 'gssenc' }
  | { readonly kind: 'other' };

const CANCEL_REQUEST_CODE = 80877102;
const GSSENC_REQUEST_CODE = 80877104;

/** Reads the pre-startup request codes pg-gateway does not handle itself (cancel, GSS encryption). */
export function parseStartupRequest(data: Uint8Array): StartupRequest {
  const buffer = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (buffer.length < 8) return { kind: 'other' };
  const code = buffer.readInt32BE(4);
  if (code === CANCEL_REQUEST_CODE && buffer.length >= 16)
    return { kind: 'cancel', processId: buffer.readInt32BE(8), secret: buffer.readInt32BE(12) };
  if (code === GSSENC_REQUEST_CODE) return { kind: 'gssenc' };
  return { kind: 'other' };
}

/** A cursor over one message body. */
interface Cursor {
  readonly buffer: Buffer;
  offset: number;
}

function need(cursor: Cursor, bytes: number): void {
  if (cursor.offset + bytes > cursor.buffer.length)
    throw new QuantaError('QUANTA_USAGE', 'malformed protocol message: it ends too early');
}

function readInt16(cursor: Cursor): number {
  need(cursor, 2);
  const value = cursor.buffer.readInt16BE(cursor.offset);
  cursor.offset += 2;
  return value;
}

function readInt32(cursor: Cursor): number {
  need(cursor, 4);
  const value = cursor.buffer.readInt32BE(cursor.offset);
  cursor.offset += 4;
  return value;
}

function readCString(cursor: Cursor): string {
  const end = cursor.buffer.indexOf(0, cursor.offset);
  if (end < 0) throw new QuantaError('QUANTA_USAGE', 'malformed protocol message: unterminated string');
  const text = cursor.buffer.toString('utf8', cursor.offset, end);
  cursor.offset = end + 1;
  return text;
}

function readByte(cursor: Cursor): string {
  need(cursor, 1);
  const value = String.fromCharCode(cursor.buffer[cursor.offset] ?? 0);
  cursor.offset += 1;
  return value;
}

function readInt16List(cursor: Cursor): number[] {
  const count = readInt16(cursor);
  return Array.from({ length: count }, () => readInt16(cursor));
}

function readTarget(cursor: Cursor): 'statement' | 'portal' {
  const target = readByte(cursor);
  if (target === 'S') return 'statement';
  if (target === 'P') return 'portal';
  throw new QuantaError('QUANTA_USAGE', `malformed protocol message: unknown target '${target}'`);
}

function readBind(cursor: Cursor): FrontendMessage {
  const portal = readCString(cursor);
  const statement = readCString(cursor);
  const parameterFormats = readInt16List(cursor);
  const count = readInt16(cursor);
  const parameters: (Buffer | null)[] = [];
  for (let index = 0; index < count; index += 1) {
    const length = readInt32(cursor);
    if (length < 0) {
      parameters.push(null);
      continue;
    }
    need(cursor, length);
    parameters.push(cursor.buffer.subarray(cursor.offset, cursor.offset + length));
    cursor.offset += length;
  }
  return {
    kind: 'bind',
    portal,
    statement,
    parameterFormats,
    parameters,
    resultFormats: readInt16List(cursor),
  };
}

function readParse(cursor: Cursor): FrontendMessage {
  const statement = readCString(cursor);
  const sql = readCString(cursor);
  const count = readInt16(cursor);
  const parameterTypes = Array.from({ length: count }, () => readInt32(cursor));
  return { kind: 'parse', statement, sql, parameterTypes };
}

/**
 * Decodes one framed message (type byte, length, body) sent after startup.
 * Throws QUANTA_USAGE on a malformed message.
 */
export function parseFrontendMessage(data: Uint8Array): FrontendMessage {
  const buffer = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const type = String.fromCharCode(buffer[0] ?? 0);
  const cursor: Cursor = { buffer, offset: 5 };
  switch (type) {
    case 'p':
      return { kind: 'password', password: readCString(cursor) };
    case 'Q':
      return { kind: 'query', sql: readCString(cursor) };
    case 'P':
      return readParse(cursor);
    case 'B':
      return readBind(cursor);
    case 'D':
      return { kind: 'describe', target: readTarget(cursor), name: readCString(cursor) };
    case 'E':
      return { kind: 'execute', portal: readCString(cursor), maxRows: readInt32(cursor) };
    case 'C':
      return { kind: 'close', target: readTarget(cursor), name: readCString(cursor) };
    case 'S':
      return { kind: 'sync' };
    case 'H':
      return { kind: 'flush' };
    case 'X':
      return { kind: 'terminate' };
    default:
      return { kind: 'unsupported', type };
  }
}
