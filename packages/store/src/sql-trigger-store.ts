import type { Clock } from '@quanta/model';
import type { SqlDatabase, SqlParam, SqlRow } from './sql-database.ts';
import { jsonParam, readNumber, readOptionalJson, readOptionalText, readText } from './sql-row.ts';
import type {
  FileFingerprint,
  IngestedFile,
  SchedulerLease,
  TriggerDecision,
  TriggerEvaluation,
  TriggerStore,
} from './trigger-store.ts';

const DEAD_RUN = "SELECT id FROM runs WHERE state IN ('failed', 'blocked', 'cancelled')";
const FILE_COLUMNS = 'path, size, mtime_ms, content_hash, run_id, claimed_at';
const EVALUATION_COLUMNS =
  'seq, product, trigger_name, evaluated_at, decision, reason, run_id, details, repeats, last_evaluated_at';

/** Watermarks and trigger evaluations over any {@link SqlDatabase} (migration 7). */
export class SqlTriggerStore implements TriggerStore {
  readonly #db: SqlDatabase;
  readonly #clock: Clock;

  constructor(database: SqlDatabase, clock: Clock) {
    this.#db = database;
    this.#clock = clock;
  }

  async claimFiles(claim: {
    product: string;
    source: string;
    runId: string;
    files: readonly FileFingerprint[];
  }): Promise<FileFingerprint[]> {
    const now = this.#clock.now().toISOString();
    return this.#db.transaction(async (tx) => {
      for (const file of claim.files) {
        await tx.query(
          `INSERT INTO ingested_files (product, source, ${FILE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (product, source, path, size, mtime_ms, content_hash) DO UPDATE
           SET run_id = excluded.run_id, claimed_at = excluded.claimed_at
           WHERE ingested_files.run_id IN (${DEAD_RUN})`,
          [
            claim.product,
            claim.source,
            file.path,
            file.size,
            file.mtimeMs,
            file.contentHash,
            claim.runId,
            now,
          ],
        );
      }
      const rows = await tx.query(
        `SELECT ${FILE_COLUMNS} FROM ingested_files WHERE product = ? AND source = ? AND run_id = ? ORDER BY path`,
        [claim.product, claim.source, claim.runId],
      );
      return rows.map(fileFromRow);
    });
  }

  async acquireSchedulerLease(claim: {
    holder: string;
    now: string;
    until: string;
  }): Promise<SchedulerLease> {
    return this.#db.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO scheduler_lease (name, holder, expires_at) VALUES ('triggers', ?, ?)
         ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
         WHERE scheduler_lease.holder = excluded.holder OR scheduler_lease.expires_at < ?`,
        [claim.holder, claim.until, claim.now],
      );
      const [row] = await tx.query("SELECT holder, expires_at FROM scheduler_lease WHERE name = 'triggers'");
      if (!row) throw new Error('the scheduler lease was not written');
      return { holder: readText(row, 'holder'), expiresAt: readText(row, 'expires_at') };
    });
  }

  async releaseSchedulerLease(holder: string): Promise<void> {
    await this.#db.query("DELETE FROM scheduler_lease WHERE name = 'triggers' AND holder = ?", [holder]);
  }

  async listIngestedFiles(product: string, source?: string): Promise<IngestedFile[]> {
    const params: SqlParam[] = [product];
    if (source !== undefined) params.push(source);
    const rows = await this.#db.query(
      `SELECT ${FILE_COLUMNS} FROM ingested_files WHERE product = ?${source === undefined ? '' : ' AND source = ?'}
       AND run_id NOT IN (${DEAD_RUN}) ORDER BY path`,
      params,
    );
    return rows.map(fileFromRow);
  }

  async recordRepeats(seq: number, repeat: { count: number; at: string }): Promise<void> {
    await this.#db.query(
      'UPDATE trigger_evaluations SET repeats = repeats + ?, last_evaluated_at = ? WHERE seq = ?',
      [repeat.count, repeat.at, seq],
    );
  }

  async recordEvaluation(
    evaluation: Omit<TriggerEvaluation, 'seq' | 'evaluatedAt' | 'repeats' | 'lastEvaluatedAt'> & {
      evaluatedAt: string;
    },
  ): Promise<TriggerEvaluation> {
    const [row] = await this.#db.query(
      `INSERT INTO trigger_evaluations (product, trigger_name, evaluated_at, decision, reason, run_id, details)
       VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING ${EVALUATION_COLUMNS}`,
      [
        evaluation.product,
        evaluation.trigger,
        evaluation.evaluatedAt,
        evaluation.decision,
        evaluation.reason,
        evaluation.runId ?? null,
        evaluation.details === undefined ? null : jsonParam(evaluation.details),
      ],
    );
    if (!row) throw new Error('the trigger evaluation was not recorded');
    return evaluationFromRow(row);
  }

  async listEvaluations(
    product: string,
    options: { limit?: number; trigger?: string } = {},
  ): Promise<TriggerEvaluation[]> {
    const params: SqlParam[] = [product];
    if (options.trigger !== undefined) params.push(options.trigger);
    params.push(options.limit ?? 100);
    const rows = await this.#db.query(
      `SELECT ${EVALUATION_COLUMNS} FROM trigger_evaluations WHERE product = ?${options.trigger === undefined ? '' : ' AND trigger_name = ?'}
       ORDER BY seq DESC LIMIT ?`,
      params,
    );
    return rows.map(evaluationFromRow);
  }
}

function fileFromRow(row: SqlRow): IngestedFile {
  return {
    path: readText(row, 'path'),
    size: readNumber(row, 'size'),
    mtimeMs: readNumber(row, 'mtime_ms'),
    contentHash: readText(row, 'content_hash'),
    runId: readText(row, 'run_id'),
    claimedAt: readText(row, 'claimed_at'),
  };
}

function evaluationFromRow(row: SqlRow): TriggerEvaluation {
  const runId = readOptionalText(row, 'run_id');
  const details = readOptionalJson<Record<string, unknown>>(row, 'details');
  const lastEvaluatedAt = readOptionalText(row, 'last_evaluated_at');
  return {
    seq: readNumber(row, 'seq'),
    product: readText(row, 'product'),
    trigger: readText(row, 'trigger_name'),
    evaluatedAt: readText(row, 'evaluated_at'),
    decision: readText(row, 'decision') as TriggerDecision,
    reason: readText(row, 'reason'),
    ...(runId === undefined ? {} : { runId }),
    ...(details === undefined ? {} : { details }),
    repeats: readNumber(row, 'repeats'),
    ...(lastEvaluatedAt === undefined ? {} : { lastEvaluatedAt }),
  };
}
