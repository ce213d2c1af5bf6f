import type { QualityReport, TableProfile } from '@quanta/model';

/** A quality report as stored: the run and port it checked, and the snapshot it let through. */
export interface QualityRecord {
  readonly runId: string;
  readonly port: string;
  /** The snapshot published with this report; absent when the report blocked publication. */
  readonly version?: number;
  readonly report: QualityReport;
}

/** Filters for listing quality reports, newest first. */
export interface QualityQuery {
  readonly port?: string;
  readonly runId?: string;
  readonly limit?: number;
}

/**
 * Quality results and profiles. A published snapshot's report and profile are written in the
 * same transaction as the snapshot (see `NewSnapshot`); a blocked run's report is recorded alone.
 */
export interface QualityStore {
  /** Records the report of a check that published nothing (a blocked run). */
  recordQualityReport(record: Omit<QualityRecord, 'version'>): Promise<void>;
  /** The report a snapshot was published with. */
  getQualityReport(port: string, version: number): Promise<QualityRecord | undefined>;
  listQualityReports(query?: QualityQuery): Promise<readonly QualityRecord[]>;
  /** The profile of a snapshot. */
  getProfile(port: string, version: number): Promise<TableProfile | undefined>;
}
