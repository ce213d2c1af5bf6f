import type { createApi } from '@quanta/server';
import type { MeshService } from '@quanta/services';

/** The HTTP API as tests call it in memory (`api.request(path, init)`). */
export type TestApi = ReturnType<typeof createApi>;

/** The example mesh's principals the HTTP tests act as. */
export const API_PRINCIPALS: readonly string[] = [
  'mia@acme.example',
  'ada@acme.example',
  'gus@acme.example',
  'sam@acme.example',
];

/** A year-long token per principal, by principal, issued by the local admin. */
export async function issueTokens(
  service: MeshService,
  principals: readonly string[] = API_PRINCIPALS,
): Promise<Record<string, string>> {
  const tokens: Record<string, string> = {};
  for (const principal of principals) {
    tokens[principal] = (
      await service.tokens.create({ principal, actor: 'local-admin', expiresInDays: 365 })
    ).token;
  }
  return tokens;
}

/**
 * A JSON request carrying `credentials` (an authorization or a cookie header); the headers
 * `init` names come last, so a test can override any of them.
 */
export function jsonRequest(credentials: Record<string, string>, init: RequestInit = {}): RequestInit {
  return {
    ...init,
    headers: {
      'content-type': 'application/json',
      ...credentials,
      ...(init.headers as Record<string, string> | undefined),
    },
  };
}
