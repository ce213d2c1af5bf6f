import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeCatalogStoreBehaviour } from './catalog-store.behaviour.ts';
import { openCatalogStore } from './open-catalog-store.ts';
import { describePostgres } from './test-support/postgres-test-server.ts';

describePostgres('PostgreSQL catalog store', (server) => {
  describeCatalogStoreBehaviour({
    createTarget: async () => {
      const databaseUrl = server.createSchemaUrl();
      return { open: (options = {}) => openCatalogStore({ databaseUrl }, options) };
    },
  });

  test('keeps its tables in the schema it was given, created on first open', async () => {
    const schema = server.createSchema();
    const store = await openCatalogStore({ databaseUrl: server.url, schema });
    await store.close();
    assert.equal(store.kind, 'postgres');
    const rows = await server.query(
      "SELECT count(*) AS tables FROM information_schema.tables WHERE table_schema = ? AND table_name IN ('runs', 'snapshots', 'schema_migrations')",
      [schema],
    );
    assert.deepEqual(rows, [{ tables: 3 }]);
  });
});
