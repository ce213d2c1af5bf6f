export type {
  AccessRequest,
  AccessRequestDecision,
  AccessRequestQuery,
  AccessRequestState,
  AccessRequestStore,
  DecidedAccessRequest,
  NewAccessRequest,
} from './access-request-store.ts';
export type { AccessStore } from './access-store.ts';
export type {
  AuditDecision,
  AuditEvent,
  AuditQuery,
  AuditStore,
  ConsumerUsage,
  NewAuditEvent,
  UsageQuery,
} from './audit-store.ts';
export type { CatalogStore, NewSnapshot, RunEnding, RunQuery } from './catalog-store.ts';
export type { EmbeddedDatabaseOptions } from './embedded-database.ts';
export { EmbeddedDatabase } from './embedded-database.ts';
export type { GrantQuery, GrantRecord, GrantRevocation, GrantStore } from './grant-store.ts';
export type { IncidentQuery, IncidentStore } from './incident-store.ts';
export * from './key-store.ts';
export type { MigrateOptions, MigrationResult } from './migrate-database.ts';
export { migrateDatabase } from './migrate-database.ts';
export type { Migration } from './migrations.ts';
export { MIGRATIONS } from './migrations.ts';
export { openAccessStore } from './open-access-store.ts';
export { openAuditStore } from './open-audit-store.ts';
export type { CatalogStoreLocation, OpenCatalogStoreOptions } from './open-catalog-store.ts';
export { openCatalogStore } from './open-catalog-store.ts';
export { openIncidentStore } from './open-incident-store.ts';
export * from './open-metadata-stores.ts';
export * from './open-store-database.ts';
export type { PostgresDatabaseOptions } from './postgres-database.ts';
export { PostgresDatabase } from './postgres-database.ts';
export type { PostgresTarget } from './postgres-url.ts';
export { parsePostgresUrl } from './postgres-url.ts';
export type { QualityQuery, QualityRecord, QualityStore } from './quality-store.ts';
export type {
  ClaimedRun,
  LeasedStepEvent,
  LeaseRenewal,
  LineageEventRecord,
  QueuedRun,
  QueueStatus,
  RunLease,
  RunQueueStore,
} from './run-queue-store.ts';
export type { NewSession, SessionRecord, SessionStore } from './session-store.ts';
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
export { SqlIncidentStore } from './sql-incident-store.ts';
export * from './sql-key-store.ts';
export type { NewToken, StoredToken, TokenQuery, TokenRecord, TokenStore } from './token-store.ts';
export type {
  FileFingerprint,
  IngestedFile,
  SchedulerLease,
  TriggerDecision,
  TriggerEvaluation,
  TriggerStore,
} from './trigger-store.ts';
