import { EmbeddedDatabase } from './embedded-database.ts';
import type { IncidentStore } from './incident-store.ts';
import type { CatalogStoreLocation } from './open-catalog-store.ts';
import { PostgresDatabase } from './postgres-database.ts';
import { parsePostgresUrl } from './postgres-url.ts';
import type { SqlDatabase } from './sql-database.ts';
import { SqlIncidentStore } from './sql-incident-store.ts';

/** Opens the incidents in the same database as the catalog (its own connection), migrating it when needed. */
export async function openIncidentStore(location: CatalogStoreLocation): Promise<IncidentStore> {
  const database = await openDatabase(location);
  try {
    return await SqlIncidentStore.create({ database });
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
