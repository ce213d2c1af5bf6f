import type { Principal } from '@quanta/governance';
import { QuantaError } from '@quanta/model';
import type { MeshService } from '@quanta/services';
import type { MiddlewareHandler } from 'hono';

/** What the API's handlers find in their context: the authenticated principal. */
export interface ApiEnv {
  readonly Variables: { readonly principal: Principal };
}

/** The routes anyone may call without a token: liveness and the API's description. */
export const PUBLIC_PATHS: readonly string[] = ['/health', '/openapi.json'];

/**
 * Authenticates every request with `Authorization: Bearer <token>` (ADR 011). A missing,
 * malformed, unknown, expired or revoked token, or one whose principal left, is refused with
 * QUANTA_UNAUTHENTICATED (401) before any handler runs; the same message for every case, so the
 * answer tells an attacker nothing about which tokens exist.
 */
export function bearerAuthentication(service: MeshService): MiddlewareHandler<ApiEnv> {
  return async (context, next) => {
    const header = context.req.header('authorization') ?? '';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    const principal = match?.[1] ? await service.authenticateToken(match[1]) : undefined;
    if (!principal) {
      throw new QuantaError(
        'QUANTA_UNAUTHENTICATED',
        header === ''
          ? 'no token: send Authorization: Bearer <token>'
          : 'the token is invalid, expired or revoked',
        { fix: 'create a token with: quanta token create <principal> --expires 30d' },
      );
    }
    context.set('principal', principal);
    await next();
  };
}
