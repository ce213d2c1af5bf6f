import type { EngineCallOptions, StagedTable } from '@quanta/engine';
import {
  isJsonObject,
  type JsonObject,
  type JsonValue,
  QuantaError,
  type SnapshotRecord,
} from '@quanta/model';
import type { BlockControl } from '../run-workflow.ts';

/**
 * Steps pass handles, never data: a staged table's file, row counts and schema, or a published
 * snapshot's address and version.
 */
export function stagedHandle(staged: StagedTable): JsonObject {
  return {
    kind: 'staged',
    path: staged.path,
    rowCount: staged.rowCount,
    quarantinedRows: staged.quarantinedRows,
    rowsIn: staged.rowsIn,
    schemaHash: staged.schemaHash,
    columns: staged.columns.map((column: StagedTable['columns'][number]) => ({
      name: column.name,
      type: column.type,
    })),
  };
}

/** Reads a staged-table handle back; anything else is a usage error naming the argument. */
export function stagedTableOf(value: JsonValue | undefined, argument: string): StagedTable {
  if (!isJsonObject(value) || value.kind !== 'staged' || typeof value.path !== 'string') {
    throw new QuantaError('QUANTA_WORKFLOW_FAILED', `argument '${argument}' is not a staged table handle`, {
      fix: 'pass the `result` of a quanta.ingest or quanta.sql step, e.g. `from: ${staged}`',
    });
  }
  const columns = Array.isArray(value.columns) ? value.columns.filter(isJsonObject) : [];
  return {
    path: value.path,
    rowCount: Number(value.rowCount),
    quarantinedRows: Number(value.quarantinedRows),
    rowsIn: Number(value.rowsIn),
    schemaHash: String(value.schemaHash),
    columns: columns.map((column) => ({ name: String(column.name), type: String(column.type) })),
  };
}

/** The engine call options of a block: its abort signal (step timeout, cancelled run), if any. */
export function signalOf(control: BlockControl | undefined): EngineCallOptions {
  return control ? { signal: control.signal } : {};
}

/** The handle of a published snapshot. */
export function snapshotHandle(snapshot: SnapshotRecord): JsonObject {
  return {
    kind: 'snapshot',
    address: `${snapshot.port}@${snapshot.version}`,
    port: snapshot.port,
    version: snapshot.version,
    rowCount: snapshot.rowCount,
    quarantinedRows: snapshot.quarantinedRows,
    schemaHash: snapshot.schemaHash,
  };
}
