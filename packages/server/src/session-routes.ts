import type { Principal } from '@quanta/governance';
import { isJsonObject } from '@quanta/model';
import { type MeshService, SessionService } from '@quanta/services';
import type { Context, Hono } from 'hono';
import { deleteCookie, setCookie } from 'hono/cookie';
import {
  type ApiEnv,
  type HttpAuthentication,
  requestOrigin,
  requireSameOrigin,
  SESSION_COOKIE,
  SESSION_PATH,
} from './http-principal.ts';

/** The session service over a mesh's tokens, session store, audit log and clock. */
export function sessionServiceOf(service: MeshService): SessionService {
  return SessionService.create({
    tokens: service.tokens,
    sessions: service.accessStore.sessions,
    audit: service.audit,
    clock: service.clock,
  });
}

/**
 * Portal login with the same tokens (ADR 011): `POST /api/session` trades a token for an
 * HttpOnly, SameSite=Strict cookie holding a random session id, `GET` says who is logged in,
 * `DELETE` logs out.
 */
export function registerSessionRoutes(app: Hono<ApiEnv>, sessions: SessionService): void {
  app.post(SESSION_PATH, async (context) => {
    // Login CSRF: a browser always sends Origin on a POST; a cross-site one must not log its
    // victim in as someone else. Clients without a browser (curl) send none.
    requireSameOrigin(context, { isMissingAllowed: true });
    const body: unknown = await context.req.json().catch(() => undefined);
    const opened = await sessions.login(isJsonObject(body) ? body.token : undefined);
    setCookie(context, SESSION_COOKIE, opened.id, {
      httpOnly: true,
      sameSite: 'Strict',
      path: '/',
      secure: isHttps(context),
      expires: new Date(opened.session.expiresAt),
    });
    const authentication = { kind: 'session', sessionId: opened.id, session: opened.session } as const;
    return context.json(whoami(opened.session.principal, authentication), 201);
  });
  app.get(SESSION_PATH, (context) =>
    context.json(whoami(context.get('principal'), context.get('authentication'))),
  );
  app.delete(SESSION_PATH, async (context) => {
    const authentication = context.get('authentication');
    if (authentication.kind === 'session') await sessions.logout(authentication.sessionId);
    deleteCookie(context, SESSION_COOKIE, {
      path: '/',
      secure: isHttps(context),
      httpOnly: true,
      sameSite: 'Strict',
    });
    return context.body(null, 204);
  });
}

/** The answer of the session routes: who is logged in, and how (never the session id). */
export interface SessionView {
  readonly principal: Principal;
  readonly authentication:
    | { readonly kind: 'bearer' }
    | {
        readonly kind: 'session';
        readonly tokenId: string;
        readonly createdAt: string;
        readonly expiresAt: string;
      };
}

function whoami(principal: Principal, authentication: HttpAuthentication): SessionView {
  if (authentication.kind === 'bearer') return { principal, authentication: { kind: 'bearer' } };
  const { tokenId, createdAt, expiresAt } = authentication.session;
  return { principal, authentication: { kind: 'session', tokenId, createdAt, expiresAt } };
}

function isHttps(context: Context): boolean {
  return requestOrigin(context).startsWith('https:');
}
