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
}

/** Filters of {@link GrantStore.listGrants}; combined with AND. */
export interface GrantQuery {
  readonly principal?: string;
  /** A port address or an address prefix (`quanta://sales/`). */
  readonly address?: string;
  /** Only grants in force at this ISO time: not expired, not revoked. */
  readonly activeAt?: string;
}

/** The grants of approved access requests. */
export interface GrantStore {
  /** Newest first. */
  listGrants(query?: GrantQuery): Promise<GrantRecord[]>;
  /** Revokes a grant now; undefined when there is no such grant. */
  revokeGrant(id: string): Promise<GrantRecord | undefined>;
}
