import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { isJsonObject, type JsonObject, type JsonValue, QuantaError } from '@quanta/model';
import { BUILTIN_PREDICATES, NAMED_RETRY_POLICIES, retryDelay } from '../retry-policies.ts';
import type { Block } from '../run-workflow.ts';
import { STANDARD_LIBRARY } from '../stdlib/standard-library.ts';
import { type RuntimeServices, systemWorkflowClock } from '../stdlib/stdlib-function.ts';
import { toWorkflowError } from '../workflow-error.ts';
import { optionalString, requireString } from './block-arguments.ts';
import type { ProductRunContext } from './product-run-context.ts';

const DEFAULT_RETRY = 'http.default_retry';
const SECRETS_DIR = '.quanta/secrets';

/**
 * `quanta.http`: an `http.request` for pulling from APIs, with credentials taken from
 * references (an environment variable or a mesh secret, never written in the workflow) and
 * a named Cloud Workflows retry policy (`http.default_retry` unless told otherwise).
 */
export const httpBlock: Block<ProductRunContext> = {
  name: 'quanta.http',
  description:
    'Calls an HTTP API with auth from an environment variable or a mesh secret (.quanta/secrets/<name>) and ' +
    'a named retry policy. Args: url, method?, headers?, query?, body?, auth?, retry?. Result: {code, headers, body}.',
  args: {
    url: { type: 'string', required: true, description: 'the URL to call' },
    method: { type: 'string', required: false, description: 'GET (default), POST, PUT, PATCH or DELETE' },
    headers: { type: 'map', required: false, description: 'HTTP headers' },
    query: { type: 'map', required: false, description: 'query parameters' },
    body: { type: 'any', required: false, description: 'a JSON body (maps and lists) or text' },
    auth: {
      type: 'map',
      required: false,
      description:
        '{type: bearer|basic|header, env: VAR or secret: name (the token or password), username?, header?}',
    },
    retry: {
      type: 'string',
      required: false,
      description: 'http.default_retry (default), http.default_retry_non_idempotent or none',
    },
  },
  async run(args, context) {
    const url = requireString(args, 'url', 'quanta.http');
    const method = (optionalString(args, 'method', 'quanta.http') ?? 'GET').toUpperCase();
    const headers = {
      ...(isJsonObject(args.headers) ? args.headers : {}),
      ...(await authHeaders(args, context)),
    };
    const request = STANDARD_LIBRARY.get('http.request');
    if (!request) throw new Error('http.request is missing from the standard library');
    const services: RuntimeServices = {
      clock: context.timer ?? systemWorkflowClock,
      env: context.env ?? {},
      log: () => {},
    };
    const policy = retryPolicy(optionalString(args, 'retry', 'quanta.http') ?? DEFAULT_RETRY);
    for (let retries = 0; ; retries += 1) {
      try {
        return await request.call([method, url, headers, args.query ?? null, args.body ?? null], services);
      } catch (error) {
        const failure = toWorkflowError(error);
        const isRetried = policy && retries < policy.maxRetries && policy.predicate(failure.value);
        if (!isRetried) throw failure;
        await services.clock.sleep(retryDelay(policy.backoff, retries) * 1000);
      }
    }
  },
};

type ResolvedPolicy = {
  maxRetries: number;
  backoff: { initialDelay: number; maxDelay: number; multiplier: number };
  predicate: (error: JsonValue) => boolean;
};

function retryPolicy(name: string): ResolvedPolicy | undefined {
  if (name === 'none') return undefined;
  const policy = NAMED_RETRY_POLICIES.get(name.replace(/^\$\{|\}$/g, ''));
  const predicate = policy && BUILTIN_PREDICATES.get(policy.predicate);
  if (!policy || !predicate) {
    throw new QuantaError('QUANTA_WORKFLOW_FAILED', `quanta.http has no retry policy '${name}'`, {
      fix: `use one of ${[...NAMED_RETRY_POLICIES.keys(), 'none'].join(', ')}`,
    });
  }
  return { maxRetries: policy.maxRetries, backoff: policy.backoff, predicate };
}

async function authHeaders(args: JsonObject, context: ProductRunContext): Promise<Record<string, string>> {
  const auth = args.auth;
  if (auth === undefined || auth === null) return {};
  if (!isJsonObject(auth)) throw authError('auth must be a map');
  const credential = await credentialOf(auth, context);
  switch (auth.type ?? 'bearer') {
    case 'bearer':
      return { authorization: `Bearer ${credential}` };
    case 'basic': {
      const user = typeof auth.username === 'string' ? auth.username : '';
      return { authorization: `Basic ${Buffer.from(`${user}:${credential}`).toString('base64')}` };
    }
    case 'header':
      if (typeof auth.header !== 'string') throw authError('auth type header needs `header: <name>`');
      return { [auth.header]: credential };
    default:
      throw authError(`unknown auth type ${JSON.stringify(auth.type)}`);
  }
}

/** The credential an `auth` map references: `env: VAR` or `secret: name`. */
async function credentialOf(auth: JsonObject, context: ProductRunContext): Promise<string> {
  if (typeof auth.env === 'string') {
    const value = context.env?.[auth.env];
    if (value === undefined) throw authError(`environment variable ${auth.env} is not set`);
    return value;
  }
  if (typeof auth.secret === 'string' && /^[\w.-]+$/.test(auth.secret)) {
    const file = path.join(context.meshRoot, SECRETS_DIR, auth.secret);
    const value = await readFile(file, 'utf8').catch(() => undefined);
    if (value === undefined) throw authError(`no secret file ${SECRETS_DIR}/${auth.secret}`);
    return value.trim();
  }
  throw authError('auth needs `env: <VARIABLE>` or `secret: <name>`');
}

function authError(message: string): QuantaError {
  return new QuantaError('QUANTA_WORKFLOW_FAILED', `quanta.http: ${message}`, {
    fix: 'write `auth: {type: bearer, env: API_TOKEN}` or `{type: bearer, secret: crm-api}` (file .quanta/secrets/crm-api)',
  });
}
