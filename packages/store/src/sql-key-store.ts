import { type Clock, systemClock } from '@quanta/model';
import type { DomainKeyRecord, KeyStore, Rewrapped } from './key-store.ts';
import type { SqlDatabase, SqlExecutor, SqlRow } from './sql-database.ts';
import { readText } from './sql-row.ts';

const SELECT = 'SELECT domain, key_id, wrapped_key, master_key_id, created_at FROM domain_keys';

/** Wrapped domain keys over any {@link SqlDatabase} (the database is migrated by its opener). */
export class SqlKeyStore implements KeyStore {
  readonly #db: SqlDatabase;
  readonly #clock: Clock;

  private constructor(database: SqlDatabase, clock: Clock) {
    this.#db = database;
    this.#clock = clock;
  }

  /** A key store over an open, migrated database. */
  static create(options: { database: SqlDatabase; clock?: Clock }): SqlKeyStore {
    return new SqlKeyStore(options.database, options.clock ?? systemClock);
  }

  async listDomainKeys(): Promise<readonly DomainKeyRecord[]> {
    return listKeys(this.#db);
  }

  async addDomainKey(record: Omit<DomainKeyRecord, 'createdAt'>): Promise<DomainKeyRecord> {
    const stored = { ...record, createdAt: this.#clock.now().toISOString() };
    await this.#db.query(
      'INSERT INTO domain_keys (domain, key_id, wrapped_key, master_key_id, created_at) VALUES (?, ?, ?, ?, ?)',
      [stored.domain, stored.keyId, stored.wrappedKey, stored.masterKeyId, stored.createdAt],
    );
    return stored;
  }

  async rewrapDomainKeys(rewrap: (record: DomainKeyRecord) => Rewrapped): Promise<number> {
    return this.#db.transaction(async (tx) => {
      const records = await listKeys(tx);
      for (const record of records) {
        const next = rewrap(record);
        await tx.query('UPDATE domain_keys SET wrapped_key = ?, master_key_id = ? WHERE domain = ?', [
          next.wrappedKey,
          next.masterKeyId,
          record.domain,
        ]);
      }
      return records.length;
    });
  }
}

async function listKeys(executor: SqlExecutor): Promise<DomainKeyRecord[]> {
  const rows = await executor.query(`${SELECT} ORDER BY domain`);
  return rows.map(keyFromRow);
}

function keyFromRow(row: SqlRow): DomainKeyRecord {
  return {
    domain: readText(row, 'domain'),
    keyId: readText(row, 'key_id'),
    wrappedKey: readText(row, 'wrapped_key'),
    masterKeyId: readText(row, 'master_key_id'),
    createdAt: readText(row, 'created_at'),
  };
}
