/**
 * The closed set of Quanta error codes. Each code maps, in exactly one place (ERROR_TABLE),
 * to an HTTP status, a CLI exit code and a short human title.
 */
export type QuantaErrorCode =
  | 'QUANTA_SPEC_INVALID'
  | 'QUANTA_SPEC_NOT_FOUND'
  | 'QUANTA_YAML_MALFORMED'
  | 'QUANTA_SCHEMA_VIOLATION'
  | 'QUANTA_REFERENCE_UNRESOLVED'
  | 'QUANTA_DEPENDENCY_CYCLE'
  | 'QUANTA_DUPLICATE_ADDRESS'
  | 'QUANTA_PATH_ESCAPE'
  | 'QUANTA_METADATA_INCOMPLETE'
  | 'QUANTA_HERITAGE_WEAKENED'
  | 'QUANTA_VERSION_BUMP_TOO_SMALL'
  | 'QUANTA_ADDRESS_INVALID'
  | 'QUANTA_NOT_FOUND'
  | 'QUANTA_CONFLICT'
  | 'QUANTA_SQL_INVALID'
  | 'QUANTA_SQL_FORBIDDEN'
  | 'QUANTA_POLICY_DENIED'
  | 'QUANTA_UNAUTHENTICATED'
  | 'QUANTA_CSRF_REFUSED'
  | 'QUANTA_INGEST_FAILED'
  | 'QUANTA_PUBLISH_BLOCKED'
  | 'QUANTA_WORKFLOW_FAILED'
  | 'QUANTA_STORE_UNAVAILABLE'
  | 'QUANTA_STEP_TIMEOUT'
  | 'QUANTA_INTERRUPTED'
  | 'QUANTA_CLASSIFICATION_MISMATCH'
  | 'QUANTA_USAGE'
  | 'QUANTA_QUERY_CANCELED'
  | 'QUANTA_INTERNAL';

/** How a code surfaces at each front door. */
export interface ErrorPresentation {
  readonly httpStatus: number;
  readonly exitCode: number;
  readonly title: string;
}

/** The one table mapping error codes to HTTP statuses, CLI exit codes and titles. */
export const ERROR_TABLE: Readonly<Record<QuantaErrorCode, ErrorPresentation>> = {
  QUANTA_SPEC_INVALID: { httpStatus: 422, exitCode: 2, title: 'The mesh files are invalid' },
  QUANTA_SPEC_NOT_FOUND: { httpStatus: 404, exitCode: 2, title: 'No mesh found here' },
  QUANTA_YAML_MALFORMED: { httpStatus: 422, exitCode: 2, title: 'Malformed YAML' },
  QUANTA_SCHEMA_VIOLATION: { httpStatus: 422, exitCode: 2, title: 'The file violates its schema' },
  QUANTA_REFERENCE_UNRESOLVED: { httpStatus: 422, exitCode: 2, title: 'A reference does not resolve' },
  QUANTA_DEPENDENCY_CYCLE: {
    httpStatus: 422,
    exitCode: 2,
    title: 'Products depend on each other in a cycle',
  },
  QUANTA_DUPLICATE_ADDRESS: { httpStatus: 422, exitCode: 2, title: 'Two assets share one address' },
  QUANTA_PATH_ESCAPE: { httpStatus: 422, exitCode: 2, title: 'A path escapes the mesh root' },
  QUANTA_METADATA_INCOMPLETE: { httpStatus: 422, exitCode: 2, title: 'Required metadata is missing' },
  QUANTA_HERITAGE_WEAKENED: { httpStatus: 422, exitCode: 2, title: 'A domain weakens a global rule' },
  QUANTA_VERSION_BUMP_TOO_SMALL: {
    httpStatus: 422,
    exitCode: 3,
    title: 'The declared version bump is too small',
  },
  QUANTA_ADDRESS_INVALID: { httpStatus: 400, exitCode: 2, title: 'Invalid address' },
  QUANTA_NOT_FOUND: { httpStatus: 404, exitCode: 4, title: 'Not found' },
  QUANTA_CONFLICT: { httpStatus: 409, exitCode: 5, title: 'Conflicting change' },
  QUANTA_SQL_INVALID: { httpStatus: 400, exitCode: 2, title: 'Invalid SQL' },
  QUANTA_SQL_FORBIDDEN: { httpStatus: 403, exitCode: 6, title: 'Statement not allowed' },
  QUANTA_POLICY_DENIED: { httpStatus: 403, exitCode: 6, title: 'Access denied by policy' },
  QUANTA_UNAUTHENTICATED: {
    httpStatus: 401,
    exitCode: 13,
    title: 'Not authenticated: missing, unknown, expired or revoked token',
  },
  QUANTA_CSRF_REFUSED: {
    httpStatus: 403,
    exitCode: 6,
    title: 'Cross-site request refused: a cookie-authenticated change needs a same-origin Origin header',
  },
  QUANTA_INGEST_FAILED: { httpStatus: 422, exitCode: 7, title: 'Ingest failed' },
  QUANTA_PUBLISH_BLOCKED: { httpStatus: 409, exitCode: 8, title: 'Publication blocked' },
  QUANTA_WORKFLOW_FAILED: { httpStatus: 500, exitCode: 9, title: 'Workflow failed' },
  QUANTA_STORE_UNAVAILABLE: { httpStatus: 503, exitCode: 10, title: 'Metadata store unavailable' },
  QUANTA_STEP_TIMEOUT: { httpStatus: 504, exitCode: 14, title: 'A workflow step timed out' },
  QUANTA_INTERRUPTED: {
    httpStatus: 503,
    exitCode: 15,
    title: 'The work was interrupted (step timeout or cancelled run)',
  },
  QUANTA_CLASSIFICATION_MISMATCH: {
    httpStatus: 422,
    exitCode: 16,
    title: "A column's data does not match its declared classification",
  },
  QUANTA_USAGE: { httpStatus: 400, exitCode: 64, title: 'Wrong usage' },
  QUANTA_QUERY_CANCELED: { httpStatus: 499, exitCode: 130, title: 'Query stopped before its last row' },
  QUANTA_INTERNAL: { httpStatus: 500, exitCode: 70, title: 'Internal error' },
};

