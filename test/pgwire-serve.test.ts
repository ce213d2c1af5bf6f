import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import type { PgWireServer } from '@quanta/pgwire';
import { MeshService } from '@quanta/services';
import { startPgWire } from '../packages/cli/src/pg-backend.ts';
import { psqlSkipReason } from '../packages/pgwire/src/psql-availability.ts';
import { copyExampleMesh, type ExampleMeshCopy } from './support/example-mesh.ts';

const run = promisify(execFile);

/** The real psql client against the PostgreSQL front door of the example mesh, logging in with tokens. */
describe('psql against quanta serve, with tokens as passwords', { skip: psqlSkipReason() }, () => {
  let mesh: ExampleMeshCopy;
  let service: MeshService;
  let server: PgWireServer;
  let samToken: string;

  before(async () => {
    mesh = await copyExampleMesh({ orders: 400, customers: 80 });
    service = await MeshService.create({ root: mesh.root });
    await service.apply({ appliedBy: 'test' });
    await service.runAll({ trigger: 'test' });
    samToken = (await service.tokens.create({ principal: 'sam@acme.example', actor: 'local-admin' })).token;
    server = await startPgWire(service, { host: '127.0.0.1', port: 0 });
  });

  after(async () => {
    await server?.close();
    await service?.close();
    await mesh?.remove();
  });

  function psql(options: { user: string; password: string; sql: string }) {
    const url = `${server.url.replace('postgres://', `postgres://${encodeURIComponent(options.user)}@`)}?sslmode=disable`;
    return run('psql', [url, '-X', '-A', '-t', '-c', options.sql], {
      env: { ...process.env, PGPASSWORD: options.password, PGCONNECT_TIMEOUT: '5' },
    });
  }

  test('a token logs its principal in, and the principal’s row filter applies', async () => {
    const { stdout } = await psql({
      user: 'sam@acme.example',
      password: samToken,
      sql: 'select distinct country from customers.customer_profile.profiles order by 1',
    });
    assert.equal(stdout.trim(), 'FR');
  });

  test('a token used under another user name, a wrong token and a revoked token are refused', async () => {
    await assert.rejects(
      psql({ user: 'ada@acme.example', password: samToken, sql: 'select 1' }),
      /28P01|password authentication failed|authentication/i,
    );
    await assert.rejects(
      psql({ user: 'sam@acme.example', password: 'qt_nope_nope', sql: 'select 1' }),
      /28P01|authentication/i,
    );
    const created = await service.tokens.create({ principal: 'sam@acme.example', actor: 'local-admin' });
    await psql({ user: 'sam@acme.example', password: created.token, sql: 'select 1' });
    await service.tokens.revoke({ id: created.record.id, actor: 'local-admin' });
    await assert.rejects(
      psql({ user: 'sam@acme.example', password: created.token, sql: 'select 1' }),
      /28P01|authentication/i,
    );
  });
});
