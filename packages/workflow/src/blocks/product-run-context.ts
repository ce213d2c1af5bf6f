import type { DataEngine } from '@quanta/engine';
import type { Clock, ProductSpec, SnapshotRecord } from '@quanta/model';
import type { CatalogStore } from '@quanta/store';
import type { WorkflowClock } from '../stdlib/stdlib-function.ts';

/** Reports progress of long work (ingest of large files, say). */
export interface ProgressReporter {
  update(message: string): void;
}

/** What the `quanta.*` blocks see while a product's workflow runs. */
export interface ProductRunContext {
  readonly runId: string;
  readonly meshRoot: string;
  readonly product: ProductSpec;
  readonly engine: DataEngine;
  readonly store: CatalogStore;
  /** The product's input ports, each pinned to the snapshot current when the run started. */
  readonly inputs: ReadonlyMap<string, SnapshotRecord>;
  /**
   * The snapshots foreign keys are checked against, by target contract file (mesh-relative),
   * each pinned when the run started. Absent or missing entries make those clauses unenforceable.
   */
  readonly references?: ReadonlyMap<string, SnapshotRecord>;
  /** The time quality checks measure freshness at; the system clock when absent. */
  readonly clock?: Clock;
  /** What waiting blocks (`quanta.wait_for`, `quanta.http` retries) sleep on; the real timer when absent. */
  readonly timer?: WorkflowClock;
  /** Environment variables blocks may read (auth references); `process.env` is never read directly. */
  readonly env?: Readonly<Record<string, string>>;
  readonly progress: ProgressReporter;
}
