import { isJsonObject, type JsonValue } from '@quanta/model';
import type { Backoff, RetryPolicy } from './workflow-definition.ts';
import { tagsOf } from './workflow-error.ts';

/** `retry.default_backoff`: 1 s, times 1.25 each retry, at most 60 s. */
export const DEFAULT_BACKOFF: Backoff = { initialDelay: 1, maxDelay: 60, multiplier: 1.25 };

/** The named retry policies a `retry: ${...}` may use, as Cloud Workflows documents them. */
export const NAMED_RETRY_POLICIES: ReadonlyMap<string, RetryPolicy> = new Map([
  [
    'http.default_retry',
    { predicate: 'http.default_retry_predicate', maxRetries: 5, backoff: DEFAULT_BACKOFF },
  ],
  [
    'http.default_retry_non_idempotent',
    { predicate: 'http.default_retry_predicate_non_idempotent', maxRetries: 5, backoff: DEFAULT_BACKOFF },
  ],
]);

const IDEMPOTENT_CODES = [429, 502, 503, 504];
const IDEMPOTENT_TAGS = ['ConnectionError', 'ConnectionFailedError', 'TimeoutError'];
const NON_IDEMPOTENT_CODES = [429, 503];

/** The built-in retry predicates, by the name a `predicate: ${...}` uses. */
export const BUILTIN_PREDICATES: ReadonlyMap<string, (error: JsonValue) => boolean> = new Map([
  [
    'http.default_retry_predicate',
    (error: JsonValue) => hasCode(error, IDEMPOTENT_CODES) || hasTag(error, IDEMPOTENT_TAGS),
  ],
  [
    'http.default_retry_predicate_non_idempotent',
    (error: JsonValue) => hasCode(error, NON_IDEMPOTENT_CODES) || hasTag(error, ['ConnectionFailedError']),
  ],
  ['retry.always', () => true],
  ['retry.never', () => false],
]);

/** Seconds to wait before retry number `retry` (0 for the first retry). */
export function retryDelay(backoff: Backoff, retry: number): number {
  return Math.min(backoff.initialDelay * backoff.multiplier ** retry, backoff.maxDelay);
}

function hasCode(error: JsonValue, codes: readonly number[]): boolean {
  return isJsonObject(error) && typeof error.code === 'number' && codes.includes(error.code);
}

function hasTag(error: JsonValue, tags: readonly string[]): boolean {
  return tagsOf(error).some((tag) => tags.includes(tag));
}
