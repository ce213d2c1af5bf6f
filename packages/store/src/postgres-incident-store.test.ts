import { describeIncidentStoreBehaviour } from './incident-store.behaviour.ts';
import { openIncidentStore } from './open-incident-store.ts';
import { describePostgres } from './test-support/postgres-test-server.ts';

describePostgres('PostgreSQL incident store', (server) => {
  describeIncidentStoreBehaviour({
    open: () => openIncidentStore({ databaseUrl: server.createSchemaUrl() }),
  });
});
