import { isJsonObject, type JsonValue } from '@quanta/model';
import { typeName } from '../evaluate-expression.ts';
import { workflowError } from '../workflow-error.ts';

/** The wall clock and a sleeper, passed in so that tests run timed code on a fake clock. */
export interface WorkflowClock {
  now(): Date;
  /** Resolves after `milliseconds`, or at once when `signal` aborts (a timer no longer needed). */
  sleep(milliseconds: number, signal?: AbortSignal): Promise<void>;
}

/** The real clock: `Date` and `setTimeout`. */
export const systemWorkflowClock: WorkflowClock = {
  now: () => new Date(),
  sleep: (milliseconds, signal) =>
    new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const timer = setTimeout(resolve, milliseconds);
      signal?.addEventListener('abort', () => {
        clearTimeout(timer);
        resolve();
      });
    }),
};

/** One `sys.log` entry. */
export interface LogEntry {
  readonly severity: string;
  readonly data: JsonValue;
}

/** What standard library functions may touch: nothing global, everything passed in. */
export interface RuntimeServices {
  readonly clock: WorkflowClock;
  /** What `sys.get_env` reads (never `process.env` directly). */
  readonly env: Readonly<Record<string, string>>;
  readonly log: (entry: LogEntry) => void;
}

/** A standard library function, callable from an expression (positional) and a `call` step (named). */
export interface StdlibFunction {
  readonly name: string;
  /** Parameter names in order; the first `required` of them must be given. */
  readonly params: readonly string[];
  readonly required: number;
  /** Blocking calls (HTTP, sleep, log) may only be `call` steps, as in Cloud Workflows. */
  readonly isBlocking?: boolean;
  call(args: readonly (JsonValue | undefined)[], services: RuntimeServices): JsonValue | Promise<JsonValue>;
}

/** Shorthand to declare a function. */
export function defineFunction(
  name: string,
  signature: { params: readonly string[]; required?: number; isBlocking?: boolean },
  call: StdlibFunction['call'],
): StdlibFunction {
  return {
    name,
    params: signature.params,
    required: signature.required ?? signature.params.length,
    ...(signature.isBlocking ? { isBlocking: true } : {}),
    call,
  };
}

/**
 * Bytes have no JSON form, so Quanta carries them as `{"$bytes": "<base64>"}`: `type()` says
 * `bytes`, `text.decode`/`base64.encode`/`json.decode` read them, and they survive journaling.
 */
export function bytesValue(bytes: Uint8Array): JsonValue {
  return { $bytes: Buffer.from(bytes).toString('base64') };
}

/** True for the bytes carrier. */
export function isBytes(value: JsonValue | undefined): value is { $bytes: string } {
  return isJsonObject(value) && Object.keys(value).length === 1 && typeof value.$bytes === 'string';
}

/** Reads a bytes argument. */
export function bytesArgument(value: JsonValue | undefined, where: string): Buffer {
  if (!isBytes(value)) throw workflowError('TypeError', `${where} needs bytes, got ${describeType(value)}`);
  return Buffer.from(value.$bytes, 'base64');
}

/** Reads a string argument. */
export function stringArgument(value: JsonValue | undefined, where: string): string {
  if (typeof value !== 'string')
    throw workflowError('TypeError', `${where} needs a string, got ${describeType(value)}`);
  return value;
}

/** Reads a number argument. */
export function numberArgument(value: JsonValue | undefined, where: string): number {
  if (typeof value !== 'number')
    throw workflowError('TypeError', `${where} needs a number, got ${describeType(value)}`);
  return value;
}

/** Reads an integer argument. */
export function integerArgument(value: JsonValue | undefined, where: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw workflowError('TypeError', `${where} needs an integer, got ${describeType(value)}`);
  }
  return value;
}

/** Reads a map argument. */
export function mapArgument(value: JsonValue | undefined, where: string): Record<string, JsonValue> {
  if (!isJsonObject(value) || isBytes(value)) {
    throw workflowError('TypeError', `${where} needs a map, got ${describeType(value)}`);
  }
  return value;
}

/** Reads a list argument. */
export function listArgument(value: JsonValue | undefined, where: string): JsonValue[] {
  if (!Array.isArray(value))
    throw workflowError('TypeError', `${where} needs a list, got ${describeType(value)}`);
  return value;
}

/** The type name of a value, `bytes` included. */
export function describeType(value: JsonValue | undefined): string {
  if (value === undefined) return 'nothing';
  return isBytes(value) ? 'bytes' : typeName(value);
}
