import type { Clock } from '@quanta/model';
import type { CatalogStore } from './catalog-store.ts';
import { EmbeddedDatabase } from './embedded-database.ts';
import { PostgresDatabase } from './postgres-database.ts';
import { parsePostgresUrl } from './postgres-url.ts';
import { SqlCatalogStore } from './sql-catalog-store.ts';
import type { SqlDatabase } from './sql-database.ts';

/** Where the catalog lives: an embedded SQLite file, or a PostgreSQL database (optionally one schema of it). */
export type CatalogStoreLocation =
  | { readonly embeddedPath: string }
  | { readonly databaseUrl: string; readonly schema?: string };

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
  const database = await openDatabase(location);
  try {
    return await SqlCatalogStore.create({ database, ...(options.clock ? { clock: options.clock } : {}) });
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
