import { type Clock, systemClock } from '@quanta/model';
import type { SqlExecutor, SqlRow } from './sql-database.ts';
import { whereClause } from './sql-like.ts';
import { readOptionalText, readText } from './sql-row.ts';
import { deleteTokenSessions } from './sql-session-store.ts';
import type { NewToken, StoredToken, TokenQuery, TokenRecord, TokenStore } from './token-store.ts';

const COLUMNS = 'id, principal, name, salt, hash, created_by, created_at, expires_at, revoked_at';

/** Tokens over any SQL database (same SQL on both backends); the database belongs to the caller. */
export class SqlTokenStore implements TokenStore {
  readonly #db: SqlExecutor;
  readonly #clock: Clock;

  private constructor(db: SqlExecutor, clock: Clock) {
    this.#db = db;
    this.#clock = clock;
  }

  /** A store over a migrated database. */
  static create(options: { database: SqlExecutor; clock?: Clock }): SqlTokenStore {
    return new SqlTokenStore(options.database, options.clock ?? systemClock);
  }

  async createToken(token: NewToken): Promise<TokenRecord> {
    const createdAt = this.#clock.now().toISOString();
    await this.#db.query(`INSERT INTO access_tokens (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL)`, [
      token.id,
      token.principal,
      token.name,
      token.salt,
      token.hash,
      token.createdBy,
      createdAt,
      token.expiresAt === undefined ? null : new Date(token.expiresAt).toISOString(),
    ]);
    return publicRecord(await this.#stored(token.id));
  }

  async findToken(id: string): Promise<StoredToken | undefined> {
    const rows = await this.#db.query(`SELECT ${COLUMNS} FROM access_tokens WHERE id = ?`, [id]);
    return rows[0] ? tokenFromRow(rows[0]) : undefined;
  }

  async listTokens(query: TokenQuery = {}): Promise<TokenRecord[]> {
    const where = whereClause([
      query.principal === undefined ? undefined : ['principal = ?', query.principal],
    ]);
    const rows = await this.#db.query(
      `SELECT ${COLUMNS} FROM access_tokens ${where.sql} ORDER BY created_at DESC, id`,
      where.params,
    );
    return rows.map((row) => publicRecord(tokenFromRow(row)));
  }

  async revokeToken(id: string): Promise<TokenRecord | undefined> {
    await this.#db.query('UPDATE access_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL', [
      this.#clock.now().toISOString(),
      id,
    ]);
    const token = await this.findToken(id);
    if (!token) return undefined;
    // Authentication refuses a revoked token's sessions anyway; deleting them keeps none behind.
    await deleteTokenSessions(this.#db, id);
    return publicRecord(token);
  }

  async #stored(id: string): Promise<StoredToken> {
    const token = await this.findToken(id);
    if (!token) throw new Error(`token ${id} vanished after insert`);
    return token;
  }
}

function tokenFromRow(row: SqlRow): StoredToken {
  const expiresAt = readOptionalText(row, 'expires_at');
  const revokedAt = readOptionalText(row, 'revoked_at');
  return {
    id: readText(row, 'id'),
    principal: readText(row, 'principal'),
    name: readText(row, 'name'),
    salt: readText(row, 'salt'),
    hash: readText(row, 'hash'),
    createdBy: readText(row, 'created_by'),
    createdAt: readText(row, 'created_at'),
    ...(expiresAt === undefined ? {} : { expiresAt }),
    ...(revokedAt === undefined ? {} : { revokedAt }),
  };
}

function publicRecord(token: StoredToken): TokenRecord {
  const { salt: _salt, hash: _hash, ...record } = token;
  return record;
}
