import type { Incident, IncidentState } from '@quanta/model';

/** Filters of {@link IncidentStore.listIncidents}; combined with AND. */
export interface IncidentQuery {
  readonly state?: IncidentState;
  /** Incidents reaching this port (root or downstream). */
  readonly port?: string;
  /** Most recently updated first; default 100. */
  readonly limit?: number;
}

/**
 * Incidents: change findings grouped by upstream root cause, with their state. The store keeps
 * them; grouping and transitions are decided by the services (ADR 010).
 */
export interface IncidentStore {
  readonly kind: 'embedded' | 'postgres';
  /** Inserts the incident, or replaces the one with its id. */
  saveIncident(incident: Incident): Promise<void>;
  getIncident(id: string): Promise<Incident | undefined>;
  listIncidents(query?: IncidentQuery): Promise<Incident[]>;
  close(): Promise<void>;
}
