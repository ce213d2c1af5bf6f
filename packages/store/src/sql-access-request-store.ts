import { randomBytes } from 'node:crypto';
import { type Clock, QuantaError, systemClock } from '@quanta/model';
import type {
  AccessRequest,
  AccessRequestDecision,
  AccessRequestQuery,
  AccessRequestStore,
  DecidedAccessRequest,
  NewAccessRequest,
} from './access-request-store.ts';
import type { GrantRecord } from './grant-store.ts';
import type { SqlDatabase, SqlExecutor, SqlRow } from './sql-database.ts';
import { insertGrant } from './sql-grant-store.ts';
import { likePrefix, whereClause } from './sql-like.ts';
import { readNumber, readOptionalText, readText } from './sql-row.ts';

const COLUMNS =
  'id, principal, port, purpose, duration_days, state, requested_at, decided_by, decided_at, note';

/** Access requests over any SQL database; the database belongs to the caller. */
export class SqlAccessRequestStore implements AccessRequestStore {
  readonly #db: SqlDatabase;
  readonly #clock: Clock;

  private constructor(db: SqlDatabase, clock: Clock) {
    this.#db = db;
    this.#clock = clock;
  }

  /** A store over a migrated database. */
  static create(options: { database: SqlDatabase; clock?: Clock }): SqlAccessRequestStore {
    return new SqlAccessRequestStore(options.database, options.clock ?? systemClock);
  }

  async createAccessRequest(request: NewAccessRequest): Promise<AccessRequest> {
    const recorded: AccessRequest = {
      ...request,
      id: `ar-${randomBytes(5).toString('hex')}`,
      state: 'pending',
      requestedAt: this.#clock.now().toISOString(),
    };
    await this.#db.query(
      `INSERT INTO access_requests (${COLUMNS}) VALUES (?, ?, ?, ?, ?, 'pending', ?, NULL, NULL, NULL)`,
      [
        recorded.id,
        recorded.principal,
        recorded.port,
        recorded.purpose,
        recorded.durationDays,
        recorded.requestedAt,
      ],
    );
    return recorded;
  }

  async getAccessRequest(id: string): Promise<AccessRequest | undefined> {
    return requestById(this.#db, id);
  }

  async listAccessRequests(query: AccessRequestQuery = {}): Promise<AccessRequest[]> {
    const where = whereClause([
      query.principal === undefined ? undefined : ['principal = ?', query.principal],
      query.address === undefined ? undefined : ["port LIKE ? ESCAPE '!'", likePrefix(query.address)],
      query.state === undefined ? undefined : ['state = ?', query.state],
    ]);
    const rows = await this.#db.query(
      `SELECT ${COLUMNS} FROM access_requests ${where.sql} ORDER BY seq DESC`,
      where.params,
    );
    return rows.map(requestFromRow);
  }

  async decideAccessRequest(decision: AccessRequestDecision): Promise<DecidedAccessRequest> {
    const decidedAt = this.#clock.now().toISOString();
    return this.#db.transaction(async (tx) => {
      const updated = await tx.query(
        `UPDATE access_requests SET state = ?, decided_by = ?, decided_at = ?, note = ?
         WHERE id = ? AND state = 'pending' RETURNING id`,
        [
          decision.kind === 'approve' ? 'approved' : 'denied',
          decision.decidedBy,
          decidedAt,
          decision.note ?? null,
          decision.requestId,
        ],
      );
      if (updated.length === 0) throw await undecidableError(tx, decision.requestId);
      const request = await requestById(tx, decision.requestId);
      if (!request) throw new QuantaError('QUANTA_INTERNAL', `request ${decision.requestId} vanished`);
      if (decision.kind === 'deny') return { request };
      const grant: GrantRecord = {
        id: `gr-${randomBytes(5).toString('hex')}`,
        requestId: request.id,
        principal: request.principal,
        port: request.port,
        grantedBy: decision.decidedBy,
        grantedAt: decidedAt,
        expiresAt: new Date(decision.expiresAt).toISOString(),
      };
      await insertGrant(tx, grant);
      return { request, grant };
    });
  }
}

async function requestById(db: SqlExecutor, id: string): Promise<AccessRequest | undefined> {
  const rows = await db.query(`SELECT ${COLUMNS} FROM access_requests WHERE id = ?`, [id]);
  return rows[0] ? requestFromRow(rows[0]) : undefined;
}

async function undecidableError(tx: SqlExecutor, id: string): Promise<QuantaError> {
  const existing = await requestById(tx, id);
  if (!existing) {
    return new QuantaError('QUANTA_NOT_FOUND', `no access request ${id}`, {
      fix: 'list requests with: quanta access requests',
    });
  }
  return new QuantaError('QUANTA_CONFLICT', `access request ${id} is already ${existing.state}`, {
    fix: 'ask the consumer to file a new request',
  });
}

function requestFromRow(row: SqlRow): AccessRequest {
  const decidedBy = readOptionalText(row, 'decided_by');
  const decidedAt = readOptionalText(row, 'decided_at');
  const note = readOptionalText(row, 'note');
  return {
    id: readText(row, 'id'),
    principal: readText(row, 'principal'),
    port: readText(row, 'port'),
    purpose: readText(row, 'purpose'),
    durationDays: readNumber(row, 'duration_days'),
    state: readText(row, 'state') as AccessRequest['state'],
    requestedAt: readText(row, 'requested_at'),
    ...(decidedBy === undefined ? {} : { decidedBy }),
    ...(decidedAt === undefined ? {} : { decidedAt }),
    ...(note === undefined ? {} : { note }),
  };
}
