import type { Clock } from '@quanta/model';
import type { AuditStore } from './audit-store.ts';
import { EmbeddedDatabase } from './embedded-database.ts';
import type { CatalogStoreLocation } from './open-catalog-store.ts';
import { PostgresDatabase } from './postgres-database.ts';
import { parsePostgresUrl } from './postgres-url.ts';
import { SqlAuditStore } from './sql-audit-store.ts';
import type { SqlDatabase } from './sql-database.ts';

/**
 * Opens the audit log in the same database as the catalog (its own connection), migrating it
 * when needed.
 */
export async function openAuditStore(
  location: CatalogStoreLocation,
  options: { clock?: Clock } = {},
): Promise<AuditStore> {
  const database = await openDatabase(location);
  try {
    return await SqlAuditStore.create({ database, ...(options.clock ? { clock: options.clock } : {}) });
  } catch (error) {
    await database.close();
    throw error;
  }
}

async function openDatabase(location: CatalogStoreLocation): Promise<SqlDatabase> {
  if ('embeddedPath' in location) return EmbeddedDatabase.create({ path: location.embeddedPath });
  const target = parsePostgresUrl(
    location.databaseUrl,
    location.schema === undefined ? {} : { schema: location.schema },
  );
  return PostgresDatabase.create({
    connectionString: target.connectionString,
    server: target.server,
    ...(target.schema === undefined ? {} : { schema: target.schema }),
  });
}
