/**
 * Builders of the PostgreSQL backend messages Quanta sends, each returning the framed bytes
 * (type byte, length, body). See https://www.postgresql.org/docs/current/protocol-message-formats.html
 */

/** The transaction status a ReadyForQuery reports: idle, in a block, or in a failed block. */
export type TransactionStatus = 'idle' | 'transaction' | 'failed';

/** One field of a RowDescription. */
export interface FieldDescription {
  readonly name: string;
  readonly typeOid: number;
  readonly typeSize: number;
  readonly typeModifier: number;
  /** 0 text, 1 binary. */
  readonly format: 0 | 1;
}

/** The fields of an ErrorResponse or NoticeResponse. */
export interface ErrorFields {
  readonly severity: 'ERROR' | 'FATAL' | 'WARNING' | 'NOTICE';
  readonly code: string;
  readonly message: string;
  readonly detail?: string;
  readonly hint?: string;
}

const STATUS_BYTE: Readonly<Record<TransactionStatus, string>> = { idle: 'I', transaction: 'T', failed: 'E' };

function frame(type: string, parts: readonly Buffer[] = []): Buffer {
  const length = parts.reduce((total, part) => total + part.length, 4);
  const header = Buffer.alloc(5);
  header.write(type, 0, 'latin1');
  header.writeInt32BE(length, 1);
  return Buffer.concat([header, ...parts]);
}

function cstring(text: string): Buffer {
  return Buffer.from(`${text}\0`, 'utf8');
}

function int16(value: number): Buffer {
  const buffer = Buffer.alloc(2);
  buffer.writeInt16BE(value);
  return buffer;
}

function int32(value: number): Buffer {
  const buffer = Buffer.alloc(4);
  buffer.writeInt32BE(value);
  return buffer;
}

/** AuthenticationOk. */
export function authenticationOk(): Buffer {
  return frame('R', [int32(0)]);
}

/** ParameterStatus: a run-time setting the client should know. */
export function parameterStatus(name: string, value: string): Buffer {
  return frame('S', [cstring(name), cstring(value)]);
}

/** BackendKeyData: the key a CancelRequest must quote. */
export function backendKeyData(processId: number, secret: number): Buffer {
  return frame('K', [int32(processId), int32(secret)]);
}

/** ReadyForQuery with the transaction status. */
export function readyForQuery(status: TransactionStatus): Buffer {
  return frame('Z', [Buffer.from(STATUS_BYTE[status], 'latin1')]);
}

/** RowDescription. */
export function rowDescription(fields: readonly FieldDescription[]): Buffer {
  const parts = [int16(fields.length)];
  for (const field of fields) {
    const fixed = Buffer.alloc(18);
    fixed.writeInt32BE(0, 0);
    fixed.writeInt16BE(0, 4);
    fixed.writeInt32BE(field.typeOid, 6);
    fixed.writeInt16BE(field.typeSize, 10);
    fixed.writeInt32BE(field.typeModifier, 12);
    fixed.writeInt16BE(field.format, 16);
    parts.push(cstring(field.name), fixed);
  }
  return frame('T', parts);
}

/** DataRow: each value already encoded, `null` for SQL NULL. */
export function dataRow(values: readonly (Buffer | null)[]): Buffer {
  const parts = [int16(values.length)];
  for (const value of values) {
    if (value === null) parts.push(int32(-1));
    else parts.push(int32(value.length), value);
  }
  return frame('D', parts);
}

/** CommandComplete with its tag (`SELECT 3`, `SET`, `BEGIN`). */
export function commandComplete(tag: string): Buffer {
  return frame('C', [cstring(tag)]);
}

/** EmptyQueryResponse: the query string held no statement. */
export function emptyQueryResponse(): Buffer {
  return frame('I');
}

/** ErrorResponse (or NoticeResponse when the severity is WARNING or NOTICE). */
export function errorResponse(fields: ErrorFields): Buffer {
  const isNotice = fields.severity === 'WARNING' || fields.severity === 'NOTICE';
  const parts = [
    Buffer.from('S'),
    cstring(fields.severity),
    Buffer.from('V'),
    cstring(fields.severity),
    Buffer.from('C'),
    cstring(fields.code),
    Buffer.from('M'),
    cstring(fields.message),
  ];
  if (fields.detail) parts.push(Buffer.from('D'), cstring(fields.detail));
  if (fields.hint) parts.push(Buffer.from('H'), cstring(fields.hint));
  parts.push(Buffer.from([0]));
  return frame(isNotice ? 'N' : 'E', parts);
}

/** ParseComplete. */
export function parseComplete(): Buffer {
  return frame('1');
}

/** BindComplete. */
export function bindComplete(): Buffer {
  return frame('2');
}

/** CloseComplete. */
export function closeComplete(): Buffer {
  return frame('3');
}

/** NoData: the statement or portal returns no rows. */
export function noData(): Buffer {
  return frame('n');
}

/** ParameterDescription: the type OID of each parameter. */
export function parameterDescription(typeOids: readonly number[]): Buffer {
  return frame('t', [int16(typeOids.length), ...typeOids.map((oid) => int32(oid))]);
}

/** PortalSuspended: the Execute row limit was reached before the end of the rows. */
export function portalSuspended(): Buffer {
  return frame('s');
}
