import type { Clock } from '@quanta/model';
import type { CatalogStore } from './catalog-store.ts';
import { type CatalogStoreLocation, openStoreDatabase } from './open-store-database.ts';
import { SqlCatalogStore } from './sql-catalog-store.ts';

export type { CatalogStoreLocation } from './open-store-database.ts';

/** Options of {@link openCatalogStore} beyond the location. */
export interface OpenCatalogStoreOptions {
  readonly clock?: Clock;
}

/**
 * Opens the catalog store at `location`, creating the database file or schema when missing and
 * migrating it to the current schema. Concurrent openers of a fresh database wait for each
 * other, so every one of them finds it migrated.
 */
export async function openCatalogStore(
  location: CatalogStoreLocation,
  options: OpenCatalogStoreOptions = {},
): Promise<CatalogStore> {
  const database = await openStoreDatabase(location);
  try {
    return await SqlCatalogStore.create({ database, ...(options.clock ? { clock: options.clock } : {}) });
  } catch (error) {
    await database.close();
    throw error;
  }
}
