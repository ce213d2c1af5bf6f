import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { copyExampleMesh, type ExampleMeshCopy } from './support/example-mesh.ts';
import { jsonOf, runCli } from './support/run-cli.ts';

const ORDERS = 'quanta://sales/orders/orders';

interface WhoCanJson {
  entries: {
    principal: string;
    decision: string;
    policies: string[];
    grant?: { id: string; expiresAt: string; policies: string[] };
  }[];
}

describe('quanta access who-can', () => {
  let mesh: ExampleMeshCopy;
  let grant = { id: '', expiresAt: '' };
  const as = (principal: string) => ({ cwd: mesh.root, env: { QUANTA_PRINCIPAL: principal } });

  before(async () => {
    mesh = await copyExampleMesh({ orders: 50, customers: 20 });
    const applied = await runCli(['apply'], { cwd: mesh.root });
    assert.equal(applied.code, 0, applied.stderr);
    const requested = await runCli(
      ['access', 'request', ORDERS, '--purpose', 'basket study', '--duration', '14d', '--json'],
      as('ada@acme.example'),
    );
    assert.equal(requested.code, 0, requested.stderr);
    const { request } = jsonOf<{ request: { id: string } }>(requested);
    const approved = jsonOf<{ grant: { id: string; expiresAt: string } }>(
      await runCli(['access', 'approve', request.id, '--json'], as('sam@acme.example')),
    );
    grant = approved.grant;
  });

  after(async () => {
    await mesh?.remove();
  });

  test('names the deciding policies, and the grant (id, expiry) an access comes through', async () => {
    const answer = jsonOf<WhoCanJson>(
      await runCli(['access', 'who-can', ORDERS, '--json'], { cwd: mesh.root }),
    );
    const byPrincipal = new Map(answer.entries.map((entry) => [entry.principal, entry]));
    assert.deepEqual(byPrincipal.get('ada@acme.example')?.grant, {
      id: grant.id,
      expiresAt: grant.expiresAt,
      policies: ['granted-ports-read'],
    });
    assert.deepEqual(byPrincipal.get('ada@acme.example')?.policies, ['granted-ports-read']);
    const sam = byPrincipal.get('sam@acme.example');
    assert.deepEqual([sam?.decision, sam?.grant], ['allow', undefined]);
    assert.equal(byPrincipal.get('leo@acme.example')?.decision, 'deny');
    const text = await runCli(['access', 'who-can', ORDERS], { cwd: mesh.root });
    assert.equal(text.code, 0, text.stderr);
    assert.match(
      text.stdout,
      new RegExp(
        `ada@acme\\.example can read \\(granted-ports-read\\)\\n  through grant ${grant.id} until ${grant.expiresAt.replace(/\./g, '\\.')} \\(granted-ports-read\\)`,
      ),
    );
  });

  test('a revoked grant is no longer named, and the access it gave is gone', async () => {
    const revoked = await runCli(
      ['access', 'revoke', grant.id, '--reason', 'study over'],
      as('sam@acme.example'),
    );
    assert.equal(revoked.code, 0, revoked.stderr);
    const answer = jsonOf<WhoCanJson>(
      await runCli(['access', 'who-can', ORDERS, '--json'], { cwd: mesh.root }),
    );
    const ada = answer.entries.find((entry) => entry.principal === 'ada@acme.example');
    assert.deepEqual([ada?.decision, ada?.grant], ['deny', undefined]);
  });

  test('answers for query and export too, and refuses an unknown action', async () => {
    for (const action of ['query', 'export']) {
      const result = await runCli(['access', 'who-can', ORDERS, '--action', action, '--json'], {
        cwd: mesh.root,
      });
      assert.equal(result.code, 0, result.stderr);
      assert.ok(jsonOf<{ entries: unknown[] }>(result).entries.length > 0);
    }
    const unknown = await runCli(['access', 'who-can', ORDERS, '--action', 'delete'], { cwd: mesh.root });
    assert.equal(unknown.code, 64);
  });

  test('needs administer on the domain', async () => {
    const denied = await runCli(['access', 'who-can', ORDERS], as('mia@acme.example'));
    assert.equal(denied.code, 6, denied.stderr);
  });
});
