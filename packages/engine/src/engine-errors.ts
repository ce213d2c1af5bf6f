import { QuantaError, type QuantaErrorCode } from '@quanta/model';

/**
 * Maps a DuckDB error from running a consumer's or a transform's SQL to a QuantaError: refused
 * operations (file access, locked settings, writes to read-only files) are QUANTA_SQL_FORBIDDEN,
 * parse, bind and conversion errors QUANTA_SQL_INVALID, anything else QUANTA_INTERNAL.
 */
export function toQueryError(error: unknown): QuantaError {
  if (error instanceof QuantaError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new QuantaError(queryErrorCode(message), message.split('\n')[0] ?? message, { cause: error });
}

function queryErrorCode(message: string): QuantaErrorCode {
  if (
    /^Permission Error|configuration has been locked|read-only mode|disabled by configuration/i.test(message)
  ) {
    return 'QUANTA_SQL_FORBIDDEN';
  }
  if (
    /^(Parser|Binder|Catalog|Conversion|Invalid Input|Not implemented|Syntax|Out of Range|Constraint) Error/i.test(
      message,
    )
  ) {
    return 'QUANTA_SQL_INVALID';
  }
  return 'QUANTA_INTERNAL';
}

/** Wraps a failure while ingesting files into QUANTA_INGEST_FAILED, keeping QuantaErrors as they are. */
export function toIngestError(error: unknown, files: readonly string[]): QuantaError {
  if (error instanceof QuantaError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new QuantaError(
    'QUANTA_INGEST_FAILED',
    `could not ingest ${files.join(', ')}: ${message.split('\n')[0]}`,
    {
      cause: error,
      fix: 'check that the files exist, are readable and have the declared format',
    },
  );
}
