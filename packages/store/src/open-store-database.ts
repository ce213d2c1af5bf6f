import { EmbeddedDatabase } from './embedded-database.ts';
import { PostgresDatabase } from './postgres-database.ts';
import { parsePostgresUrl } from './postgres-url.ts';
import type { SqlDatabase } from './sql-database.ts';

/** Where the metadata lives: an embedded SQLite file, or a PostgreSQL database (optionally one schema of it). */
export type CatalogStoreLocation =
  | { readonly embeddedPath: string }
  | { readonly databaseUrl: string; readonly schema?: string };

/**
 * Opens the database behind every metadata store (catalog, audit, ...): the embedded file, created
 * with its folder when missing, or a PostgreSQL pool. Each store migrates it when it opens.
 */
export async function openStoreDatabase(location: CatalogStoreLocation): Promise<SqlDatabase> {
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
