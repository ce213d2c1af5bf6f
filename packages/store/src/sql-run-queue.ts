import { type Clock, type JsonObject, QuantaError, type RunRecord, type SnapshotRecord } from '@quanta/model';
import type { RunEnding } from './catalog-store.ts';
import type {
  ClaimedRun,
  LeasedStepEvent,
  LeaseRenewal,
  LineageEventRecord,
  QueuedRun,
  QueueStatus,
  RunLease,
  RunQueueStore,
} from './run-queue-store.ts';
import { RUN_COLUMNS, runFromRow, STEP_EVENT_COLUMNS, stepEventFromRow } from './run-rows.ts';
import { SNAPSHOT_COLUMNS, snapshotFromRow } from './snapshot-rows.ts';
import type { SqlDatabase, SqlExecutor, SqlRow } from './sql-database.ts';
import { jsonParam, optionalJsonParam, readJson, readNumber, readOptionalText, readText } from './sql-row.ts';

const QUEUE_COLUMNS = [
  'run_id',
  'product',
  'request',
  'status',
  'enqueued_at',
  'worker',
  'lease_token',
  'lease_expires_at',
  'cancel_requested',
].join(', ');

const LINEAGE_COLUMNS = 'seq, run_id, event_type, event_time, event';

/**
 * The run queue over any {@link SqlDatabase}. Claims lock the chosen row: on PostgreSQL with
 * `FOR UPDATE SKIP LOCKED` (concurrent workers skip each other's rows instead of waiting); on
 * SQLite the write transaction already holds the only write lock. Every write under a lease
 * checks and renews it in the statement that finds the row, inside the write's transaction.
 */
export class SqlRunQueue implements RunQueueStore {
  readonly #db: SqlDatabase;
  readonly #clock: Clock;

  constructor(database: SqlDatabase, clock: Clock) {
    this.#db = database;
    this.#clock = clock;
  }

  async enqueueRun(run: { id: string; product: string; request: JsonObject }): Promise<QueuedRun> {
    const [row] = await this.#db.query(
      "INSERT INTO run_queue (run_id, product, request, status, enqueued_at) VALUES (?, ?, ?, 'queued', ?) " +
        `RETURNING ${QUEUE_COLUMNS}`,
      [run.id, run.product, jsonParam(run.request), this.#now()],
    );
    return queuedFromRow(required(row, `run ${run.id} was not queued`));
  }

