import type { SerializedError } from './errors.ts';
import type { JsonObject, JsonValue } from './json.ts';
import type { ColumnSpec } from './mesh.ts';

/** The catalog's view of a domain, as deployed by `quanta apply`. */
export interface DomainRecord {
  readonly name: string;
  readonly owner: string;
  readonly description?: string;
  readonly spec: JsonObject;
  /** Hash of the canonical spec: equal hashes mean nothing changed. */
  readonly hash: string;
}

/** The catalog's view of a product. */
export interface ProductRecord {
  readonly domain: string;
  readonly name: string;
  readonly address: string;
  readonly version: string;
  readonly description?: string;
  readonly owner?: string;
  /** Addresses of the upstream output ports this product reads. */
  readonly inputs: readonly string[];
  readonly spec: JsonObject;
  readonly hash: string;
}

/** The catalog's view of an output port and its contract. */
export interface PortRecord {
  readonly domain: string;
  readonly product: string;
  readonly name: string;
  readonly address: string;
  readonly contractId: string;
  readonly contractVersion: string;
  readonly columns: readonly ColumnSpec[];
  readonly contract: JsonObject;
  readonly hash: string;
}

/** Everything `quanta apply` deploys, in one value: applied in one transaction. */
export interface CatalogState {
  readonly domains: readonly DomainRecord[];
  readonly products: readonly ProductRecord[];
  readonly ports: readonly PortRecord[];
}

/** What one apply changed. */
export interface ApplyResult {
  readonly applyId: string;
  readonly created: number;
  readonly updated: number;
  readonly removed: number;
  readonly unchanged: number;
}

/** The physical type of a published column, as the engine reports it. */
export interface ColumnType {
  readonly name: string;
  readonly type: string;
}

/** The version of an input port a snapshot was computed from. */
export interface InputVersion {
  readonly port: string;
  readonly version: number;
}

/**
 * The snapshot of the same port another one extends: its first `rows` rows are exactly that
 * version's rows, in order, and the rest were appended (an incremental ingest or an incremental
 * SQL transform, ADR 018).
 */
export interface AppendedTo {
  readonly version: number;
  readonly rows: number;
}

/** One immutable published version of an output port. */
export interface SnapshotRecord {
  /** The port address, without version. */
  readonly port: string;
  readonly version: number;
  readonly schemaHash: string;
  readonly columns: readonly ColumnType[];
  readonly rowCount: number;
  readonly quarantinedRows: number;
  readonly inputVersions: readonly InputVersion[];
  readonly runId: string;
  readonly createdAt: string;
  /** Where the snapshot's data lives, relative to the mesh's storage root. */
  readonly storagePath: string;
  readonly bytes: number;
  /**
   * Set when the snapshot was published as an append to an earlier snapshot of the port, whose
   * rows it keeps first and unchanged; absent for a snapshot computed or ingested whole.
   */
  readonly appendedTo?: AppendedTo;
  /**
   * Set when a `quanta.sql` transform computed the rows: a hash of its query, its input port
   * bindings and the port's quarantine rules. An incremental transform appends to a snapshot
   * only if it carries the same hash (ADR 018).
   */
  readonly transformHash?: string;
}

/** Lifecycle of a run. `blocked` means a gate stopped publication. */
export type RunState = 'running' | 'succeeded' | 'failed' | 'blocked' | 'cancelled';

/** One execution of a product's workflow. */
export interface RunRecord {
  readonly id: string;
  /** Product address. */
  readonly product: string;
  readonly state: RunState;
  readonly trigger: string;
  readonly startedAt: string;
  readonly endedAt?: string;
  readonly error?: SerializedError;
  readonly result?: JsonValue;
}

/** A journal entry of a run: a step started, finished or failed. */
export interface StepEvent {
  readonly runId: string;
  readonly seq: number;
  readonly step: string;
  readonly kind: 'started' | 'succeeded' | 'failed';
  readonly at: string;
  readonly data?: JsonValue;
  /** The step's deterministic position in the run (loop iterations, branches, calls, attempts). */
  readonly path?: string;
  /** What a resumed run takes instead of executing the step again: its jump and variables after it. */
  readonly replay?: JsonValue;
  /** The worker that journaled the entry. */
  readonly worker?: string;
  /** The lease generation (1 for the first claim of the run, 2 after a takeover...). */
  readonly attempt?: number;
  readonly durationMs?: number;
}
