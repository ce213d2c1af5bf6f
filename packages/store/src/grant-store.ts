/** A time-limited right of one principal to read one port, from an approved request. */
export interface GrantRecord {
  readonly id: string;
  readonly requestId: string;
  readonly principal: string;
  readonly port: string;
  readonly grantedBy: string;
  readonly grantedAt: string;
  /** ISO timestamp: the grant stops working then, without anyone acting. */
  readonly expiresAt: string;
  readonly revokedAt?: string;
  /** Who revoked it (set with `revokedAt`). */
  readonly revokedBy?: string;
  /** Why it was revoked (set with `revokedAt`). */
  readonly revokeReason?: string;
}

/** Filters of {@link GrantStore.listGrants}; combined with AND. */
export interface GrantQuery {
  readonly principal?: string;
  /** Only grants on the ports of this domain. */
  readonly domain?: string;
  /** A port address or an address prefix (`quanta://sales/`). */
  readonly address?: string;
  /** Only grants in force at this ISO time: not expired, not revoked. */
  readonly activeAt?: string;
}

/** Who ends a grant before its expiry, and why. */
export interface GrantRevocation {
  readonly revokedBy: string;
  readonly reason: string;
}

/** The grants of approved access requests. */
export interface GrantStore {
  /** Newest first. */
  listGrants(query?: GrantQuery): Promise<GrantRecord[]>;
  /** One grant, revoked or expired included; undefined when there is no such grant. */
  getGrant(id: string): Promise<GrantRecord | undefined>;
  /**
   * Revokes a grant now. Revoking twice keeps the first time, actor and reason; undefined when
   * there is no such grant.
   */
  revokeGrant(id: string, revocation: GrantRevocation): Promise<GrantRecord | undefined>;
}
