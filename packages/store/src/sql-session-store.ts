import { type Clock, systemClock } from '@quanta/model';
import type { NewSession, SessionRecord, SessionStore } from './session-store.ts';
import type { SqlExecutor, SqlRow } from './sql-database.ts';
import { readText } from './sql-row.ts';

const COLUMNS = 'id_hash, token_id, principal, created_at, expires_at';

/** Sessions over any SQL database (same SQL on both backends); the database belongs to the caller. */
export class SqlSessionStore implements SessionStore {
  readonly #db: SqlExecutor;
  readonly #clock: Clock;

  private constructor(db: SqlExecutor, clock: Clock) {
    this.#db = db;
    this.#clock = clock;
  }

  /** A store over a migrated database. */
  static create(options: { database: SqlExecutor; clock?: Clock }): SqlSessionStore {
    return new SqlSessionStore(options.database, options.clock ?? systemClock);
  }

  async createSession(session: NewSession): Promise<SessionRecord> {
    const createdAt = this.#clock.now().toISOString();
    await this.#db.query('DELETE FROM access_sessions WHERE expires_at <= ?', [createdAt]);
    const recorded: SessionRecord = {
      ...session,
      createdAt,
      expiresAt: new Date(session.expiresAt).toISOString(),
    };
    await this.#db.query(`INSERT INTO access_sessions (${COLUMNS}) VALUES (?, ?, ?, ?, ?)`, [
      recorded.idHash,
      recorded.tokenId,
      recorded.principal,
      recorded.createdAt,
      recorded.expiresAt,
    ]);
    return recorded;
  }

  async findSession(idHash: string): Promise<SessionRecord | undefined> {
    const rows = await this.#db.query(`SELECT ${COLUMNS} FROM access_sessions WHERE id_hash = ?`, [idHash]);
    return rows[0] ? sessionFromRow(rows[0]) : undefined;
  }

  async deleteSession(idHash: string): Promise<boolean> {
    const rows = await this.#db.query('DELETE FROM access_sessions WHERE id_hash = ? RETURNING id_hash', [
      idHash,
    ]);
    return rows.length > 0;
  }

  async deleteTokenSessions(tokenId: string): Promise<number> {
    return deleteTokenSessions(this.#db, tokenId);
  }
}

/** Ends every session opened with a token; shared with the token store, which calls it on revocation. */
export async function deleteTokenSessions(db: SqlExecutor, tokenId: string): Promise<number> {
  const rows = await db.query('DELETE FROM access_sessions WHERE token_id = ? RETURNING id_hash', [tokenId]);
  return rows.length;
}

function sessionFromRow(row: SqlRow): SessionRecord {
  return {
    idHash: readText(row, 'id_hash'),
    tokenId: readText(row, 'token_id'),
    principal: readText(row, 'principal'),
    createdAt: readText(row, 'created_at'),
    expiresAt: readText(row, 'expires_at'),
  };
}
