import {
  type AccessPolicy,
  issueToken,
  isTokenSecret,
  LOCAL_ADMINISTRATOR,
  type Principal,
  parseToken,
} from '@quanta/governance';
import { type Clock, QuantaError } from '@quanta/model';
import type { StoredToken, TokenRecord, TokenStore } from '@quanta/store';
import { addDays } from './access-duration.ts';

/** What {@link TokenService.create} needs. */
export interface CreateTokenOptions {
  /** The principal the token acts as. */
  readonly principal: string;
  /** Who asks: the principal itself, or one allowed to `administer` the mesh. */
  readonly actor: string;
  readonly name?: string;
  /** Lifetime in days; none means the token never expires. */
  readonly expiresInDays?: number;
}

/** A token just created: its text (shown once) and its record. */
export interface CreatedToken {
  readonly token: string;
  readonly record: TokenRecord;
}

/** Why a token is refused: for the audit, never for the client. */
export type TokenRefusal =
  | 'malformed'
  | 'unknown'
  | 'wrong-secret'
  | 'revoked'
  | 'expired'
  | 'unknown-principal';

/** The outcome of checking a token's text. */
export type TokenCheck =
  | { readonly kind: 'valid'; readonly principal: Principal; readonly token: TokenRecord }
  | {
      readonly kind: 'refused';
      readonly reason: TokenRefusal;
      /** The token's public id, when the text had the shape of a token. */
      readonly tokenId?: string;
      /** Whose token it is, when the id is known. */
      readonly principal?: string;
    };

/**
 * Tokens of people and services (ADR 011): issued for a principal of the referential, stored
 * as a salted hash, checked on every HTTP request and PostgreSQL login.
 */
export class TokenService {
  readonly #store: TokenStore;
  readonly #access: () => Promise<AccessPolicy>;
  readonly #clock: Clock;

  private constructor(options: { store: TokenStore; access: () => Promise<AccessPolicy>; clock: Clock }) {
    this.#store = options.store;
    this.#access = options.access;
    this.#clock = options.clock;
  }

  /** Wires the service. */
  static create(options: {
    store: TokenStore;
    access: () => Promise<AccessPolicy>;
    clock: Clock;
  }): TokenService {
    return new TokenService(options);
  }

  /** Issues a token for a principal; its text is in the answer and nowhere else. */
  async create(options: CreateTokenOptions): Promise<CreatedToken> {
    const policy = await this.#access();
    if (options.principal === LOCAL_ADMINISTRATOR.id || !policy.principal(options.principal)) {
      throw new QuantaError(
        'QUANTA_NOT_FOUND',
        `no principal ${JSON.stringify(options.principal)} can hold a token`,
        {
          fix: 'name a person or service of governance/users.yaml (not local-admin, not one who left)',
        },
      );
    }
    requireSelfOrAdministrator(policy, options);
    const issued = issueToken();
    const record = await this.#store.createToken({
      id: issued.id,
      principal: options.principal,
      name: options.name ?? 'token',
      salt: issued.salt,
      hash: issued.hash,
      createdBy: options.actor,
      ...(options.expiresInDays === undefined
        ? {}
        : { expiresAt: addDays(this.#clock.now(), options.expiresInDays) }),
    });
    return { token: issued.token, record };
  }

  /** Tokens, newest first; only one's own unless allowed to `administer` the mesh. */
  async list(options: { actor: string; principal?: string }): Promise<TokenRecord[]> {
    const policy = await this.#access();
    const principal =
      options.principal ?? (isAdministrator(policy, options.actor) ? undefined : options.actor);
    if (principal !== undefined) requireSelfOrAdministrator(policy, { principal, actor: options.actor });
    return this.#store.listTokens(principal === undefined ? {} : { principal });
  }

  /** Revokes a token at once: its next use is refused and the sessions opened with it end. */
  async revoke(options: { id: string; actor: string }): Promise<TokenRecord> {
    const token = await this.#store.findToken(options.id);
    if (!token)
      throw new QuantaError('QUANTA_NOT_FOUND', `no token ${options.id}`, {
        fix: 'list tokens with: quanta token list',
      });
    requireSelfOrAdministrator(await this.#access(), { principal: token.principal, actor: options.actor });
    const revoked = await this.#store.revokeToken(options.id);
    if (!revoked) throw new QuantaError('QUANTA_NOT_FOUND', `no token ${options.id}`);
    return revoked;
  }

  /**
   * The principal a token authenticates, or undefined when the text is not a token of this
   * mesh, or it expired, was revoked, or its principal is unknown or left the company.
   */
  async authenticate(text: string): Promise<Principal | undefined> {
    const check = await this.verify(text);
    return check.kind === 'valid' ? check.principal : undefined;
  }

  /**
   * Checks a token's text and says why it is refused: a value, not an exception, so that a login
   * can audit the failure. The reason is for the audit only; callers answer the same to everyone.
   */
  async verify(text: string): Promise<TokenCheck> {
    const parts = parseToken(text);
    if (!parts) return { kind: 'refused', reason: 'malformed' };
    const stored = await this.#store.findToken(parts.id);
    if (!stored) return { kind: 'refused', reason: 'unknown', tokenId: parts.id };
    if (!isTokenSecret(parts.secret, stored)) {
      return { kind: 'refused', reason: 'wrong-secret', tokenId: parts.id, principal: stored.principal };
    }
    return this.#checkStored(stored);
  }

  /**
   * The principal a session opened with the token `id` acts as, checked at each request: the
   * token must still be unrevoked and unexpired, and its principal active. The secret was
   * checked when the session was opened.
   */
  async sessionPrincipal(id: string): Promise<Principal | undefined> {
    const stored = await this.#store.findToken(id);
    if (!stored) return undefined;
    const check = await this.#checkStored(stored);
    return check.kind === 'valid' ? check.principal : undefined;
  }

  async #checkStored(stored: StoredToken): Promise<TokenCheck> {
    const refused = (reason: TokenRefusal): TokenCheck => ({
      kind: 'refused',
      reason,
      tokenId: stored.id,
      principal: stored.principal,
    });
    if (stored.revokedAt !== undefined) return refused('revoked');
    if (stored.expiresAt !== undefined && Date.parse(stored.expiresAt) <= this.#clock.now().getTime()) {
      return refused('expired');
    }
    if (stored.principal === LOCAL_ADMINISTRATOR.id) return refused('unknown-principal');
    const principal = (await this.#access()).principal(stored.principal);
    if (!principal) return refused('unknown-principal');
    const { salt: _salt, hash: _hash, ...token } = stored;
    return { kind: 'valid', principal, token };
  }
}

function isAdministrator(policy: AccessPolicy, actorId: string): boolean {
  const actor = policy.principal(actorId);
  return (
    actor !== undefined &&
    policy.authorize(actor, { action: 'administer', resource: { type: 'Mesh' } }).kind === 'allow'
  );
}

function requireSelfOrAdministrator(
  policy: AccessPolicy,
  options: { principal: string; actor: string },
): void {
  if (options.actor === options.principal || isAdministrator(policy, options.actor)) return;
  throw new QuantaError(
    'QUANTA_POLICY_DENIED',
    `${options.actor} may not manage the tokens of ${options.principal}`,
    {
      fix: 'manage your own tokens, or act as a principal allowed to `administer` the mesh',
    },
  );
}
