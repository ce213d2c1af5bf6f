import { type Clock, systemClock } from '@quanta/model';
import type { GrantQuery, GrantRecord, GrantRevocation, GrantStore } from './grant-store.ts';
import type { SqlExecutor, SqlRow } from './sql-database.ts';
import { likePrefix, whereClause } from './sql-like.ts';
import { readOptionalText, readText } from './sql-row.ts';

const INSERTED_COLUMNS = 'id, request_id, principal, port, granted_by, granted_at, expires_at, revoked_at';
const COLUMNS = `${INSERTED_COLUMNS}, revoked_by, revoke_reason`;

/** Grants over any SQL database; the database belongs to the caller. */
export class SqlGrantStore implements GrantStore {
  readonly #db: SqlExecutor;
  readonly #clock: Clock;

  private constructor(db: SqlExecutor, clock: Clock) {
    this.#db = db;
    this.#clock = clock;
  }

  /** A store over a migrated database. */
  static create(options: { database: SqlExecutor; clock?: Clock }): SqlGrantStore {
    return new SqlGrantStore(options.database, options.clock ?? systemClock);
  }

  async listGrants(query: GrantQuery = {}): Promise<GrantRecord[]> {
    const activeAt = query.activeAt === undefined ? undefined : new Date(query.activeAt).toISOString();
    const where = whereClause([
      query.principal === undefined ? undefined : ['principal = ?', query.principal],
      query.domain === undefined
        ? undefined
        : ["port LIKE ? ESCAPE '!'", likePrefix(`quanta://${query.domain}/`)],
      query.address === undefined ? undefined : ["port LIKE ? ESCAPE '!'", likePrefix(query.address)],
      activeAt === undefined ? undefined : ['expires_at > ? AND revoked_at IS NULL', activeAt],
    ]);
    const rows = await this.#db.query(
      `SELECT ${COLUMNS} FROM access_grants ${where.sql} ORDER BY seq DESC`,
      where.params,
    );
    return rows.map(grantFromRow);
  }

  async getGrant(id: string): Promise<GrantRecord | undefined> {
    const rows = await this.#db.query(`SELECT ${COLUMNS} FROM access_grants WHERE id = ?`, [id]);
    return rows[0] ? grantFromRow(rows[0]) : undefined;
  }

  async revokeGrant(id: string, revocation: GrantRevocation): Promise<GrantRecord | undefined> {
    await this.#db.query(
      'UPDATE access_grants SET revoked_at = ?, revoked_by = ?, revoke_reason = ? WHERE id = ? AND revoked_at IS NULL',
      [this.#clock.now().toISOString(), revocation.revokedBy, revocation.reason, id],
    );
    return this.getGrant(id);
  }
}

/** Records a grant; called by the request store inside the approval's transaction. */
export async function insertGrant(tx: SqlExecutor, grant: GrantRecord): Promise<void> {
  await tx.query(`INSERT INTO access_grants (${INSERTED_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, NULL)`, [
    grant.id,
    grant.requestId,
    grant.principal,
    grant.port,
    grant.grantedBy,
    grant.grantedAt,
    new Date(grant.expiresAt).toISOString(),
  ]);
}

function grantFromRow(row: SqlRow): GrantRecord {
  const revokedAt = readOptionalText(row, 'revoked_at');
  const revokedBy = readOptionalText(row, 'revoked_by');
  const revokeReason = readOptionalText(row, 'revoke_reason');
  return {
    id: readText(row, 'id'),
    requestId: readText(row, 'request_id'),
    principal: readText(row, 'principal'),
    port: readText(row, 'port'),
    grantedBy: readText(row, 'granted_by'),
    grantedAt: readText(row, 'granted_at'),
    expiresAt: readText(row, 'expires_at'),
    ...(revokedAt === undefined ? {} : { revokedAt }),
    ...(revokedBy === undefined ? {} : { revokedBy }),
    ...(revokeReason === undefined ? {} : { revokeReason }),
  };
}
