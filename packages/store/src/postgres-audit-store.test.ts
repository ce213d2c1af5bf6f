import { describeAuditStoreBehaviour } from './audit-store.behaviour.ts';
import { openAuditStore } from './open-audit-store.ts';
import { describePostgres } from './test-support/postgres-test-server.ts';

describePostgres('PostgreSQL audit store', (server) => {
  describeAuditStoreBehaviour({
    open: (options) => openAuditStore({ databaseUrl: server.createSchemaUrl() }, options),
  });
});
