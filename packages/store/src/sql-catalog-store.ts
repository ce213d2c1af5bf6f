import { randomUUID } from 'node:crypto';
import {
  type ApplyResult,
  type CatalogState,
  type Clock,
  type DomainRecord,
  type PortRecord,
  type ProductRecord,
  QuantaError,
  type RunRecord,
  type SnapshotRecord,
  type StepEvent,
  systemClock,
  type TableProfile,
} from '@quanta/model';
import type { CatalogStore, NewSnapshot, RunEnding, RunQuery } from './catalog-store.ts';
import {
  type CatalogTable,
  DOMAINS_TABLE,
  type HashedRecord,
  PORTS_TABLE,
  PRODUCTS_TABLE,
} from './catalog-tables.ts';
import { migrateDatabase } from './migrate-database.ts';
import {
  insertProfile,
  insertQualityReport,
  selectProfile,
  selectQualityReports,
  selectSnapshotQuality,
} from './quality-rows.ts';
import type { QualityQuery, QualityRecord } from './quality-store.ts';
import type { RunQueueStore } from './run-queue-store.ts';
import { RUN_COLUMNS, runFromRow, STEP_EVENT_COLUMNS, stepEventFromRow } from './run-rows.ts';
import { SNAPSHOT_COLUMNS, snapshotFromRow, snapshotParams } from './snapshot-rows.ts';
import type { SqlDatabase, SqlExecutor, SqlParam } from './sql-database.ts';
import { placeholders } from './sql-placeholders.ts';
import { optionalJsonParam, readNumber } from './sql-row.ts';
import { SqlRunQueue } from './sql-run-queue.ts';
import { SqlTriggerStore } from './sql-trigger-store.ts';
import { type SyncCounts, syncCatalogTable } from './sync-catalog-table.ts';
import type { TriggerStore } from './trigger-store.ts';

/** Options of {@link SqlCatalogStore.create}. */
export interface SqlCatalogStoreOptions {
  /** The database to work in; the store owns it from now on and closes it on `close()`. */
  readonly database: SqlDatabase;
  /** Stamps applies, snapshots, runs and step events. Default: the system clock. */
  readonly clock?: Clock;
  /** Makes apply ids. Default: random UUIDs. */
  readonly newId?: () => string;
}

const SNAPSHOT_SELECT = `SELECT ${SNAPSHOT_COLUMNS.join(', ')} FROM snapshots`;
const RUN_SELECT = `SELECT ${RUN_COLUMNS.join(', ')} FROM runs`;

/**
 * The catalog store over any {@link SqlDatabase}: the same SQL serves the embedded SQLite file
 * and PostgreSQL. Every multi-statement change runs in one transaction, and every counter (port
 * versions, journal sequence numbers) is incremented inside the statement that reads it, so
 * concurrent writers in other processes never hand out the same number twice.
 */
export class SqlCatalogStore implements CatalogStore {
  readonly kind: CatalogStore['kind'];
  readonly runQueue: RunQueueStore;
  readonly triggers: TriggerStore;
  readonly #db: SqlDatabase;
  readonly #clock: Clock;
  readonly #newId: () => string;

  private constructor(options: SqlCatalogStoreOptions) {
    this.#db = options.database;
    this.#clock = options.clock ?? systemClock;
    this.#newId = options.newId ?? randomUUID;
    this.kind = options.database.dialect.name === 'sqlite' ? 'embedded' : 'postgres';
    this.runQueue = new SqlRunQueue(this.#db, this.#clock);
    this.triggers = new SqlTriggerStore(this.#db, this.#clock);
  }

  /** Brings the database's schema up to date (a no-op when current) and returns the store over it. */
  static async create(options: SqlCatalogStoreOptions): Promise<SqlCatalogStore> {
    // Migrations are stamped with the real time, whatever clock the store is given.
    await migrateDatabase(options.database);
    return new SqlCatalogStore(options);
  }

  async applyCatalog(state: CatalogState, options: { appliedBy: string }): Promise<ApplyResult> {
    return this.#db.transaction(async (tx) => {
      const counts = sumCounts([
        await syncCatalogTable(tx, DOMAINS_TABLE, state.domains),
        await syncCatalogTable(tx, PRODUCTS_TABLE, state.products),
        await syncCatalogTable(tx, PORTS_TABLE, state.ports),
      ]);
      const applyId = this.#newId();
      const appliedAt = this.#now();
      await tx.query(
        'INSERT INTO applies (id, applied_by, applied_at, created, updated, removed, unchanged) ' +
          'VALUES (?, ?, ?, ?, ?, ?, ?)',
        [
          applyId,
          options.appliedBy,
          appliedAt,
          counts.created,
          counts.updated,
          counts.removed,
          counts.unchanged,
        ],
      );
      await tx.query('UPDATE catalog_head SET apply_id = ?, applied_at = ? WHERE id = 1', [
        applyId,
        appliedAt,
      ]);
      return { applyId, ...counts };
    });
  }

