import { createHash, randomBytes } from 'node:crypto';
import type { Principal } from '@quanta/governance';
import { type Clock, QuantaError } from '@quanta/model';
import type { AuditStore, SessionRecord, SessionStore } from '@quanta/store';
import type { TokenCheck, TokenService } from './token-service.ts';

/** A session lasts at most this long, however long its token lives. */
export const SESSION_MAX_HOURS = 12;

const HOUR_MS = 3_600_000;

/** What {@link SessionService} works with. */
export interface SessionServiceOptions {
  readonly tokens: TokenService;
  readonly sessions: SessionStore;
  readonly audit: AuditStore;
  readonly clock: Clock;
}

/** A session in force: who it acts as, and until when. */
export interface ActiveSession {
  readonly principal: Principal;
  /** The public id of the token it was opened with. */
  readonly tokenId: string;
  readonly createdAt: string;
  readonly expiresAt: string;
}

/** A session just opened: its id (for the cookie, never stored) and what it is. */
export interface OpenedSession {
  readonly id: string;
  readonly session: ActiveSession;
}

/**
 * Browser sessions opened with a token (ADR 011): the portal trades a token once for a random
 * session id in an HttpOnly cookie. The store keeps only the id's SHA-256, the token's public id
 * and an expiry of at most {@link SESSION_MAX_HOURS} hours, never past the token's own. Each
 * request re-checks the token, so revoking or expiring it ends its sessions at once.
 */
export class SessionService {
  readonly #options: SessionServiceOptions;

  private constructor(options: SessionServiceOptions) {
    this.#options = options;
  }

  /** Wires the service. */
  static create(options: SessionServiceOptions): SessionService {
    return new SessionService(options);
  }

  /**
   * Opens a session with a token. A refused token is audited (`login`, deny, with the reason)
   * and answered QUANTA_UNAUTHENTICATED with the same message whatever the reason.
   */
  async login(token: unknown): Promise<OpenedSession> {
    const check: TokenCheck =
      typeof token === 'string'
        ? await this.#options.tokens.verify(token)
        : { kind: 'refused', reason: 'malformed' };
    if (check.kind === 'refused') {
      await this.#auditRefusedLogin(check);
      throw unauthenticated('the token is invalid, expired or revoked');
    }
    const id = randomBytes(32).toString('base64url');
    const record = await this.#options.sessions.createSession({
      idHash: hashSessionId(id),
      tokenId: check.token.id,
      principal: check.principal.id,
      expiresAt: this.#expiryFor(check.token.expiresAt),
    });
    await this.#audit({ principal: check.principal.id, action: 'login', tokenId: record.tokenId });
    return { id, session: activeSession(record, check.principal) };
  }

  /**
   * The session a cookie's id names, or undefined when there is none, it expired, or its token
   * was revoked, expired or belongs to a principal who left.
   */
  async authenticate(id: string): Promise<ActiveSession | undefined> {
    const record = await this.#options.sessions.findSession(hashSessionId(id));
    if (!record || Date.parse(record.expiresAt) <= this.#options.clock.now().getTime()) return undefined;
    const principal = await this.#options.tokens.sessionPrincipal(record.tokenId);
    return principal?.id === record.principal ? activeSession(record, principal) : undefined;
  }

  /** Ends a session (logout); ending one that is already gone is harmless. */
  async logout(id: string): Promise<void> {
    const idHash = hashSessionId(id);
    const record = await this.#options.sessions.findSession(idHash);
    if (!record || !(await this.#options.sessions.deleteSession(idHash))) return;
    await this.#audit({ principal: record.principal, action: 'logout', tokenId: record.tokenId });
  }

  #expiryFor(tokenExpiresAt: string | undefined): string {
    const cap = this.#options.clock.now().getTime() + SESSION_MAX_HOURS * HOUR_MS;
    const tokenEnd = tokenExpiresAt === undefined ? cap : Date.parse(tokenExpiresAt);
    return new Date(Math.min(cap, tokenEnd)).toISOString();
  }

  async #auditRefusedLogin(check: Extract<TokenCheck, { kind: 'refused' }>): Promise<void> {
    await this.#options.audit.appendAuditEvent({
      principal: check.principal ?? 'anonymous',
      // Whoever sent it is unknown: the token did not authenticate them.
      actor: 'anonymous',
      action: 'login',
      statement:
        check.tokenId === undefined ? 'login with a malformed token' : `login with token ${check.tokenId}`,
      decision: 'deny',
      reason: check.reason,
      policies: [],
      ports: [],
      columns: [],
      durationMs: 0,
    });
  }

  async #audit(event: { principal: string; action: 'login' | 'logout'; tokenId: string }): Promise<void> {
    await this.#options.audit.appendAuditEvent({
      principal: event.principal,
      actor: event.principal,
      action: event.action,
      statement: `${event.action} with token ${event.tokenId}`,
      decision: 'allow',
      policies: [],
      ports: [],
      columns: [],
      durationMs: 0,
    });
  }
}

/** The SHA-256 (hex) of a session id: what the store keeps. The id has full entropy, so no salt. */
function hashSessionId(id: string): string {
  return createHash('sha256').update(id).digest('hex');
}

function activeSession(record: SessionRecord, principal: Principal): ActiveSession {
  return {
    principal,
    tokenId: record.tokenId,
    createdAt: record.createdAt,
    expiresAt: record.expiresAt,
  };
}

function unauthenticated(message: string): QuantaError {
  return new QuantaError('QUANTA_UNAUTHENTICATED', message, {
    fix: 'log in with a valid token: POST /api/session { "token": "qt_..." }',
  });
}
