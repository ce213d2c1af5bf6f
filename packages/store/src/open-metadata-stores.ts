import type { Clock } from '@quanta/model';
import type { AccessStore } from './access-store.ts';
import type { AuditStore } from './audit-store.ts';
import type { CatalogStore } from './catalog-store.ts';
import type { IncidentStore } from './incident-store.ts';
import type { KeyStore } from './key-store.ts';
import { migrateDatabase } from './migrate-database.ts';
import { accessStoreOver } from './open-access-store.ts';
import { type CatalogStoreLocation, openStoreDatabase } from './open-store-database.ts';
import { SqlAuditStore } from './sql-audit-store.ts';
import { SqlCatalogStore } from './sql-catalog-store.ts';
import { SqlIncidentStore } from './sql-incident-store.ts';
import { SqlKeyStore } from './sql-key-store.ts';

/** Every metadata store of a mesh, over one database: one file handle or one pool. */
export interface MetadataStores {
  readonly catalog: CatalogStore;
  readonly audit: AuditStore;
  readonly access: AccessStore;
  readonly incidents: IncidentStore;
  readonly keys: KeyStore;
  /** Closes the one database under them all. */
  close(): Promise<void>;
}

/**
 * Opens the catalog, audit, access, incident and key stores of a mesh on ONE database connection
 * (embedded) or pool (PostgreSQL), migrated once. `clock` times token and grant expiry.
 */
export async function openMetadataStores(
  location: CatalogStoreLocation,
  options: { clock?: Clock } = {},
): Promise<MetadataStores> {
  const database = await openStoreDatabase(location);
  try {
    await migrateDatabase(database);
    return {
      catalog: await SqlCatalogStore.create({ database }),
      audit: await SqlAuditStore.create({ database }),
      access: accessStoreOver(database, options),
      incidents: await SqlIncidentStore.create({ database }),
      keys: SqlKeyStore.create({ database }),
      close: () => database.close(),
    };
  } catch (error) {
    await database.close();
    throw error;
  }
}
