/** What kind of change a snapshot shows against its port's history. */
export type ChangeKind =
  | 'schemaChange'
  | 'nullRate'
  | 'distinctCount'
  | 'distribution'
  | 'volume'
  | 'freshness'
  | 'quality';

/** How urgent a finding or incident is. */
export type ChangeSeverity = 'critical' | 'warning' | 'info';

/** One change detected on a snapshot (or a failed quality clause): a value, never thrown. */
export interface ChangeFinding {
  readonly kind: ChangeKind;
  readonly severity: ChangeSeverity;
  /** The port address (`quanta://d/p/port`). */
  readonly port: string;
  readonly version?: number;
  /** The run whose snapshot (or blocked check) showed the change: recording is idempotent per run and port. */
  readonly runId?: string;
  readonly column?: string;
  readonly message: string;
  /** The measured value (rate, PSI, rows, hours) and the baseline it was compared with. */
  readonly measured?: number;
  readonly baseline?: number;
}

/** Where an incident is in its life. */
export type IncidentState = 'open' | 'acknowledged' | 'resolved';

/**
 * Findings sharing one upstream root cause: a broken input reports one incident, however many
 * downstream products it reaches.
 */
export interface Incident {
  readonly id: string;
  /** The most upstream port with a finding: the root cause. */
  readonly rootPort: string;
  readonly state: IncidentState;
  readonly severity: ChangeSeverity;
  readonly title: string;
  /** Every port the incident reaches, the root first. */
  readonly ports: readonly string[];
  readonly findings: readonly ChangeFinding[];
  /** ISO timestamps. */
  readonly openedAt: string;
  readonly updatedAt: string;
  readonly resolvedAt?: string;
  /** Who acknowledged or resolved it, and why. */
  readonly note?: string;
}

/** Orders severities: critical first. */
export function severityRank(severity: ChangeSeverity): number {
  switch (severity) {
    case 'critical':
      return 0;
    case 'warning':
      return 1;
    case 'info':
      return 2;
  }
}
