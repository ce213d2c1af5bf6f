import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { copyExampleMesh, type ExampleMeshCopy } from './support/example-mesh.ts';
import { type CliResult, jsonOf, runCli, runCliSteps } from './support/run-cli.ts';

const ORDERS = 'quanta://sales/orders/orders';
const TEMPLATE = 'governance/templates/workflows/ingest-check-publish/v1.yaml';
const REVENUE_SQL = 'domains/sales/products/segment-revenue/sql/revenue.sql';

interface AuditJson {
  events: { at: string; principal: string; decision: string; ports: string[]; action: string }[];
}

describe('quanta audit, profile, plan and validate reports', () => {
  let mesh: ExampleMeshCopy;
  const as = (principal: string) => ({ cwd: mesh.root, env: { QUANTA_PRINCIPAL: principal } });
  const quanta = (args: readonly string[]): Promise<CliResult> => runCli(args, { cwd: mesh.root });
  const audit = async (...filters: string[]) =>
    jsonOf<AuditJson>(await quanta(['audit', ...filters, '--json'])).events;

  before(async () => {
    mesh = await copyExampleMesh({ orders: 200, customers: 50 });
    await runCliSteps([['apply'], ['run', 'sales/orders']], { cwd: mesh.root });
    const allowed = await runCli(
      ['query', 'select count(*) as n from sales.orders.orders'],
      as('sam@acme.example'),
    );
    assert.equal(allowed.code, 0, allowed.stderr);
    const denied = await runCli(['query', 'select * from sales.orders.orders'], as('ada@acme.example'));
    assert.equal(denied.code, 6, denied.stderr);
  });

  after(async () => {
    await mesh?.remove();
  });

  test('audit filters by principal, decision, address and time', async () => {
    const all = await audit();
    assert.deepEqual(
      all.map((event) => [event.principal, event.decision, event.ports]),
      [
        ['ada@acme.example', 'deny', [`${ORDERS}@1`]],
        ['sam@acme.example', 'allow', [`${ORDERS}@1`]],
      ],
    );
    assert.deepEqual(
      (await audit('--principal', 'sam@acme.example')).map((event) => event.principal),
      ['sam@acme.example'],
    );
    assert.deepEqual(
      (await audit('--decision', 'deny')).map((event) => event.principal),
      ['ada@acme.example'],
    );
    assert.equal((await audit('--address', 'quanta://sales')).length, 2);
    assert.deepEqual(await audit('--address', 'quanta://customers'), []);
    assert.deepEqual(await audit('--principal', 'sam@acme.example', '--decision', 'deny'), []);
    const newest = all[0]?.at ?? '';
    assert.deepEqual(
      await audit('--since', newest),
      all.filter((event) => event.at >= newest),
    );
    assert.deepEqual(await audit('--since', '2999-01-01'), []);
    assert.equal((await audit('--since', '2000-01-01', '--limit', '1')).length, 1);
  });

  test('audit prints one block per event, refuses bad filters, and needs administer', async () => {
    const text = await quanta(['audit', '--principal', 'ada@acme.example']);
    assert.equal(text.code, 0, text.stderr);
    assert.match(
      text.stdout,
      /^\S+ deny {2}ada@acme\.example \d+\.\d ms\n {2}select \* from sales\.orders\.orders\n/,
    );
    assert.match(
      text.stdout,
      /\n {2}ports: quanta:\/\/sales\/orders\/orders@1\n {2}reason: QUANTA_POLICY_DENIED .*default deny\)\n$/,
    );
    for (const filter of [
      ['--decision', 'maybe'],
      ['--since', 'yesterday-ish'],
      ['--limit', '0'],
    ]) {
      const refused = await quanta(['audit', ...filter]);
      assert.equal(refused.code, 64, `${filter.join(' ')}: ${refused.stderr}`);
      assert.match(refused.stderr, /QUANTA_USAGE/);
    }
    const denied = await runCli(['audit'], as('sam@acme.example'));
    assert.equal(denied.code, 6, denied.stderr);
  });

  test("profile shows a snapshot's columns, one column with #, and JSON with --json", async () => {
    const text = await quanta(['profile', ORDERS]);
    assert.equal(text.code, 0, text.stderr);
    const [head, trust] = text.stdout.split('\n');
    assert.match(
      head ?? '',
      /^quanta:\/\/sales\/orders\/orders@1 {2}\d+ rows, \d+ quarantined, \d+ columns$/,
    );
    assert.match(trust ?? '', /^quality: .*, 0 failed$/);
    assert.match(text.stdout, /\namount \S+ {2}nulls \d+ \(\d+(\.\d+)?%\) {2}distinct ≈\d+\n {2}range {3}/);
    const json = jsonOf<{ address: string; profile: { rowCount: number; columns: { name: string }[] } }>(
      await quanta(['profile', `${ORDERS}@1#amount`, '--json']),
    );
    assert.equal(json.address, `${ORDERS}@1`);
    assert.deepEqual(
      json.profile.columns.map((column) => column.name),
      ['amount'],
    );
    assert.ok(json.profile.rowCount > 0);
    const missing = await quanta(['profile', 'quanta://sales/segment-revenue/revenue']);
    assert.equal(missing.code, 4, missing.stderr);
    assert.match(missing.stderr, /QUANTA_NOT_FOUND/);
    const notPort = await quanta(['profile', 'quanta://sales']);
    assert.equal(notPort.code, 64, notPort.stderr);
  });

  test('plan lists the products a changed workflow template affects', async () => {
    const file = path.join(mesh.root, TEMPLATE);
    const original = await readFile(file, 'utf8');
    await writeFile(file, `${original}# a reviewed improvement\n`);
    try {
      const plan = await quanta(['plan']);
      assert.equal(plan.code, 0, plan.stderr);
      assert.match(
        plan.stdout,
        /\n~ template templates\.ingest-check-publish\.v1 \([0-9a-f]{12}\) products: quanta:\/\/customers\/crm-customers, quanta:\/\/marketing\/campaigns, quanta:\/\/sales\/orders\n/,
      );
      assert.match(plan.stdout, /Plan: 0 to create, 3 to update, 0 to remove\./);
      const json = jsonOf<{ templates: { ref: string; affectedProducts: string[] }[] }>(
        await quanta(['plan', '--json']),
      );
      assert.deepEqual(json.templates, [
        {
          ...json.templates[0],
          ref: 'templates.ingest-check-publish.v1',
          affectedProducts: [
            'quanta://customers/crm-customers',
            'quanta://marketing/campaigns',
            'quanta://sales/orders',
          ],
        },
      ]);
    } finally {
      await writeFile(file, original);
    }
    const again = await quanta(['plan']);
    assert.match(again.stdout, /No changes/);
  });

  test('validate and plan report SQL reading an input the product does not declare, at file:line:col', async () => {
    const file = path.join(mesh.root, REVENUE_SQL);
    const original = await readFile(file, 'utf8');
    await writeFile(
      file,
      original.replace('join profiles as p', 'join campaigns as c on true\njoin profiles as p'),
    );
    try {
      const line = original.split('\n').findIndex((text) => text.startsWith('join profiles')) + 1;
      const expected = `${REVENUE_SQL}:${line}:6 error QUANTA_REFERENCE_UNRESOLVED reads 'campaigns', which the product does not declare as an input. Fix: declare an input port for it in product.odps.yaml, or read one of: orders, profiles`;
      const validate = await quanta(['validate']);
      assert.equal(validate.code, 2, validate.stdout);
      assert.ok(validate.stdout.includes(expected), validate.stdout);
      const plan = await quanta(['plan']);
      assert.equal(plan.code, 2, plan.stdout);
      assert.ok(plan.stderr.includes(expected), plan.stderr);
    } finally {
      await writeFile(file, original);
    }
  });
});
