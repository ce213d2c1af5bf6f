import type { GrantRecord } from './grant-store.ts';

/** Where an access request stands. */
export type AccessRequestState = 'pending' | 'approved' | 'denied';

/** A consumer's request to read a port, with a purpose and a duration. */
export interface NewAccessRequest {
  readonly principal: string;
  /** The port address (`quanta://d/p/port`). */
  readonly port: string;
  readonly purpose: string;
  /** How long the grant lasts once approved. */
  readonly durationDays: number;
}

/** An access request as recorded. */
export interface AccessRequest extends NewAccessRequest {
  readonly id: string;
  readonly state: AccessRequestState;
  readonly requestedAt: string;
  readonly decidedBy?: string;
  readonly decidedAt?: string;
  readonly note?: string;
}

/** An owner's (or delegate's) decision on a pending request. */
export type AccessRequestDecision =
  | {
      readonly kind: 'approve';
      readonly requestId: string;
      readonly decidedBy: string;
      readonly note?: string;
      /** ISO timestamp at which the grant stops working. */
      readonly expiresAt: string;
    }
  | { readonly kind: 'deny'; readonly requestId: string; readonly decidedBy: string; readonly note?: string };

/** What a decision recorded: the request, and the grant when approved. */
export interface DecidedAccessRequest {
  readonly request: AccessRequest;
  readonly grant?: GrantRecord;
}

/** Filters of {@link AccessRequestStore.listAccessRequests}; combined with AND. */
export interface AccessRequestQuery {
  readonly principal?: string;
  /** A port address or an address prefix (`quanta://sales/`). */
  readonly address?: string;
  readonly state?: AccessRequestState;
}

/** Access requests and their decisions. */
export interface AccessRequestStore {
  createAccessRequest(request: NewAccessRequest): Promise<AccessRequest>;
  getAccessRequest(id: string): Promise<AccessRequest | undefined>;
  /** Newest first. */
  listAccessRequests(query?: AccessRequestQuery): Promise<AccessRequest[]>;
  /**
   * Decides a pending request; approving records the grant in the same transaction.
   * Throws QUANTA_NOT_FOUND for an unknown request and QUANTA_CONFLICT for a decided one.
   */
  decideAccessRequest(decision: AccessRequestDecision): Promise<DecidedAccessRequest>;
}
