import { type QuantaErrorCode, toQuantaError } from '@quanta/model';
import type { ErrorFields } from './backend-messages.ts';

/**
 * The one table mapping Quanta error codes to PostgreSQL SQLSTATEs; any code not listed
 * surfaces as XX000 (internal error).
 */
export const SQLSTATE_BY_CODE: Readonly<Partial<Record<QuantaErrorCode, string>>> = {
  QUANTA_SQL_INVALID: '42601',
  QUANTA_SQL_FORBIDDEN: '42501',
  QUANTA_POLICY_DENIED: '42501',
  QUANTA_NOT_FOUND: '42P01',
  QUANTA_ADDRESS_INVALID: '42P01',
  QUANTA_USAGE: '22023',
  QUANTA_STORE_UNAVAILABLE: '57P03',
  QUANTA_QUERY_CANCELED: '57014',
};

/** SQLSTATEs the wire protocol raises itself, outside the Quanta error table. */
export const PROTOCOL_SQLSTATE = {
  queryCanceled: '57014',
  invalidPassword: '28P01',
  invalidAuthorization: '28000',
  protocolViolation: '08P01',
  inFailedTransaction: '25P02',
  activeTransaction: '25001',
  undefinedObject: '42704',
  invalidStatementName: '26000',
  invalidCursorName: '34000',
  featureNotSupported: '0A000',
} as const;

/** The SQLSTATE of a Quanta error code. */
export function sqlStateOf(code: QuantaErrorCode): string {
  return SQLSTATE_BY_CODE[code] ?? 'XX000';
}

/** The ErrorResponse fields of anything thrown: the Quanta message, its fix as hint. */
export function errorFieldsOf(error: unknown): ErrorFields {
  const quantaError = toQuantaError(error);
  const fix = quantaError.details.fix;
  return {
    severity: 'ERROR',
    code: sqlStateOf(quantaError.code),
    message: quantaError.message,
    detail: `${quantaError.code}: ${quantaError.presentation.title}`,
    ...(fix ? { hint: fix } : {}),
  };
}
