import type { Clock } from '@quanta/model';
import type { AccessStore } from './access-store.ts';
import { migrateDatabase } from './migrate-database.ts';
import { type CatalogStoreLocation, openStoreDatabase } from './open-store-database.ts';
import { SqlAccessRequestStore } from './sql-access-request-store.ts';
import type { SqlDatabase } from './sql-database.ts';
import { SqlGrantStore } from './sql-grant-store.ts';
import { SqlSessionStore } from './sql-session-store.ts';
import { SqlTokenStore } from './sql-token-store.ts';

/**
 * Opens tokens, access requests and grants in the same database as the catalog (their own
 * connection), migrating it when needed.
 */
export async function openAccessStore(
  location: CatalogStoreLocation,
  options: { clock?: Clock } = {},
): Promise<AccessStore> {
  const database = await openStoreDatabase(location);
  try {
    await migrateDatabase(database);
  } catch (error) {
    await database.close();
    throw error;
  }
  return accessStoreOver(database, options);
}

/** Tokens, access requests and grants over an open, migrated database; closing closes it. */
export function accessStoreOver(database: SqlDatabase, options: { clock?: Clock } = {}): AccessStore {
  const stores = { database, ...(options.clock ? { clock: options.clock } : {}) };
  return {
    kind: database.dialect.name === 'sqlite' ? 'embedded' : 'postgres',
    tokens: SqlTokenStore.create(stores),
    sessions: SqlSessionStore.create(stores),
    requests: SqlAccessRequestStore.create(stores),
    grants: SqlGrantStore.create(stores),
    close: () => database.close(),
  };
}
