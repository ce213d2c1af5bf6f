import { type Clock, QuantaError, systemClock } from '@quanta/model';
import { MIGRATIONS, type Migration } from './migrations.ts';
import type { ColumnTypes, SqlDatabase } from './sql-database.ts';
import { readNumber } from './sql-row.ts';

/** What one migration run did. */
export interface MigrationResult {
  /** Versions applied by this run, in order; empty when the schema was already current. */
  readonly applied: readonly number[];
  /** The schema version the database is at now. */
  readonly version: number;
}

/** Options of {@link migrateDatabase}. */
export interface MigrateOptions {
  /** Defaults to the store's own migrations. */
  readonly migrations?: readonly Migration[];
  readonly clock?: Clock;
}

/**
 * Brings the database schema up to date in one transaction, recording each applied version in
 * `schema_migrations`. Applying twice is a no-op. Concurrent migrators wait for each other (the
 * dialect's preamble takes a lock), so the second one finds nothing left to do.
 */
export async function migrateDatabase(
  db: SqlDatabase,
  options: MigrateOptions = {},
): Promise<MigrationResult> {
  const migrations = options.migrations ?? MIGRATIONS;
  const clock = options.clock ?? systemClock;
  return db.transaction(async (tx) => {
    for (const statement of db.dialect.migrationPreamble) await tx.executeScript(statement);
    await tx.executeScript(createMigrationsTable(db.dialect.types));
    const rows = await tx.query('SELECT version FROM schema_migrations');
    const done = new Set(rows.map((row) => readNumber(row, 'version')));
    assertKnownVersions(done, migrations);
    const pending = migrations.filter((migration) => !done.has(migration.version));
    for (const migration of pending) {
      await tx.executeScript(migration.script(db.dialect.types));
      await tx.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)', [
        migration.version,
        migration.name,
        clock.now().toISOString(),
      ]);
    }
    return { applied: pending.map((migration) => migration.version), version: latestVersion(migrations) };
  });
}

function createMigrationsTable(types: ColumnTypes): string {
  return `CREATE TABLE IF NOT EXISTS schema_migrations (
  version INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  applied_at ${types.timestamp} NOT NULL
)`;
}

/** A database migrated by a newer Quanta must not be written by an older one. */
function assertKnownVersions(done: ReadonlySet<number>, migrations: readonly Migration[]): void {
  const latest = latestVersion(migrations);
  const newer = [...done].filter((version) => version > latest);
  if (newer.length > 0) {
    throw new QuantaError(
      'QUANTA_STORE_UNAVAILABLE',
      `the metadata store's schema is at version ${Math.max(...newer)}, newer than this Quanta knows (${latest})`,
      { fix: 'upgrade quanta to the version that migrated this metadata store' },
    );
  }
}

function latestVersion(migrations: readonly Migration[]): number {
  return migrations.reduce((latest, migration) => Math.max(latest, migration.version), 0);
}
