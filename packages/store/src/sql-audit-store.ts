import { randomUUID } from 'node:crypto';
import { type Clock, systemClock } from '@quanta/model';
import type {
  AuditEvent,
  AuditQuery,
  AuditStore,
  ConsumerUsage,
  NewAuditEvent,
  UsageQuery,
} from './audit-store.ts';
import { migrateDatabase } from './migrate-database.ts';
import type { SqlDatabase, SqlParam, SqlRow } from './sql-database.ts';
import { readJson, readNumber, readOptionalText, readText } from './sql-row.ts';

/** Options of {@link SqlAuditStore.create}. */
export interface SqlAuditStoreOptions {
  /** The database to work in; the store owns it from now on and closes it on `close()`. */
  readonly database: SqlDatabase;
  readonly clock?: Clock;
}

const COLUMNS =
  'id, at, principal, actor, action, statement, decision, reason, policies, ports, columns, rows_returned, duration_ms';

/** The audit log over any {@link SqlDatabase}: one append-only table, same SQL on both backends. */
export class SqlAuditStore implements AuditStore {
  readonly kind: AuditStore['kind'];
  readonly #db: SqlDatabase;
  readonly #clock: Clock;

  private constructor(options: SqlAuditStoreOptions) {
    this.#db = options.database;
    this.#clock = options.clock ?? systemClock;
    this.kind = options.database.dialect.name === 'sqlite' ? 'embedded' : 'postgres';
  }

  /** Brings the schema up to date and returns the store. */
  static async create(options: SqlAuditStoreOptions): Promise<SqlAuditStore> {
    await migrateDatabase(options.database);
    return new SqlAuditStore(options);
  }

  async appendAuditEvent(event: NewAuditEvent): Promise<AuditEvent> {
    const recorded: AuditEvent = { ...event, id: randomUUID(), at: this.#clock.now().toISOString() };
    const params: SqlParam[] = [
      recorded.id,
      recorded.at,
      event.principal,
      event.actor,
      event.action,
      event.statement,
      event.decision,
      event.reason ?? null,
      JSON.stringify(event.policies),
      JSON.stringify(event.ports),
      JSON.stringify(event.columns),
      event.rowsReturned ?? null,
      event.durationMs,
    ];
    await this.#db.query(
      `INSERT INTO audit_events (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      params,
    );
    return recorded;
  }

  async listAuditEvents(query: AuditQuery = {}): Promise<AuditEvent[]> {
    const where: string[] = [];
    const params: SqlParam[] = [];
    if (query.principal !== undefined) {
      where.push('principal = ?');
      params.push(query.principal);
    }
    if (query.decision !== undefined) {
      where.push('decision = ?');
      params.push(query.decision);
    }
    if (query.since !== undefined) {
      where.push('at >= ?');
      params.push(new Date(query.since).toISOString());
    }
    if (query.address !== undefined) {
      where.push("(CAST(ports AS TEXT) LIKE ? ESCAPE '!' OR CAST(columns AS TEXT) LIKE ? ESCAPE '!')");
      const pattern = `%"${query.address.replace(/[!%_]/g, (char) => `!${char}`)}%`;
      params.push(pattern, pattern);
    }
    params.push(query.limit ?? 100);
    const rows = await this.#db.query(
      `SELECT ${COLUMNS} FROM audit_events ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT ?`,
      params,
    );
    return rows.map(auditEventFromRow);
  }

  async summarizeUsage(query: UsageQuery): Promise<ConsumerUsage[]> {
    const params: SqlParam[] = [`%"${query.address.replace(/[!%_]/g, (char) => `!${char}`)}%`];
    if (query.since !== undefined) params.push(new Date(query.since).toISOString());
    const rows = await this.#db.query(
      `SELECT principal, COUNT(*) AS queries, MAX(at) AS last_query_at FROM audit_events
       WHERE action IN ('query', 'export') AND decision = 'allow' AND CAST(ports AS TEXT) LIKE ? ESCAPE '!'
       ${query.since === undefined ? '' : 'AND at >= ?'}
       GROUP BY principal ORDER BY principal`,
      params,
    );
    return rows.map((row) => ({
      principal: readText(row, 'principal'),
      queries: Number(row.queries),
      lastQueryAt: readText(row, 'last_query_at'),
    }));
  }

  async close(): Promise<void> {
    await this.#db.close();
  }
}

function auditEventFromRow(row: SqlRow): AuditEvent {
  const reason = readOptionalText(row, 'reason');
  const rowsReturned = row.rows_returned;
  return {
    id: readText(row, 'id'),
    at: readText(row, 'at'),
    principal: readText(row, 'principal'),
    actor: readText(row, 'actor'),
    action: readText(row, 'action'),
    statement: readText(row, 'statement'),
    decision: readText(row, 'decision') as AuditEvent['decision'],
    ...(reason === undefined ? {} : { reason }),
    policies: readJson<string[]>(row, 'policies'),
    ports: readJson<string[]>(row, 'ports'),
    columns: readJson<string[]>(row, 'columns'),
    ...(rowsReturned === null || rowsReturned === undefined ? {} : { rowsReturned: Number(rowsReturned) }),
    durationMs: readNumber(row, 'duration_ms'),
  };
}
