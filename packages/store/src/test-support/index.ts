export type { CatalogStoreBackend, CatalogStoreTarget } from '../catalog-store.behaviour.ts';
export { describeCatalogStoreBehaviour } from '../catalog-store.behaviour.ts';
export {
  catalogFingerprint,
  domainRecord,
  largeCatalog,
  newSnapshot,
  portRecord,
  productRecord,
} from './catalog-fixtures.ts';
export type { PostgresTestAvailability } from './postgres-test-server.ts';
export {
  DEFAULT_TEST_DATABASE_URL,
  describePostgres,
  PostgresTestServer,
  testDatabaseUrl,
} from './postgres-test-server.ts';
