import type {
  ApplyResult,
  CatalogState,
  DomainRecord,
  InputVersion,
  JsonValue,
  PortRecord,
  ProductRecord,
  QualityReport,
  RunRecord,
  RunState,
  SerializedError,
  SnapshotRecord,
  StepEvent,
  TableProfile,
} from '@quanta/model';
import type { QualityStore } from './quality-store.ts';
import type { RunQueueStore } from './run-queue-store.ts';
import type { TriggerStore } from './trigger-store.ts';

/** A snapshot to publish; the store assigns its version atomically. */
export interface NewSnapshot {
  readonly port: string;
  readonly schemaHash: string;
  readonly columns: SnapshotRecord['columns'];
  readonly rowCount: number;
  readonly quarantinedRows: number;
  readonly inputVersions: readonly InputVersion[];
  readonly runId: string;
  readonly storagePath: string;
  readonly bytes: number;
  /** The port's snapshot this one extends by appending rows, when it does (see {@link SnapshotRecord}). */
  readonly appendedTo?: SnapshotRecord['appendedTo'];
  /** What computed the rows, when a `quanta.sql` transform did (see {@link SnapshotRecord}). */
  readonly transformHash?: string;
  /** The quality report the snapshot passed, stored in the same transaction. */
  readonly quality?: QualityReport;
  /** The snapshot's profile, stored in the same transaction. */
  readonly profile?: TableProfile;
}

/** How a run ends. */
export interface RunEnding {
  readonly state: Exclude<RunState, 'running'>;
  readonly error?: SerializedError;
  readonly result?: JsonValue;
}

/** Filters for listing runs. */
export interface RunQuery {
  readonly product?: string;
  readonly limit?: number;
}

/**
 * The control-plane metadata store: catalog, snapshots, runs and their step journal, and the
 * quality and profile of every snapshot. One interface, two backends (embedded SQLite and
 * PostgreSQL), one behaviour suite.
 */
export interface CatalogStore extends QualityStore {
  /** Which backend this is, for diagnostics. */
  readonly kind: 'embedded' | 'postgres';
  /** Durable runs: the queue, leases, fenced journal, run snapshots and lineage events. */
  readonly runQueue: RunQueueStore;
  /** File watermarks and trigger evaluations (`store.triggers`). */
  readonly triggers: TriggerStore;

  /** Replaces the deployed catalog by `state` in one transaction; idempotent. */
  applyCatalog(state: CatalogState, options: { appliedBy: string }): Promise<ApplyResult>;
  /** The deployed catalog, as the last apply left it. */
  loadCatalog(): Promise<CatalogState>;
  getDomain(name: string): Promise<DomainRecord | undefined>;
  getProduct(address: string): Promise<ProductRecord | undefined>;
  getPort(address: string): Promise<PortRecord | undefined>;

  /** Records a snapshot with the next version of its port and makes it current, atomically. */
  publishSnapshot(snapshot: NewSnapshot): Promise<SnapshotRecord>;
  /** The current (latest published) snapshot of a port. */
  getCurrentSnapshot(port: string): Promise<SnapshotRecord | undefined>;
  getSnapshot(port: string, version: number): Promise<SnapshotRecord | undefined>;
  /** Snapshots of a port, newest first. */
  listSnapshots(port: string): Promise<readonly SnapshotRecord[]>;
  /** Every current snapshot, one per port. */
  listCurrentSnapshots(): Promise<readonly SnapshotRecord[]>;
  /**
   * Retention: removes, in one transaction, the snapshots of a port published before `before`
   * (an ISO time) with their quality reports and profiles, never the current one. Returns the
   * removed records, whose files the caller then deletes.
   */
  expireSnapshots(port: string, options: { before: string }): Promise<readonly SnapshotRecord[]>;

  startRun(run: { id: string; product: string; trigger: string }): Promise<RunRecord>;
  endRun(id: string, ending: RunEnding): Promise<RunRecord>;
  getRun(id: string): Promise<RunRecord | undefined>;
  listRuns(query?: RunQuery): Promise<readonly RunRecord[]>;
  /** Appends a journal entry; `seq` is assigned by the store, in order, per run. */
  appendStepEvent(event: Omit<StepEvent, 'seq' | 'at'>): Promise<StepEvent>;
  listStepEvents(runId: string): Promise<readonly StepEvent[]>;

  close(): Promise<void>;
}
