import type { JsonObject, RunRecord, SnapshotRecord, StepEvent } from '@quanta/model';
import type { RunEnding } from './catalog-store.ts';

/** Where a queued run is: waiting, leased by a worker, or done. */
export type QueueStatus = 'queued' | 'leased' | 'done';

/** A run in the queue: what to run, and who holds it until when. */
export interface QueuedRun {
  readonly runId: string;
  /** Product address. */
  readonly product: string;
  /** What the run was asked to do (trigger, re-run from a step...), as the enqueuer wrote it. */
  readonly request: JsonObject;
  readonly status: QueueStatus;
  readonly enqueuedAt: string;
  readonly worker?: string;
  /** The lease generation: incremented by every claim, checked by every write of the holder. */
  readonly leaseToken: number;
  readonly leaseExpiresAt?: string;
  readonly isCancelRequested: boolean;
}

/**
 * A worker's hold on a run. Every write the worker makes for the run presents it: a write with
 * an outdated token (the lease expired and another worker took the run over) is refused, so no
 * step completes twice (a fencing token).
 */
export interface RunLease {
  readonly runId: string;
  readonly worker: string;
  readonly token: number;
  /** How long each renewal extends the lease. */
  readonly leaseMs: number;
}

/** A journal entry written under a lease. */
export type LeasedStepEvent = Omit<StepEvent, 'runId' | 'seq' | 'at' | 'worker' | 'attempt'>;

/** What renewing a lease tells its holder. */
export interface LeaseRenewal {
  readonly isCancelRequested: boolean;
}

/** A claimed run: the queue entry (with the new lease) and the run record. */
export interface ClaimedRun {
  readonly queued: QueuedRun;
  readonly lease: RunLease;
  readonly run: RunRecord;
}

/** A stored OpenLineage RunEvent. */
export interface LineageEventRecord {
  readonly seq: number;
  readonly runId: string;
  readonly eventType: string;
  readonly eventTime: string;
  readonly event: JsonObject;
}

/**
 * Durable runs: the queue workers claim runs from with leases, the fenced step journal, the
 * exactly-once lookup of a run's snapshots and the run's lineage events. Embedded: claims are
 * serialized by SQLite's write lock. PostgreSQL: `FOR UPDATE SKIP LOCKED`, so any number of
 * workers on any machines claim different runs without waiting for each other.
 */
export interface RunQueueStore {
  /** Queues a run for any worker. */
  enqueueRun(run: { id: string; product: string; request: JsonObject }): Promise<QueuedRun>;
  /**
   * Claims the oldest run that is queued or whose lease expired (or exactly `runId`), leases it
   * to `worker` for `leaseMs` and records the run as running. Undefined when there is none.
   */
  claimRun(options: { worker: string; leaseMs: number; runId?: string }): Promise<ClaimedRun | undefined>;
  /** Extends the lease; QUANTA_CONFLICT when it was lost (expired and taken over, or the run ended). */
  renewLease(lease: RunLease): Promise<LeaseRenewal>;
  /** Appends a journal entry if the lease still holds, renewing it in the same transaction. */
  appendLeasedStepEvent(
    lease: RunLease,
    event: LeasedStepEvent,
  ): Promise<{ event: StepEvent; renewal: LeaseRenewal }>;
  /** Ends the run if the lease still holds, and takes it off the queue. */
  finishRun(lease: RunLease, ending: RunEnding): Promise<RunRecord>;
  /**
   * Asks a run to stop: a queued run ends `cancelled` at once, a leased one at its next step
   * boundary (its holder sees the request when it renews). Undefined for an unknown run.
   */
  requestCancel(runId: string): Promise<QueuedRun | undefined>;
  getQueuedRun(runId: string): Promise<QueuedRun | undefined>;
  /** Runs queued or leased, oldest first. */
  listActiveRuns(): Promise<readonly QueuedRun[]>;
  /** The snapshot a run published to a port, if any: what makes a publish happen once. */
  findRunSnapshot(runId: string, port: string): Promise<SnapshotRecord | undefined>;
  /** Records an OpenLineage RunEvent of a run. */
  recordLineageEvent(event: Omit<LineageEventRecord, 'seq'>): Promise<LineageEventRecord>;
  /** A run's lineage events in the order they were recorded. */
  listLineageEvents(runId: string): Promise<readonly LineageEventRecord[]>;
}
