import type { IncidentStore } from './incident-store.ts';
import { type CatalogStoreLocation, openStoreDatabase } from './open-store-database.ts';
import { SqlIncidentStore } from './sql-incident-store.ts';

/** Opens the incidents in the same database as the catalog (its own connection), migrating it when needed. */
export async function openIncidentStore(location: CatalogStoreLocation): Promise<IncidentStore> {
  const database = await openStoreDatabase(location);
  try {
    return await SqlIncidentStore.create({ database });
  } catch (error) {
    await database.close();
    throw error;
  }
}
