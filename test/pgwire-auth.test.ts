import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { PgWireServer } from '@quanta/pgwire';
import { createDomain, createProduct, initMesh, MeshService } from '@quanta/services';
import pg from 'pg';
import { startPgWire } from '../packages/cli/src/pg-backend.ts';
import { manualClock } from './support/manual-clock.ts';

const USERS = `apiVersion: quanta/v1
kind: Users
users:
  - { id: ada, domain: customers, country: FR, role: analyst, clearance: 2 }
`;

const PROFILES = 'select count(*)::integer as n from customers.customer_profile.profiles';

/** Resolves with the error that ends the client's connection. */
function connectionEnd(client: pg.Client): Promise<void> {
  return new Promise((resolve) => {
    client.once('end', () => resolve());
  });
}

/** The PostgreSQL front door re-checks the login token before each request, not only at startup. */
describe('pgwire logins stay as valid as their token', () => {
  const clock = manualClock();
  let workspace: string;
  let service: MeshService;
  let server: PgWireServer;
  const clients: pg.Client[] = [];

  async function connect(password: string): Promise<pg.Client> {
    const client = new pg.Client({
      host: '127.0.0.1',
      port: server.port,
      database: 'mesh',
      user: 'ada',
      password,
    });
    // A FATAL error ends the connection; the client reports it on the query, not as an event.
    client.on('error', () => undefined);
    clients.push(client);
    await client.connect();
    return client;
  }

  const token = async (expiresInDays?: number) =>
    service.tokens.create({
      principal: 'ada',
      actor: 'local-admin',
      ...(expiresInDays === undefined ? {} : { expiresInDays }),
    });

  before(async () => {
    workspace = await mkdtemp(path.join(tmpdir(), 'quanta-pgwire-auth-'));
    const root = path.join(workspace, 'mesh');
    await initMesh(root, { name: 'pg' });
    await writeFile(path.join(root, 'governance', 'users.yaml'), USERS);
    await createDomain(root, { name: 'customers', owner: 'ada@example.com' });
    await createProduct(root, { name: 'customers/customer-profile' });
    service = await MeshService.create({ root, clock });
    await service.apply({ appliedBy: 'test' });
    const run = await service.run('customers/customer-profile');
    assert.equal(run.state, 'succeeded');
    server = await startPgWire(service, { host: '127.0.0.1', port: 0 });
  });

  after(async () => {
    await Promise.all(clients.map((client) => client.end().catch(() => undefined)));
    await server?.close();
    await service?.close();
    await rm(workspace, { recursive: true, force: true });
  });

  test('a revoked token’s open connection is refused at its next query, simple or extended', async () => {
    const created = await token();
    const simple = await connect(created.token);
    const extended = await connect(created.token);
    assert.deepEqual((await simple.query(PROFILES)).rows, [{ n: 3 }]);
    assert.deepEqual((await extended.query(`${PROFILES} where $1::integer = 1`, [1])).rows, [{ n: 3 }]);

    await service.tokens.revoke({ id: created.record.id, actor: 'local-admin' });

    const simpleEnded = connectionEnd(simple);
    await assert.rejects(simple.query(PROFILES), { code: '28000', severity: 'FATAL' });
    await simpleEnded;
    const extendedEnded = connectionEnd(extended);
    await assert.rejects(extended.query(`${PROFILES} where $1::integer = 1`, [1]), {
      code: '28000',
      severity: 'FATAL',
    });
    await extendedEnded;
    await assert.rejects(connect(created.token), { code: '28P01' });
  });

  test('a token expiring mid-session ends the session at its next query', async () => {
    const created = await token(1);
    const client = await connect(created.token);
    assert.deepEqual((await client.query(PROFILES)).rows, [{ n: 3 }]);
    clock.advanceDays(2);
    const ended = connectionEnd(client);
    await assert.rejects(client.query(PROFILES), { code: '28000', severity: 'FATAL' });
    await ended;
  });

  test('an expired token is refused at login; a valid one keeps working', async () => {
    const expiring = await token(1);
    const lasting = await token(30);
    clock.advanceDays(2);
    await assert.rejects(connect(expiring.token), { code: '28P01' });
    const client = await connect(lasting.token);
    for (let round = 0; round < 3; round += 1) {
      assert.deepEqual((await client.query(PROFILES)).rows, [{ n: 3 }]);
    }
  });
});
