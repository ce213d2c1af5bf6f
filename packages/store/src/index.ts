export type { AuditDecision, AuditEvent, AuditQuery, AuditStore, NewAuditEvent } from './audit-store.ts';
export type { CatalogStore, NewSnapshot, RunEnding, RunQuery } from './catalog-store.ts';
export type { EmbeddedDatabaseOptions } from './embedded-database.ts';
export { EmbeddedDatabase } from './embedded-database.ts';
export type { MigrateOptions, MigrationResult } from './migrate-database.ts';
export { migrateDatabase } from './migrate-database.ts';
export type { Migration } from './migrations.ts';
export { MIGRATIONS } from './migrations.ts';
export { openAuditStore } from './open-audit-store.ts';
export type { CatalogStoreLocation, OpenCatalogStoreOptions } from './open-catalog-store.ts';
export { openCatalogStore } from './open-catalog-store.ts';
export * from './open-store-database.ts';
export type { PostgresDatabaseOptions } from './postgres-database.ts';
export { PostgresDatabase } from './postgres-database.ts';
export type { PostgresTarget } from './postgres-url.ts';
export { parsePostgresUrl } from './postgres-url.ts';
export type { QualityQuery, QualityRecord, QualityStore } from './quality-store.ts';
export type { SqlAuditStoreOptions } from './sql-audit-store.ts';
export { SqlAuditStore } from './sql-audit-store.ts';
export type { SqlCatalogStoreOptions } from './sql-catalog-store.ts';
export { SqlCatalogStore } from './sql-catalog-store.ts';
export type {
  ColumnTypes,
  SqlDatabase,
  SqlDialect,
  SqlExecutor,
  SqlParam,
  SqlRow,
  SqlValue,
  TransactionOptions,
} from './sql-database.ts';
