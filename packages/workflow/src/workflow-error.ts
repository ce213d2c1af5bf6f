import { isJsonObject, type JsonValue, QuantaError } from '@quanta/model';

/** The error tags Cloud Workflows raises; user code may raise any other value. */
export type WorkflowErrorTag =
  | 'TypeError'
  | 'KeyError'
  | 'IndexError'
  | 'ValueError'
  | 'ZeroDivisionError'
  | 'RecursionError'
  | 'ResourceLimitError'
  | 'HttpError'
  | 'ConnectionError'
  | 'ConnectionFailedError'
  | 'TimeoutError'
  | 'SystemError'
  | 'UnhandledBranchError'
  | 'QuantaError';

/**
 * A raised workflow error. `value` is what `except: as: e` sees: an error map
 * `{message, code?, tags}` as in Cloud Workflows, or whatever a `raise` step raised.
 * `cause` keeps the QuantaError of a failing block so the run reports its stable code.
 */
export class WorkflowError extends Error {
  readonly value: JsonValue;
  override readonly cause?: QuantaError;
  /** Column (1-based) inside the `${...}` expression that raised it, when known. */
  readonly column?: number;
  /** True once the `file:line:col` of the step was added to the message. */
  readonly isLocated: boolean;
  /** Fatal errors (the step limit) end the run: no `except` or `retry` catches them. */
  readonly isFatal: boolean;

  constructor(value: JsonValue, details: WorkflowErrorDetails = {}) {
    super(messageOf(value));
    this.name = 'WorkflowError';
    this.value = value;
    if (details.cause) this.cause = details.cause;
    if (details.column !== undefined) this.column = details.column;
    this.isLocated = details.isLocated ?? false;
    this.isFatal = details.isFatal ?? false;
  }
}

/** Options of a WorkflowError besides its value. */
export interface WorkflowErrorDetails {
  readonly cause?: QuantaError;
  readonly column?: number;
  readonly isLocated?: boolean;
  readonly isFatal?: boolean;
}

/** Creates an error map with one tag, as the Cloud Workflows runtime raises them. */
export function workflowError(tag: WorkflowErrorTag, message: string, column?: number): WorkflowError {
  return new WorkflowError({ message, tags: [tag] }, column === undefined ? {} : { column });
}

/** The message of a raised value: the map's `message`, or the value itself as text. */
export function messageOf(value: JsonValue): string {
  if (typeof value === 'string') return value;
  if (isJsonObject(value) && typeof value.message === 'string') return value.message;
  return JSON.stringify(value);
}

/** Turns anything thrown while a step ran into a WorkflowError (a block's QuantaError included). */
export function toWorkflowError(error: unknown): WorkflowError {
  if (error instanceof WorkflowError) return error;
  if (error instanceof QuantaError) {
    return new WorkflowError(
      { message: error.message, code: error.code, tags: ['QuantaError', error.code] },
      { cause: error },
    );
  }
  const message = error instanceof Error ? error.message : String(error);
  return new WorkflowError({ message, tags: ['SystemError'] });
}

/** The tags of a raised value (empty for raised strings or maps without tags). */
export function tagsOf(value: JsonValue): readonly string[] {
  if (!isJsonObject(value) || !Array.isArray(value.tags)) return [];
  return value.tags.filter((tag): tag is string => typeof tag === 'string');
}
