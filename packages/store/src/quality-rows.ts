import { type QualityReport, QuantaError, type TableProfile } from '@quanta/model';
import type { QualityQuery, QualityRecord } from './quality-store.ts';
import type { SqlExecutor, SqlParam, SqlRow } from './sql-database.ts';
import { jsonParam, readJson, readNumber, readText } from './sql-row.ts';

const QUALITY_COLUMNS = 'run_id, port, version, report';

/** Inserts a quality report, linked to the snapshot version it let through (or none). */
export async function insertQualityReport(tx: SqlExecutor, record: QualityRecord): Promise<void> {
  const { report } = record;
  await tx.query(
    'INSERT INTO quality_reports (run_id, port, version, checked_at, is_blocking, enforced, total, report) ' +
      'VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    [
      record.runId,
      record.port,
      record.version ?? null,
      report.checkedAt,
      report.isBlocking ? 1 : 0,
      report.enforced,
      report.total,
      jsonParam(report),
    ],
  );
}

/** Inserts the profile of a snapshot. */
export async function insertProfile(
  tx: SqlExecutor,
  input: { port: string; version: number; profile: TableProfile },
): Promise<void> {
  await tx.query('INSERT INTO profiles (port, version, profile) VALUES (?, ?, ?)', [
    input.port,
    input.version,
    jsonParam(input.profile),
  ]);
}

/** Quality reports matching the query, newest first. */
export async function selectQualityReports(db: SqlExecutor, query: QualityQuery): Promise<QualityRecord[]> {
  const where: string[] = [];
  const params: SqlParam[] = [];
  if (query.port !== undefined) {
    where.push('port = ?');
    params.push(query.port);
  }
  if (query.runId !== undefined) {
    where.push('run_id = ?');
    params.push(query.runId);
  }
  let limit = '';
  if (query.limit !== undefined) {
    if (!Number.isSafeInteger(query.limit) || query.limit < 0)
      throw new QuantaError('QUANTA_USAGE', `a listing limit must be a whole number ≥ 0, not ${query.limit}`);
    limit = ' LIMIT ?';
    params.push(query.limit);
  }
  const filter = where.length === 0 ? '' : ` WHERE ${where.join(' AND ')}`;
  const rows = await db.query(
    `SELECT ${QUALITY_COLUMNS} FROM quality_reports${filter} ORDER BY checked_at DESC, run_id, port${limit}`,
    params,
  );
  return rows.map(qualityFromRow);
}

/** The report a snapshot was published with. */
export async function selectSnapshotQuality(
  db: SqlExecutor,
  input: { port: string; version: number },
): Promise<QualityRecord | undefined> {
  const rows = await db.query(
    `SELECT ${QUALITY_COLUMNS} FROM quality_reports WHERE port = ? AND version = ?`,
    [input.port, input.version],
  );
  return rows[0] && qualityFromRow(rows[0]);
}

/** The profile of a snapshot. */
export async function selectProfile(
  db: SqlExecutor,
  input: { port: string; version: number },
): Promise<TableProfile | undefined> {
  const rows = await db.query('SELECT profile FROM profiles WHERE port = ? AND version = ?', [
    input.port,
    input.version,
  ]);
  return rows[0] && readJson<TableProfile>(rows[0], 'profile');
}

function qualityFromRow(row: SqlRow): QualityRecord {
  const version = row.version;
  return {
    runId: readText(row, 'run_id'),
    port: readText(row, 'port'),
    ...(version === null || version === undefined ? {} : { version: readNumber(row, 'version') }),
    report: readJson<QualityReport>(row, 'report'),
  };
}