  async loadCatalog(): Promise<CatalogState> {
    // One read-only transaction: the three tables come from the same apply.
    return this.#db.transaction(
      async (tx) => ({
        domains: await readTable(tx, DOMAINS_TABLE),
        products: await readTable(tx, PRODUCTS_TABLE),
        ports: await readTable(tx, PORTS_TABLE),
      }),
      { readOnly: true },
    );
  }

  async getDomain(name: string): Promise<DomainRecord | undefined> {
    return readRecord(this.#db, DOMAINS_TABLE, name);
  }

  async getProduct(address: string): Promise<ProductRecord | undefined> {
    return readRecord(this.#db, PRODUCTS_TABLE, address);
  }

  async getPort(address: string): Promise<PortRecord | undefined> {
    return readRecord(this.#db, PORTS_TABLE, address);
  }

  async publishSnapshot(snapshot: NewSnapshot): Promise<SnapshotRecord> {
    return this.#db.transaction(async (tx) => {
      // Insert-or-increment in one statement: the row lock (PostgreSQL) or the write lock taken
      // by BEGIN IMMEDIATE (SQLite) makes concurrent publishers wait for this transaction.
      const [head] = await tx.query(
        'INSERT INTO port_heads (port, version) VALUES (?, 1) ' +
          'ON CONFLICT (port) DO UPDATE SET version = port_heads.version + 1 RETURNING version',
        [snapshot.port],
      );
      if (!head) throw new QuantaError('QUANTA_INTERNAL', `no version was assigned to ${snapshot.port}`);
      const assigned = { version: readNumber(head, 'version'), createdAt: this.#now() };
      const [row] = await tx.query(
        `INSERT INTO snapshots (${SNAPSHOT_COLUMNS.join(', ')}) VALUES (${placeholders(SNAPSHOT_COLUMNS.length)}) ` +
          `RETURNING ${SNAPSHOT_COLUMNS.join(', ')}`,
        snapshotParams(snapshot, assigned),
      );
      if (!row) throw new QuantaError('QUANTA_INTERNAL', `the snapshot of ${snapshot.port} was not recorded`);
      const { port } = snapshot;
      if (snapshot.quality)
        await insertQualityReport(tx, {
          runId: snapshot.runId,
          port,
          version: assigned.version,
          report: snapshot.quality,
        });
      if (snapshot.profile)
        await insertProfile(tx, { port, version: assigned.version, profile: snapshot.profile });
      return snapshotFromRow(row);
    });
  }

  async getCurrentSnapshot(port: string): Promise<SnapshotRecord | undefined> {
    const rows = await this.#db.query(`${SNAPSHOT_SELECT} WHERE port = ? ORDER BY version DESC LIMIT 1`, [
      port,
    ]);
    return rows[0] && snapshotFromRow(rows[0]);
  }

  async getSnapshot(port: string, version: number): Promise<SnapshotRecord | undefined> {
    const rows = await this.#db.query(`${SNAPSHOT_SELECT} WHERE port = ? AND version = ?`, [port, version]);
    return rows[0] && snapshotFromRow(rows[0]);
  }

  async listSnapshots(port: string): Promise<readonly SnapshotRecord[]> {
    const rows = await this.#db.query(`${SNAPSHOT_SELECT} WHERE port = ? ORDER BY version DESC`, [port]);
    return rows.map(snapshotFromRow);
  }

  async listCurrentSnapshots(): Promise<readonly SnapshotRecord[]> {
    const rows = await this.#db.query(
      `${SNAPSHOT_SELECT} WHERE version = (SELECT version FROM port_heads WHERE port_heads.port = snapshots.port)`,
    );
    return rows.map(snapshotFromRow).sort((a, b) => compareText(a.port, b.port));
  }

  async expireSnapshots(port: string, options: { before: string }): Promise<readonly SnapshotRecord[]> {
    return this.#db.transaction(async (tx) => {
      const expired = await tx.query(
        `${SNAPSHOT_SELECT} WHERE port = ? AND created_at < ? ` +
          'AND version < (SELECT version FROM port_heads WHERE port_heads.port = snapshots.port) ORDER BY version',
        [port, options.before],
      );
      const versions = expired.map((row) => readNumber(row, 'version'));
      for (const table of ['quality_reports', 'profiles', 'snapshots']) {
        for (const version of versions) {
          await tx.query(`DELETE FROM ${table} WHERE port = ? AND version = ?`, [port, version]);
        }
      }
      return expired.map(snapshotFromRow);
    });
  }

  async recordQualityReport(record: Omit<QualityRecord, 'version'>): Promise<void> {
    await insertQualityReport(this.#db, record);
  }

  async getQualityReport(port: string, version: number): Promise<QualityRecord | undefined> {
    return selectSnapshotQuality(this.#db, { port, version });
  }

  async listQualityReports(query: QualityQuery = {}): Promise<readonly QualityRecord[]> {
    return selectQualityReports(this.#db, query);
  }

  async getProfile(port: string, version: number): Promise<TableProfile | undefined> {
    return selectProfile(this.#db, { port, version });
  }

  async startRun(run: { id: string; product: string; trigger: string }): Promise<RunRecord> {
    const [row] = await this.#db.query(
      "INSERT INTO runs (id, product, state, triggered_by, started_at) VALUES (?, ?, 'running', ?, ?) " +
        `RETURNING ${RUN_COLUMNS.join(', ')}`,
      [run.id, run.product, run.trigger, this.#now()],
    );
    if (!row) throw new QuantaError('QUANTA_INTERNAL', `run ${run.id} was not recorded`);
    return runFromRow(row);
  }

  async endRun(id: string, ending: RunEnding): Promise<RunRecord> {
    const [row] = await this.#db.query(
      'UPDATE runs SET state = ?, ended_at = ?, error = ?, result = ? ' +
        `WHERE id = ? AND state = 'running' RETURNING ${RUN_COLUMNS.join(', ')}`,
      [ending.state, this.#now(), optionalJsonParam(ending.error), optionalJsonParam(ending.result), id],
    );
    if (row) return runFromRow(row);
    const existing = await this.getRun(id);
    if (!existing) throw unknownRun(id);
    throw new QuantaError('QUANTA_CONFLICT', `run ${id} already ended (${existing.state})`, {
      fix: 'a run ends once; start a new run to try again',
    });
  }

  async getRun(id: string): Promise<RunRecord | undefined> {
    const rows = await this.#db.query(`${RUN_SELECT} WHERE id = ?`, [id]);
    return rows[0] && runFromRow(rows[0]);
  }

  async listRuns(query: RunQuery = {}): Promise<readonly RunRecord[]> {
    const where = query.product === undefined ? '' : ' WHERE product = ?';
    const params: SqlParam[] = query.product === undefined ? [] : [query.product];
    let limit = '';
    if (query.limit !== undefined) {
      assertLimit(query.limit);
      limit = ' LIMIT ?';
      params.push(query.limit);
    }
    const rows = await this.#db.query(`${RUN_SELECT}${where} ORDER BY ordinal DESC${limit}`, params);
    return rows.map(runFromRow);
  }

  async appendStepEvent(event: Omit<StepEvent, 'seq' | 'at'>): Promise<StepEvent> {
    return this.#db.transaction(async (tx) => {
      // The counter lives on the run row: incrementing it locks the row until commit, so
      // concurrent appenders to one run get consecutive numbers.
      const [counter] = await tx.query(
        'UPDATE runs SET last_seq = last_seq + 1 WHERE id = ? RETURNING last_seq',
        [event.runId],
      );
      if (!counter) throw unknownRun(event.runId);
      const [row] = await tx.query(
        'INSERT INTO step_events (run_id, seq, step, kind, at, data) VALUES (?, ?, ?, ?, ?, ?) ' +
          `RETURNING ${STEP_EVENT_COLUMNS.join(', ')}`,
        [
          event.runId,
          readNumber(counter, 'last_seq'),
          event.step,
          event.kind,
          this.#now(),
          optionalJsonParam(event.data),
        ],
      );
      if (!row) throw new QuantaError('QUANTA_INTERNAL', `the journal of run ${event.runId} was not written`);
      return stepEventFromRow(row);
    });
  }

  async listStepEvents(runId: string): Promise<readonly StepEvent[]> {
    const rows = await this.#db.query(
      `SELECT ${STEP_EVENT_COLUMNS.join(', ')} FROM step_events WHERE run_id = ? ORDER BY seq`,
      [runId],
    );
    return rows.map(stepEventFromRow);
  }

  async close(): Promise<void> {
    await this.#db.close();
  }

  #now(): string {
    return this.#clock.now().toISOString();
  }
}

