import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { QuantaError } from '@quanta/model';
import { migrateDatabase } from './migrate-database.ts';
import { MIGRATIONS } from './migrations.ts';
import { PostgresDatabase } from './postgres-database.ts';
import { parsePostgresUrl } from './postgres-url.ts';
import { readNumber } from './sql-row.ts';
import { describePostgres } from './test-support/postgres-test-server.ts';

describePostgres('PostgreSQL adapter', (server) => {
  const open = async (schema = server.createSchema()) => {
    const target = parsePostgresUrl(server.url, { schema });
    return PostgresDatabase.create({ ...target, schema });
  };

  test('a connection lost inside a transaction fails that transaction, not the process', async () => {
    const db = await open();
    try {
      const work = db.transaction(async (tx) => {
        const [row] = await tx.query('SELECT pg_backend_pid() AS pid');
        await server.query('SELECT pg_terminate_backend(?)::text AS terminated', [
          readNumber(row ?? {}, 'pid'),
        ]);
        await sleep(300);
        await tx.query('SELECT 1');
      });
      await assert.rejects(work, (error) => {
        assert.ok(error instanceof QuantaError, String(error));
        assert.equal(error.code, 'QUANTA_STORE_UNAVAILABLE', error.message);
        return true;
      });
      assert.deepEqual(await db.query('SELECT 1 AS one'), [{ one: 1 }]);
    } finally {
      await db.close();
    }
  });

  test('concurrent migrators of one fresh schema apply each migration once', async () => {
    const schema = server.createSchema();
    const databases = await Promise.all([open(schema), open(schema), open(schema)]);
    try {
      const results = await Promise.all(databases.map((db) => migrateDatabase(db)));
      assert.deepEqual(results.map((result) => result.applied).sort(), [
        [],
        [],
        MIGRATIONS.map((migration) => migration.version),
      ]);
    } finally {
      for (const db of databases) await db.close();
    }
  });

  test('an unreachable server makes the store unavailable, with a fix', async () => {
    const attempt = PostgresDatabase.create({
      connectionString: 'postgres://postgres@127.0.0.1:1/none',
      server: '127.0.0.1:1/none',
      connectTimeoutMs: 2_000,
    });
    await assert.rejects(attempt, (error) => {
      assert.ok(error instanceof QuantaError);
      assert.equal(error.code, 'QUANTA_STORE_UNAVAILABLE');
      assert.match(error.details.fix ?? '', /QUANTA_DATABASE_URL/);
      return true;
    });
  });
});