/** A position in a source file, 1-based line and column. */
export interface SourceLocation {
  readonly file: string;
  readonly line: number;
  readonly col: number;
}

/** Formats a location as `file:line:col`. */
export function formatLocation(location: SourceLocation): string {
  return `${location.file}:${location.line}:${location.col}`;
}

/** What a validator found: a value, never thrown. `fix` tells the user what to do. */
export interface Finding {
  readonly code: QuantaErrorCode;
  readonly severity: 'error' | 'warning';
  readonly message: string;
  readonly fix?: string;
  readonly location?: SourceLocation;
  readonly address?: string;
}

/** Renders a finding as one line: `file:line:col error CODE message (fix: ...)`. */
export function formatFinding(finding: Finding): string {
  const where = finding.location ? `${formatLocation(finding.location)} ` : '';
  const fix = finding.fix ? ` Fix: ${finding.fix}` : '';
  return `${where}${finding.severity} ${finding.code} ${finding.message}.${fix}`;
}

/** Options carried by a QuantaError beyond its code and message. */
export interface QuantaErrorDetails {
  readonly location?: SourceLocation;
  readonly address?: string;
  readonly fix?: string;
  readonly findings?: readonly Finding[];
  readonly cause?: unknown;
}

/** The one error class Quanta throws for anything a user can act on. */
export class QuantaError extends Error {
  readonly code: QuantaErrorCode;
  readonly details: QuantaErrorDetails;

  constructor(code: QuantaErrorCode, message: string, details: QuantaErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'QuantaError';
    this.code = code;
    this.details = details;
  }

  /** The presentation (HTTP status, exit code, title) of this error's code. */
  get presentation(): ErrorPresentation {
    return ERROR_TABLE[this.code];
  }

  /** A JSON-safe view, serialized the same way at every front door. */
  toJSON(): SerializedError {
    return serializeError(this);
  }
}

/** The wire form of any error. */
export interface SerializedError {
  readonly code: QuantaErrorCode;
  readonly title: string;
  readonly message: string;
  readonly location?: string;
  readonly address?: string;
  readonly fix?: string;
  readonly findings?: readonly Finding[];
}

/** Serializes any thrown value; unknown errors become QUANTA_INTERNAL. */
export function serializeError(error: unknown): SerializedError {
  const quantaError = toQuantaError(error);
  const { location, address, fix, findings } = quantaError.details;
  return {
    code: quantaError.code,
    title: quantaError.presentation.title,
    message: quantaError.message,
    ...(location ? { location: formatLocation(location) } : {}),
    ...(address ? { address } : {}),
    ...(fix ? { fix } : {}),
    ...(findings && findings.length > 0 ? { findings } : {}),
  };
}

/** Wraps anything thrown into a QuantaError, keeping QuantaErrors as they are. */
export function toQuantaError(error: unknown): QuantaError {
  if (error instanceof QuantaError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new QuantaError('QUANTA_INTERNAL', message, { cause: error });
}

/** Raised when validation produced errors: carries every finding. */
export function invalidSpecError(findings: readonly Finding[]): QuantaError {
  const errors = findings.filter((finding) => finding.severity === 'error');
  const first = errors[0];
  const code = errors.length === 1 && first ? first.code : 'QUANTA_SPEC_INVALID';
  return new QuantaError(code, `${errors.length} error(s) in the mesh files`, {
    findings,
    ...(first?.location ? { location: first.location } : {}),
  });
}
