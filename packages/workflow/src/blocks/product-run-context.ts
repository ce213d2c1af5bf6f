import type { DataEngine } from '@quanta/engine';
import type { ProductSpec, SnapshotRecord } from '@quanta/model';
import type { CatalogStore } from '@quanta/store';

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
  readonly progress: ProgressReporter;
}
