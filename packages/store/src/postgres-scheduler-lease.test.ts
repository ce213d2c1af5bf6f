import { openCatalogStore } from './open-catalog-store.ts';
import { describeSchedulerLeaseBehaviour } from './scheduler-lease.behaviour.ts';
import { describePostgres } from './test-support/postgres-test-server.ts';

describePostgres('PostgreSQL scheduler lease', (server) => {
  describeSchedulerLeaseBehaviour({
    open: () => openCatalogStore({ databaseUrl: server.createSchemaUrl() }),
  });
});
