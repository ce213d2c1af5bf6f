import type { Clock } from '@quanta/model';
import type { AuditStore } from './audit-store.ts';
import { type CatalogStoreLocation, openStoreDatabase } from './open-store-database.ts';
import { SqlAuditStore } from './sql-audit-store.ts';

/**
 * Opens the audit log in the same database as the catalog (its own connection), migrating it
 * when needed.
 */
export async function openAuditStore(
  location: CatalogStoreLocation,
  options: { clock?: Clock } = {},
): Promise<AuditStore> {
  const database = await openStoreDatabase(location);
  try {
    return await SqlAuditStore.create({ database, ...(options.clock ? { clock: options.clock } : {}) });
  } catch (error) {
    await database.close();
    throw error;
  }
}
