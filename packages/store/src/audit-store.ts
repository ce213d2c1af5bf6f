/** How an audited request ended. */
export type AuditDecision = 'allow' | 'deny' | 'error';

/** One audited request, as the gateway records it. */
export interface NewAuditEvent {
  /** The principal whose rights applied. */
  readonly principal: string;
  /** Who sent the request: the principal itself, or an administrator impersonating it. */
  readonly actor: string;
  /** `query` for a gateway read, `export` for one taken out as CSV, Arrow or Parquet. */
  readonly action: string;
  /** The SQL as the consumer sent it. */
  readonly statement: string;
  readonly decision: AuditDecision;
  /** Why it was denied or failed (the error message). */
  readonly reason?: string;
  /** The ids of the policies that decided. */
  readonly policies: readonly string[];
  /** Port addresses read, with their version (`quanta://d/p/port@3`). */
  readonly ports: readonly string[];
  /** Column addresses exposed to the query, with how (`quanta://d/p/port#email:hash`). */
  readonly columns: readonly string[];
  readonly rowsReturned?: number;
  readonly durationMs: number;
}

/** An audit event once recorded. */
export interface AuditEvent extends NewAuditEvent {
  readonly id: string;
  /** ISO timestamp. */
  readonly at: string;
}

/** Filters of {@link AuditStore.listAuditEvents}; all optional, combined with AND. */
export interface AuditQuery {
  readonly principal?: string;
  /** An address or an address prefix (`quanta://sales` matches every port of sales). */
  readonly address?: string;
  /** ISO timestamp: events at or after it. */
  readonly since?: string;
  readonly decision?: AuditDecision;
  /** Most recent first; default 100. */
  readonly limit?: number;
}

/** Filters of {@link AuditStore.summarizeUsage}. */
export interface UsageQuery {
  /** An address prefix: `quanta://sales/` for every port of sales. */
  readonly address: string;
  /** ISO timestamp: only queries at or after it. */
  readonly since?: string;
}

/** One consumer's allowed queries over the ports of an address prefix. */
export interface ConsumerUsage {
  readonly principal: string;
  readonly queries: number;
  /** ISO timestamp of the latest one. */
  readonly lastQueryAt: string;
}

/** The append-only log of every gateway decision. */
export interface AuditStore {
  readonly kind: 'embedded' | 'postgres';
  appendAuditEvent(event: NewAuditEvent): Promise<AuditEvent>;
  /** Most recent first. */
  listAuditEvents(query?: AuditQuery): Promise<AuditEvent[]>;
  /** Allowed queries per principal over the ports of an address prefix, by principal id. */
  summarizeUsage(query: UsageQuery): Promise<ConsumerUsage[]>;
  close(): Promise<void>;
}
