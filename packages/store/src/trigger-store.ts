/** A landing file as a watermark knows it: path, size, modification time and content hash. */
export interface FileFingerprint {
  /** Mesh-relative path. */
  readonly path: string;
  readonly size: number;
  readonly mtimeMs: number;
  readonly contentHash: string;
}

/** A file a run took for ingestion. */
export interface IngestedFile extends FileFingerprint {
  readonly runId: string;
  readonly claimedAt: string;
}

/** What a trigger evaluation decided: start a run, keep waiting, or skip (with why). */
export type TriggerDecision = 'run' | 'wait' | 'skip';

/** One recorded evaluation of a product's trigger. */
export interface TriggerEvaluation {
  readonly seq: number;
  readonly product: string;
  /** The trigger's name (`cron`, `files`, `upstream`, `api`...). */
  readonly trigger: string;
  readonly evaluatedAt: string;
  readonly decision: TriggerDecision;
  readonly reason: string;
  readonly runId?: string;
  readonly details?: Readonly<Record<string, unknown>>;
  /** How many evaluations gave this same verdict in a row (1: only this one). */
  readonly repeats: number;
  /** When the last of those repeats was evaluated. */
  readonly lastEvaluatedAt?: string;
}

/** Who holds the trigger scheduler lease, and until when. */
export interface SchedulerLease {
  readonly holder: string;
  readonly expiresAt: string;
}

/**
 * Triggers and watermarks. Files are claimed by a run in one transaction, so two runs never
 * take the same file; a file taken by a run that then failed, was blocked or cancelled is free
 * again. Every trigger evaluation is kept with its reason (`quanta triggers why`).
 */
export interface TriggerStore {
  /**
   * Claims for `runId` the files not held by another live run (a resumed run gets its own
   * claims back) and returns the files the run now holds for this product and source.
   */
  claimFiles(claim: {
    product: string;
    source: string;
    runId: string;
    files: readonly FileFingerprint[];
  }): Promise<FileFingerprint[]>;
  /** Files held by runs that did not fail, be blocked or cancelled: the watermark. */
  listIngestedFiles(product: string, source?: string): Promise<IngestedFile[]>;
  recordEvaluation(
    evaluation: Omit<TriggerEvaluation, 'seq' | 'evaluatedAt' | 'repeats' | 'lastEvaluatedAt'> & {
      evaluatedAt: string;
    },
  ): Promise<TriggerEvaluation>;
  /** Counts `count` more evaluations that gave the same verdict as evaluation `seq`, the last at `at`. */
  recordRepeats(seq: number, repeat: { count: number; at: string }): Promise<void>;
  /** The product's evaluations, newest first (100 by default). */
  listEvaluations(
    product: string,
    options?: { limit?: number; trigger?: string },
  ): Promise<TriggerEvaluation[]>;
  /**
   * Takes the trigger scheduler lease for `holder` until `until`, or renews it, unless another
   * holder's lease is still valid at `now`. Returns the lease as it stands afterwards: whoever
   * holds it is the only scheduler that evaluates triggers (ADR 013).
   */
  acquireSchedulerLease(claim: { holder: string; now: string; until: string }): Promise<SchedulerLease>;
  /** Gives the lease up, if `holder` holds it, so that another scheduler takes over at once. */
  releaseSchedulerLease(holder: string): Promise<void>;
}
