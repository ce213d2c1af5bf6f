import { describeAccessStoreBehaviour } from './access-store.behaviour.ts';
import { openAccessStore } from './open-access-store.ts';
import { describePostgres } from './test-support/postgres-test-server.ts';

describePostgres('PostgreSQL access store', (server) => {
  describeAccessStoreBehaviour({
    open: (options) => openAccessStore({ databaseUrl: server.createSchemaUrl() }, options),
  });
});