  async claimRun(options: {
    worker: string;
    leaseMs: number;
    runId?: string;
  }): Promise<ClaimedRun | undefined> {
    return this.#db.transaction(async (tx) => {
      const now = this.#now();
      const lock = this.#db.dialect.name === 'postgres' ? ' FOR UPDATE SKIP LOCKED' : '';
      const byId = options.runId === undefined ? '' : ' AND run_id = ?';
      const [candidate] = await tx.query(
        "SELECT run_id FROM run_queue WHERE (status = 'queued' OR (status = 'leased' AND lease_expires_at < ?))" +
          `${byId} ORDER BY enqueued_at, run_id LIMIT 1${lock}`,
        options.runId === undefined ? [now] : [now, options.runId],
      );
      if (!candidate) return undefined;
      const runId = readText(candidate, 'run_id');
      const [row] = await tx.query(
        "UPDATE run_queue SET status = 'leased', worker = ?, lease_token = lease_token + 1, lease_expires_at = ? " +
          `WHERE run_id = ? RETURNING ${QUEUE_COLUMNS}`,
        [options.worker, this.#later(options.leaseMs), runId],
      );
      const queued = queuedFromRow(required(row, `run ${runId} was not claimed`));
      const run = await this.#startRun(tx, queued, now);
      const lease = { runId, worker: options.worker, token: queued.leaseToken, leaseMs: options.leaseMs };
      return { queued, lease, run };
    });
  }

  async renewLease(lease: RunLease): Promise<LeaseRenewal> {
    return this.#db.transaction(async (tx) => this.#renew(tx, lease));
  }

  async appendLeasedStepEvent(lease: RunLease, event: LeasedStepEvent) {
    return this.#db.transaction(async (tx) => {
      const renewal = await this.#renew(tx, lease);
      const [counter] = await tx.query(
        'UPDATE runs SET last_seq = last_seq + 1 WHERE id = ? RETURNING last_seq',
        [lease.runId],
      );
      const seq = readNumber(required(counter, `no run ${lease.runId}`), 'last_seq');
      const [row] = await tx.query(
        'INSERT INTO step_events (run_id, seq, step, kind, at, data, path, replay, worker, attempt, duration_ms) ' +
          `VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING ${STEP_EVENT_COLUMNS.join(', ')}`,
        [
          lease.runId,
          seq,
          event.step,
          event.kind,
          this.#now(),
          optionalJsonParam(event.data),
          event.path ?? null,
          optionalJsonParam(event.replay),
          lease.worker,
          lease.token,
          event.durationMs ?? null,
        ],
      );
      return {
        event: stepEventFromRow(required(row, `the journal of run ${lease.runId} was not written`)),
        renewal,
      };
    });
  }

  async finishRun(lease: RunLease, ending: RunEnding): Promise<RunRecord> {
    return this.#db.transaction(async (tx) => {
      const [held] = await tx.query(
        "UPDATE run_queue SET status = 'done', lease_expires_at = NULL WHERE run_id = ? AND lease_token = ? AND status = 'leased' RETURNING run_id",
        [lease.runId, lease.token],
      );
      if (!held) throw leaseLost(lease);
      const [row] = await tx.query(
        'UPDATE runs SET state = ?, ended_at = ?, error = ?, result = ? ' +
          `WHERE id = ? AND state = 'running' RETURNING ${RUN_COLUMNS.join(', ')}`,
        [
          ending.state,
          this.#now(),
          optionalJsonParam(ending.error),
          optionalJsonParam(ending.result),
          lease.runId,
        ],
      );
      return runFromRow(required(row, `run ${lease.runId} is not running`));
    });
  }

  async requestCancel(runId: string): Promise<QueuedRun | undefined> {
    return this.#db.transaction(async (tx) => {
      const [row] = await tx.query(
        `UPDATE run_queue SET cancel_requested = 1 WHERE run_id = ? RETURNING ${QUEUE_COLUMNS}`,
        [runId],
      );
      if (!row) return undefined;
      const queued = queuedFromRow(row);
      if (queued.status !== 'queued') return queued;
      // Nobody holds it: it ends now, without ever starting.
      const now = this.#now();
      const [done] = await tx.query(
        `UPDATE run_queue SET status = 'done' WHERE run_id = ? RETURNING ${QUEUE_COLUMNS}`,
        [runId],
      );
      await tx.query(
        "INSERT INTO runs (id, product, state, triggered_by, started_at, ended_at) VALUES (?, ?, 'cancelled', ?, ?, ?)",
        [runId, queued.product, triggerOf(queued), now, now],
      );
      return queuedFromRow(required(done, `run ${runId} was not cancelled`));
    });
  }

  async getQueuedRun(runId: string): Promise<QueuedRun | undefined> {
    const [row] = await this.#db.query(`SELECT ${QUEUE_COLUMNS} FROM run_queue WHERE run_id = ?`, [runId]);
    return row && queuedFromRow(row);
  }

  async listActiveRuns(): Promise<readonly QueuedRun[]> {
    const rows = await this.#db.query(
      `SELECT ${QUEUE_COLUMNS} FROM run_queue WHERE status <> 'done' ORDER BY enqueued_at, run_id`,
    );
    return rows.map(queuedFromRow);
  }

  async findRunSnapshot(runId: string, port: string): Promise<SnapshotRecord | undefined> {
    const [row] = await this.#db.query(
      `SELECT ${SNAPSHOT_COLUMNS.join(', ')} FROM snapshots WHERE run_id = ? AND port = ?`,
      [runId, port],
    );
    return row && snapshotFromRow(row);
  }

  async recordLineageEvent(event: Omit<LineageEventRecord, 'seq'>): Promise<LineageEventRecord> {
    const [row] = await this.#db.query(
      `INSERT INTO lineage_events (run_id, event_type, event_time, event) VALUES (?, ?, ?, ?) RETURNING ${LINEAGE_COLUMNS}`,
      [event.runId, event.eventType, event.eventTime, jsonParam(event.event)],
    );
    return lineageFromRow(required(row, `the lineage event of run ${event.runId} was not recorded`));
  }

  async listLineageEvents(runId: string): Promise<readonly LineageEventRecord[]> {
    const rows = await this.#db.query(
      `SELECT ${LINEAGE_COLUMNS} FROM lineage_events WHERE run_id = ? ORDER BY seq`,
      [runId],
    );
    return rows.map(lineageFromRow);
  }

  /** Checks the lease (same token, not ended) and extends it, in the caller's transaction. */
  async #renew(tx: SqlExecutor, lease: RunLease): Promise<LeaseRenewal> {
    const [row] = await tx.query(
      "UPDATE run_queue SET lease_expires_at = ? WHERE run_id = ? AND lease_token = ? AND status = 'leased' " +
        'RETURNING cancel_requested',
      [this.#later(lease.leaseMs), lease.runId, lease.token],
    );
    if (!row) throw leaseLost(lease);
    return { isCancelRequested: readNumber(row, 'cancel_requested') !== 0 };
  }

  /** The run record of a claimed run: created by its first claim, unchanged by a takeover. */
  async #startRun(tx: SqlExecutor, queued: QueuedRun, now: string): Promise<RunRecord> {
    await tx.query(
      "INSERT INTO runs (id, product, state, triggered_by, started_at) VALUES (?, ?, 'running', ?, ?) " +
        'ON CONFLICT (id) DO NOTHING',
      [queued.runId, queued.product, triggerOf(queued), now],
    );
    const [row] = await tx.query(`SELECT ${RUN_COLUMNS.join(', ')} FROM runs WHERE id = ?`, [queued.runId]);
    return runFromRow(required(row, `run ${queued.runId} was not recorded`));
  }

  #now(): string {
    return this.#clock.now().toISOString();
  }

  #later(milliseconds: number): string {
    return new Date(this.#clock.now().getTime() + milliseconds).toISOString();
  }
}

