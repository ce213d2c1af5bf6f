import type { AppendedTo, ColumnType, InputVersion, SnapshotRecord } from '@quanta/model';
import type { NewSnapshot } from './catalog-store.ts';
import type { SqlParam, SqlRow } from './sql-database.ts';
import {
  jsonParam,
  optionalJsonParam,
  readJson,
  readNumber,
  readOptionalJson,
  readOptionalText,
  readText,
} from './sql-row.ts';

/** The columns of `snapshots`, in the order of {@link snapshotParams}. */
export const SNAPSHOT_COLUMNS: readonly string[] = [
  'port',
  'version',
  'schema_hash',
  'columns',
  'row_count',
  'quarantined_rows',
  'input_versions',
  'run_id',
  'created_at',
  'storage_path',
  'bytes',
  'appended_to',
  'transform_hash',
];

/** Binds a snapshot about to be published with the version and time the store assigned. */
export function snapshotParams(
  snapshot: NewSnapshot,
  assigned: { version: number; createdAt: string },
): readonly SqlParam[] {
  return [
    snapshot.port,
    assigned.version,
    snapshot.schemaHash,
    jsonParam(snapshot.columns),
    snapshot.rowCount,
    snapshot.quarantinedRows,
    jsonParam(snapshot.inputVersions),
    snapshot.runId,
    assigned.createdAt,
    snapshot.storagePath,
    snapshot.bytes,
    optionalJsonParam(snapshot.appendedTo),
    snapshot.transformHash ?? null,
  ];
}

/** Reads a `snapshots` row; SQL NULL leaves the optional fields out. */
export function snapshotFromRow(row: SqlRow): SnapshotRecord {
  const appendedTo = readOptionalJson<AppendedTo>(row, 'appended_to');
  const transformHash = readOptionalText(row, 'transform_hash');
  return {
    port: readText(row, 'port'),
    version: readNumber(row, 'version'),
    schemaHash: readText(row, 'schema_hash'),
    columns: readJson<ColumnType[]>(row, 'columns'),
    rowCount: readNumber(row, 'row_count'),
    quarantinedRows: readNumber(row, 'quarantined_rows'),
    inputVersions: readJson<InputVersion[]>(row, 'input_versions'),
    runId: readText(row, 'run_id'),
    createdAt: readText(row, 'created_at'),
    storagePath: readText(row, 'storage_path'),
    bytes: readNumber(row, 'bytes'),
    ...(appendedTo === undefined ? {} : { appendedTo }),
    ...(transformHash === undefined ? {} : { transformHash }),
  };
}
