import type { Principal } from '@quanta/governance';
import { QuantaError } from '@quanta/model';
import type { ActiveSession, MeshService, SessionService } from '@quanta/services';
import type { Context, MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';

/** The cookie holding a browser session's random id (never the token). */
export const SESSION_COOKIE = 'quanta_session';

/** The login route: the one /api route that needs no authentication. */
export const SESSION_PATH = '/api/session';

/** How a request authenticated: a bearer token, or a session cookie (with the session's id). */
export type HttpAuthentication =
  | { readonly kind: 'bearer' }
  | { readonly kind: 'session'; readonly sessionId: string; readonly session: ActiveSession };

/** What the API's handlers find in their context: the authenticated principal, and how. */
export interface ApiEnv {
  readonly Variables: { readonly principal: Principal; readonly authentication: HttpAuthentication };
}

/** Methods that change nothing, so a cookie alone may authenticate them. */
const SAFE_METHODS: readonly string[] = ['GET', 'HEAD', 'OPTIONS'];

/**
 * Authenticates every /api request but the login (ADR 011), with `Authorization: Bearer <token>`
 * or else the session cookie. A missing, malformed, unknown, expired or revoked token or session,
 * or one whose principal left, is refused with QUANTA_UNAUTHENTICATED (401) before any handler
 * runs, with the same message for every case, so the answer tells an attacker nothing about which
 * tokens exist. A cookie-authenticated request that changes something must carry a same-origin
 * `Origin` header (QUANTA_CSRF_REFUSED otherwise): browsers attach cookies to cross-site requests,
 * never bearer tokens.
 */
export function apiAuthentication(service: MeshService, sessions: SessionService): MiddlewareHandler<ApiEnv> {
  return async (context, next) => {
    if (context.req.method === 'POST' && context.req.path === SESSION_PATH) return next();
    const header = context.req.header('authorization') ?? '';
    const sessionId = getCookie(context, SESSION_COOKIE);
    if (header !== '' || sessionId === undefined) {
      const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
      const principal = match?.[1] ? await service.authenticateToken(match[1]) : undefined;
      if (!principal) {
        throw unauthenticated(
          header === ''
            ? 'no token: send Authorization: Bearer <token>, or log in at POST /api/session'
            : 'the token is invalid, expired or revoked',
        );
      }
      context.set('principal', principal);
      context.set('authentication', { kind: 'bearer' });
      return next();
    }
    if (!SAFE_METHODS.includes(context.req.method)) requireSameOrigin(context);
    const session = await sessions.authenticate(sessionId);
    if (!session) throw unauthenticated('the session is invalid, expired or ended');
    context.set('principal', session.principal);
    context.set('authentication', { kind: 'session', sessionId, session });
    return next();
  };
}

/**
 * The origin this request was sent to: the scheme (`X-Forwarded-Proto` from a TLS-terminating
 * proxy, else the request's own) and the Host header. A cross-site page cannot set either on a
 * victim's request without a CORS preflight, which this API never grants.
 */
export function requestOrigin(context: Context): string {
  const url = new URL(context.req.url);
  const forwarded = context.req.header('x-forwarded-proto')?.split(',')[0]?.trim().toLowerCase();
  const protocol = forwarded === 'https' || forwarded === 'http' ? `${forwarded}:` : url.protocol;
  return `${protocol}//${url.host}`;
}

/** Refuses a request whose `Origin` header is missing or names another site. */
export function requireSameOrigin(context: Context, options: { isMissingAllowed?: boolean } = {}): void {
  const origin = context.req.header('origin');
  if (origin === undefined && options.isMissingAllowed) return;
  if (origin !== undefined && origin === requestOrigin(context)) return;
  throw new QuantaError(
    'QUANTA_CSRF_REFUSED',
    origin === undefined
      ? `${context.req.method} ${context.req.path} with a session cookie needs an Origin header`
      : `${context.req.method} ${context.req.path} from ${origin} is cross-site`,
    { fix: `send it from ${requestOrigin(context)}, or authenticate with Authorization: Bearer <token>` },
  );
}

function unauthenticated(message: string): QuantaError {
  return new QuantaError('QUANTA_UNAUTHENTICATED', message, {
    fix: 'create a token with: quanta token create <principal> --expires 30d',
  });
}