function queuedFromRow(row: SqlRow): QueuedRun {
  const worker = readOptionalText(row, 'worker');
  const leaseExpiresAt = readOptionalText(row, 'lease_expires_at');
  return {
    runId: readText(row, 'run_id'),
    product: readText(row, 'product'),
    request: readJson<JsonObject>(row, 'request'),
    // The table's CHECK constraint admits only the QueueStatus values.
    status: readText(row, 'status') as QueueStatus,
    enqueuedAt: readText(row, 'enqueued_at'),
    ...(worker === undefined ? {} : { worker }),
    leaseToken: readNumber(row, 'lease_token'),
    ...(leaseExpiresAt === undefined ? {} : { leaseExpiresAt }),
    isCancelRequested: readNumber(row, 'cancel_requested') !== 0,
  };
}

function lineageFromRow(row: SqlRow): LineageEventRecord {
  return {
    seq: readNumber(row, 'seq'),
    runId: readText(row, 'run_id'),
    eventType: readText(row, 'event_type'),
    eventTime: readText(row, 'event_time'),
    event: readJson<JsonObject>(row, 'event'),
  };
}

function triggerOf(queued: QueuedRun): string {
  return typeof queued.request.trigger === 'string' ? queued.request.trigger : 'queue';
}

function required(row: SqlRow | undefined, message: string): SqlRow {
  if (!row) throw new QuantaError('QUANTA_INTERNAL', message);
  return row;
}

function leaseLost(lease: RunLease): QuantaError {
  return new QuantaError(
    'QUANTA_CONFLICT',
    `worker ${lease.worker} lost its lease on run ${lease.runId} (generation ${lease.token}): another worker took the run over or it ended`,
    { fix: 'nothing to do: the run goes on with the worker that holds it now' },
  );
}
