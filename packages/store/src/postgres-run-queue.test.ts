import { openCatalogStore } from './open-catalog-store.ts';
import { describeRunQueueBehaviour } from './run-queue-store.behaviour.ts';
import { describePostgres } from './test-support/postgres-test-server.ts';

describePostgres('PostgreSQL run queue', (server) => {
  describeRunQueueBehaviour({
    createTarget: async () => {
      const databaseUrl = server.createSchemaUrl();
      return { open: (options = {}) => openCatalogStore({ databaseUrl }, options) };
    },
  });
});
