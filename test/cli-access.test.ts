import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { copyExampleMesh, type ExampleMeshCopy } from './support/example-mesh.ts';
import { jsonOf, runCli, runCliSteps } from './support/run-cli.ts';

describe('tokens, access requests, reports, users import and parquet export with the quanta command', () => {
  let mesh: ExampleMeshCopy;
  const as = (principal: string) => ({ cwd: mesh.root, env: { QUANTA_PRINCIPAL: principal } });

  before(async () => {
    mesh = await copyExampleMesh({ orders: 200, customers: 50 });
    await runCliSteps([['apply'], ['run', 'sales/orders']], { cwd: mesh.root });
  });

  after(async () => {
    await mesh?.remove();
  });

  test('token create shows the token once; list hides it; revoke marks it', async () => {
    const created = await runCli(
      ['token', 'create', 'mia@acme.example', '--expires', '30d', '--name', 'bi'],
      {
        cwd: mesh.root,
      },
    );
    assert.equal(created.code, 0, created.stderr);
    const [token, note] = created.stdout.trim().split('\n');
    assert.match(token ?? '', /^qt_[A-Za-z0-9]{12}_/);
    assert.match(note ?? '', /not shown again/);
    const listed = jsonOf<{ tokens: { id: string; name: string }[] }>(
      await runCli(['token', 'list', '--json'], { cwd: mesh.root }),
    );
    assert.equal(listed.tokens.length, 1);
    assert.ok(!JSON.stringify(listed).includes(token?.slice(16) ?? 'x'));
    const id = listed.tokens[0]?.id ?? '';
    const byOther = await runCli(['token', 'revoke', id], as('sam@acme.example'));
    assert.equal(byOther.code, 6, byOther.stderr);
    const revoked = await runCli(['token', 'revoke', id], as('mia@acme.example'));
    assert.equal(revoked.code, 0, revoked.stderr);
    assert.match(revoked.stdout, /Revoked token/);
    const forAdmin = await runCli(['token', 'create', 'local-admin'], { cwd: mesh.root });
    assert.equal(forAdmin.code, 4);
  });

  test('a request is approved by the owner, then review and usage show the consumer', async () => {
    const requested = await runCli(
      [
        'access',
        'request',
        'quanta://sales/orders/orders',
        '--purpose',
        'basket study',
        '--duration',
        '14d',
        '--json',
      ],
      as('ada@acme.example'),
    );
    assert.equal(requested.code, 0, requested.stderr);
    const { request } = jsonOf<{ request: { id: string } }>(requested);
    const pending = await runCli(['access', 'requests', '--state', 'pending'], as('sam@acme.example'));
    assert.match(pending.stdout, new RegExp(request.id));
    const byMia = await runCli(['access', 'approve', request.id], as('mia@acme.example'));
    assert.equal(byMia.code, 6);
    const approved = await runCli(['access', 'approve', request.id, '--note', 'ok'], as('sam@acme.example'));
    assert.equal(approved.code, 0, approved.stderr);
    assert.match(approved.stdout, /ada@acme\.example reads quanta:\/\/sales\/orders\/orders until/);
    const read = await runCli(
      ['query', 'select count(*) as n from sales.orders.orders', '--json'],
      as('ada@acme.example'),
    );
    assert.equal(read.code, 0, read.stderr);
    const review = jsonOf<{ entries: { principal: string; status: string; grants: string[] }[] }>(
      await runCli(['access', 'review', 'sales', '--inactive-days', '30', '--json'], { cwd: mesh.root }),
    );
    const ada = review.entries.find((entry) => entry.principal === 'ada@acme.example');
    assert.deepEqual([ada?.status, ada?.grants], ['active', ['quanta://sales/orders/orders']]);
    assert.equal(review.entries.find((entry) => entry.principal === 'mia@acme.example')?.status, 'inactive');
    const usage = jsonOf<{ usage: { domain: string; consumers: number; crossDomainConsumers: number }[] }>(
      await runCli(['usage', '--domain', 'sales', '--json'], { cwd: mesh.root }),
    );
    assert.deepEqual(
      usage.usage.map((entry) => [entry.domain, entry.consumers, entry.crossDomainConsumers]),
      [['sales', 1, 1]],
    );
    const denied = await runCli(['usage'], as('mia@acme.example'));
    assert.equal(denied.code, 6);
  });

  test('users import shows the diff, writes with --write, then shows no change', async () => {
    const file = path.join(mesh.root, 'hr.csv');
    await writeFile(
      file,
      'email,name,department,country,role,clearance,status\nada@acme.example,Ada Customer-Owner,customers,FR,owner,4,active\nnew@acme.example,New Person,sales,FR,analyst,1,active\n',
    );
    const preview = await runCli(['users', 'import', file], { cwd: mesh.root });
    assert.equal(preview.code, 0, preview.stderr);
    assert.match(preview.stdout, /\+ new@acme\.example/);
    assert.match(preview.stdout, /~ ada@acme\.example clearance: 3 → 4/);
    assert.match(preview.stdout, /- sam@acme\.example \(status: left\)/);
    assert.match(preview.stdout, /Nothing written/);
    const written = await runCli(['users', 'import', file, '--write'], { cwd: mesh.root });
    assert.equal(written.code, 0, written.stderr);
    assert.match(
      await readFile(path.join(mesh.root, 'governance/users.yaml'), 'utf8'),
      /id: new@acme\.example/,
    );
    const again = await runCli(['users', 'import', file], { cwd: mesh.root });
    assert.match(again.stdout, /No changes/);
    const validate = await runCli(['validate'], { cwd: mesh.root });
    assert.equal(validate.code, 0, validate.stdout);
  });

  test('query --format parquet writes the rows the gateway served', async () => {
    const file = path.join(mesh.root, 'out.parquet');
    const exported = await runCli(
      [
        'query',
        'select order_id, amount from sales.orders.orders order by order_id',
        '--format',
        'parquet',
        '--output',
        file,
      ],
      { cwd: mesh.root },
    );
    assert.equal(exported.code, 0, exported.stderr);
    assert.match(exported.stdout, /Wrote 2\d\d rows/);
    const check = await runCli(['query', 'select 1 as one', '--format', 'parquet'], { cwd: mesh.root });
    assert.equal(check.code, 64);
    assert.equal((await readFile(file)).subarray(0, 4).toString(), 'PAR1');
  });
});
