import { isJsonObject, type JsonValue } from '@quanta/model';
import { WorkflowError, workflowError } from '../workflow-error.ts';
import {
  bytesArgument,
  bytesValue,
  defineFunction,
  isBytes,
  mapArgument,
  numberArgument,
  type StdlibFunction,
  stringArgument,
} from './stdlib-function.ts';

const PARAMS = ['url', 'headers', 'query', 'body', 'auth', 'timeout'];
const DEFAULT_TIMEOUT_SECONDS = 300;
const MAX_TIMEOUT_SECONDS = 1800;

/** A request of the `http` module, as its arguments describe it. */
interface HttpRequest {
  readonly method: string;
  readonly url: JsonValue | undefined;
  readonly headers: JsonValue | undefined;
  readonly query: JsonValue | undefined;
  readonly body: JsonValue | undefined;
  readonly timeout: JsonValue | undefined;
}

/**
 * The `http` module over the real `fetch`. Results are `{code, headers, body}` with a JSON
 * body decoded; a non-2xx status raises an `HttpError` map. `auth` (OIDC/OAuth2 to Google
 * services) is accepted and ignored: a local runner has no Google identity to sign with.
 */
export const HTTP_FUNCTIONS: readonly StdlibFunction[] = [
  ...['get', 'post', 'put', 'patch', 'delete'].map((verb) =>
    defineFunction(
      `http.${verb}`,
      { params: PARAMS, required: 1, isBlocking: true },
      ([url, headers, query, body, , timeout]) =>
        sendRequest({ method: verb.toUpperCase(), url, headers, query, body, timeout }),
    ),
  ),
  defineFunction(
    'http.request',
    { params: ['method', ...PARAMS], required: 2, isBlocking: true },
    ([method, url, headers, query, body, , timeout]) =>
      sendRequest({
        method: stringArgument(method, 'http.request method').toUpperCase(),
        url,
        headers,
        query,
        body,
        timeout,
      }),
  ),
];

async function sendRequest(request: HttpRequest): Promise<JsonValue> {
  const url = new URL(stringArgument(request.url, `http.${request.method.toLowerCase()} url`));
  if (request.query !== undefined && request.query !== null) {
    for (const [key, value] of Object.entries(mapArgument(request.query, 'http query'))) {
      for (const item of Array.isArray(value) ? value : [value])
        url.searchParams.append(key, scalarText(item));
    }
  }
  const headers = new Headers();
  if (request.headers !== undefined && request.headers !== null) {
    for (const [key, value] of Object.entries(mapArgument(request.headers, 'http headers')))
      headers.set(key, scalarText(value));
  }
  const body = encodeBody(request.body, headers);
  const seconds =
    request.timeout === undefined || request.timeout === null
      ? DEFAULT_TIMEOUT_SECONDS
      : numberArgument(request.timeout, 'http timeout');
  let response: Response;
  try {
    response = await fetch(url, {
      method: request.method,
      headers,
      ...(body === undefined ? {} : { body }),
      signal: AbortSignal.timeout(Math.min(seconds, MAX_TIMEOUT_SECONDS) * 1000),
    });
  } catch (error) {
    throw connectionError(error, url);
  }
  return readResponse(response);
}

function encodeBody(body: JsonValue | undefined, headers: Headers): string | Uint8Array | undefined {
  if (body === undefined || body === null) return undefined;
  if (isBytes(body)) return bytesArgument(body, 'http body');
  if (typeof body === 'string') {
    if (!headers.has('content-type')) headers.set('content-type', 'text/plain; charset=utf-8');
    return body;
  }
  const type = headers.get('content-type') ?? 'application/json';
  if (type.startsWith('application/x-www-form-urlencoded') && isJsonObject(body)) {
    return new URLSearchParams(
      Object.entries(body).map(([key, value]): [string, string] => [key, scalarText(value)]),
    ).toString();
  }
  headers.set('content-type', type);
  return JSON.stringify(body);
}

async function readResponse(response: Response): Promise<JsonValue> {
  const headers: Record<string, JsonValue> = {};
  response.headers.forEach((value, key) => {
    headers[key] = value;
  });
  const raw = new Uint8Array(await response.arrayBuffer());
  const type = response.headers.get('content-type') ?? '';
  const body = decodeBody(raw, type);
  const result = { code: response.status, headers, body };
  if (response.status >= 200 && response.status < 300) return result;
  throw new WorkflowError({
    message: `HTTP server responded with error code ${response.status}`,
    code: response.status,
    headers,
    body,
    tags: ['HttpError'],
  });
}

function decodeBody(raw: Uint8Array, type: string): JsonValue {
  if (raw.length === 0) return null;
  const text = Buffer.from(raw).toString('utf8');
  if (/\bjson\b/i.test(type)) {
    try {
      return JSON.parse(text) as JsonValue;
    } catch {
      return text;
    }
  }
  if (type === '' || /^text\/|xml|x-www-form-urlencoded|javascript/i.test(type)) return text;
  return bytesValue(raw);
}

function connectionError(error: unknown, url: URL): WorkflowError {
  const name = error instanceof Error ? error.name : '';
  if (name === 'TimeoutError' || name === 'AbortError') {
    return workflowError('TimeoutError', `HTTP request to ${url.origin} timed out`);
  }
  const cause = error instanceof Error ? (error.cause as { code?: string } | undefined) : undefined;
  const isRefused = ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH'].includes(cause?.code ?? '');
  return workflowError(
    isRefused ? 'ConnectionFailedError' : 'ConnectionError',
    `HTTP request to ${url.origin} failed: ${cause?.code ?? (error instanceof Error ? error.message : String(error))}`,
  );
}

function scalarText(value: JsonValue): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}