function sumCounts(counts: readonly SyncCounts[]): SyncCounts {
  return counts.reduce((sum, next) => ({
    created: sum.created + next.created,
    updated: sum.updated + next.updated,
    removed: sum.removed + next.removed,
    unchanged: sum.unchanged + next.unchanged,
  }));
}

/** Every record of a table, by key in code-point order (the same on both backends, whatever the collation). */
async function readTable<R extends HashedRecord>(tx: SqlExecutor, table: CatalogTable<R>): Promise<R[]> {
  const rows = await tx.query(`SELECT ${table.columns.join(', ')} FROM ${table.name}`);
  return rows.map((row) => table.fromRow(row)).sort((a, b) => compareText(table.keyOf(a), table.keyOf(b)));
}

async function readRecord<R extends HashedRecord>(
  db: SqlExecutor,
  table: CatalogTable<R>,
  key: string,
): Promise<R | undefined> {
  const rows = await db.query(
    `SELECT ${table.columns.join(', ')} FROM ${table.name} WHERE ${table.key} = ?`,
    [key],
  );
  return rows[0] && table.fromRow(rows[0]);
}

function compareText(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

function assertLimit(limit: number): void {
  if (!Number.isSafeInteger(limit) || limit < 0) {
    throw new QuantaError('QUANTA_USAGE', `a run listing limit must be a whole number ≥ 0, not ${limit}`);
  }
}

function unknownRun(id: string): QuantaError {
  return new QuantaError('QUANTA_NOT_FOUND', `no run ${id} in the metadata store`);
}
