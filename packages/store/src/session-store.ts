/** A login session as handed to the store: the hash of its id, never the id itself. */
export interface NewSession {
  /** SHA-256 (hex) of the random session id the client holds in its cookie. */
  readonly idHash: string;
  /** The public id of the token the session was opened with. */
  readonly tokenId: string;
  readonly principal: string;
  /** ISO timestamp; never later than the token's own expiry. */
  readonly expiresAt: string;
}

/** A session as recorded. */
export interface SessionRecord extends NewSession {
  readonly createdAt: string;
}

/**
 * Browser sessions opened with a token (ADR 011): stored by the hash of their id, tied to the
 * token they were opened with. Revoking the token ends them (see TokenStore.revokeToken).
 */
export interface SessionStore {
  /** Records a session; sessions already expired are removed on the way. */
  createSession(session: NewSession): Promise<SessionRecord>;
  /** The session with this id hash, expired or not; undefined when there is none. */
  findSession(idHash: string): Promise<SessionRecord | undefined>;
  /** Ends one session (logout); whether there was one. */
  deleteSession(idHash: string): Promise<boolean>;
  /** Ends every session opened with a token; how many there were. */
  deleteTokenSessions(tokenId: string): Promise<number>;
}
