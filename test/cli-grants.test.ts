import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { GrantRecord } from '@quanta/store';
import { copyExampleMesh, type ExampleMeshCopy } from './support/example-mesh.ts';
import { jsonOf, runCli, runCliSteps } from './support/run-cli.ts';

describe('listing and revoking grants with the quanta command', () => {
  let mesh: ExampleMeshCopy;
  const as = (principal: string) => ({ cwd: mesh.root, env: { QUANTA_PRINCIPAL: principal } });
  const grantsOf = async (principal: string, args: readonly string[] = []) =>
    jsonOf<{ grants: GrantRecord[] }>(await runCli(['access', 'grants', ...args, '--json'], as(principal)))
      .grants;

  before(async () => {
    mesh = await copyExampleMesh({ orders: 200, customers: 50 });
    await runCliSteps([['apply'], ['run', 'sales/orders']], { cwd: mesh.root });
  });

  after(async () => {
    await mesh?.remove();
  });

  test('the owner revokes a grant with a reason; the next query is denied; --all still shows it', async () => {
    const requested = await runCli(
      ['access', 'request', 'quanta://sales/orders/orders', '--purpose', 'basket study', '--json'],
      as('ada@acme.example'),
    );
    assert.equal(requested.code, 0, requested.stderr);
    const { request } = jsonOf<{ request: { id: string } }>(requested);
    const approved = await runCli(['access', 'approve', request.id, '--json'], as('sam@acme.example'));
    assert.equal(approved.code, 0, approved.stderr);
    const grantId = jsonOf<{ grant: { id: string } }>(approved).grant.id;
    const sql = 'select count(*) as n from sales.orders.orders';
    assert.equal((await runCli(['query', sql], as('ada@acme.example'))).code, 0);

    assert.deepEqual(
      (await grantsOf('ada@acme.example')).map((grant) => [grant.id, grant.port]),
      [[grantId, 'quanta://sales/orders/orders']],
    );
    assert.deepEqual(await grantsOf('mia@acme.example'), [], "neither mia's grant nor her domain");
    assert.deepEqual(await grantsOf('local-admin', ['--domain', 'customers']), []);
    assert.equal((await grantsOf('local-admin', ['--principal', 'ada@acme.example'])).length, 1);
    const table = await runCli(['access', 'grants', '--domain', 'sales'], as('sam@acme.example'));
    assert.match(
      table.stdout,
      new RegExp(`${grantId}.*ada@acme\\.example.*quanta://sales/orders/orders.*active`),
    );

    const byMia = await runCli(['access', 'revoke', grantId, '--reason', 'x'], as('mia@acme.example'));
    assert.equal(byMia.code, 6, byMia.stderr);
    const unknown = await runCli(
      ['access', 'revoke', 'gr-0000000000', '--reason', 'x'],
      as('sam@acme.example'),
    );
    assert.equal(unknown.code, 4);
    assert.match(unknown.stderr, /no grant gr-0000000000/);
    const noReason = await runCli(['access', 'revoke', grantId], as('sam@acme.example'));
    assert.notEqual(noReason.code, 0);
    assert.match(noReason.stderr, /--reason/);

    const revoked = await runCli(
      ['access', 'revoke', grantId, '--reason', 'study over'],
      as('sam@acme.example'),
    );
    assert.equal(revoked.code, 0, revoked.stderr);
    assert.equal(
      revoked.stdout.trim(),
      `Revoked grant ${grantId}: ada@acme.example no longer reads quanta://sales/orders/orders.`,
    );
    assert.equal((await runCli(['query', sql], as('ada@acme.example'))).code, 6);
    assert.deepEqual(await grantsOf('ada@acme.example'), []);
    const all = await grantsOf('ada@acme.example', ['--all']);
    assert.deepEqual(
      all.map((grant) => [grant.id, grant.revokedBy, grant.revokeReason]),
      [[grantId, 'sam@acme.example', 'study over']],
    );
    const allTable = await runCli(['access', 'grants', '--all'], as('ada@acme.example'));
    assert.match(allTable.stdout, /revoked \S+ by sam@acme\.example: study over/);

    const again = await runCli(['access', 'revoke', grantId, '--reason', 'again', '--json'], {
      cwd: mesh.root,
    });
    assert.equal(again.code, 0, again.stderr);
    const repeated = jsonOf<{ grant: GrantRecord; isAlreadyRevoked: boolean }>(again);
    assert.deepEqual(
      [repeated.isAlreadyRevoked, repeated.grant.revokedBy, repeated.grant.revokeReason],
      [true, 'sam@acme.example', 'study over'],
    );
    const audit = jsonOf<{ events: { action: string; actor: string; reason?: string }[] }>(
      await runCli(['audit', '--principal', 'ada@acme.example', '--json'], { cwd: mesh.root }),
    );
    assert.deepEqual(
      audit.events
        .filter((event) => event.action === 'revoke-grant')
        .map((event) => [event.actor, event.reason]),
      [['sam@acme.example', 'study over']],
    );
  });
});
