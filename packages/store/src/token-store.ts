/** A token as handed to the store: its public id and salted hash, never the secret itself. */
export interface NewToken {
  /** The public part of the token (`qt_<id>_<secret>`), used to look it up. */
  readonly id: string;
  readonly principal: string;
  readonly name: string;
  /** Random salt (hex) prepended to the secret before hashing. */
  readonly salt: string;
  /** SHA-256 (hex) of salt and secret. */
  readonly hash: string;
  /** Who created it (the CLI's principal). */
  readonly createdBy: string;
  /** ISO timestamp; none means it never expires. */
  readonly expiresAt?: string;
}

/** A token as listed: everything but its hash. */
export interface TokenRecord {
  readonly id: string;
  readonly principal: string;
  readonly name: string;
  readonly createdBy: string;
  readonly createdAt: string;
  readonly expiresAt?: string;
  readonly revokedAt?: string;
}

/** A token with its salt and hash, for verification only. */
export interface StoredToken extends TokenRecord {
  readonly salt: string;
  readonly hash: string;
}

/** Filters of {@link TokenStore.listTokens}. */
export interface TokenQuery {
  readonly principal?: string;
}

/** API tokens of people and services (ADR 011): stored hashed, with expiry and revocation. */
export interface TokenStore {
  createToken(token: NewToken): Promise<TokenRecord>;
  /** The token with this public id, hash included. */
  findToken(id: string): Promise<StoredToken | undefined>;
  /** Newest first. */
  listTokens(query?: TokenQuery): Promise<TokenRecord[]>;
  /**
   * Revokes a token now and ends the sessions opened with it (revoking twice keeps the first
   * time); undefined when there is no such token.
   */
  revokeToken(id: string): Promise<TokenRecord | undefined>;
}
