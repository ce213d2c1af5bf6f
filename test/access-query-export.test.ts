import assert from 'node:assert/strict';
import { access, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { whoCan } from '@quanta/governance';
import type { PgWireServer } from '@quanta/pgwire';
import { createApi } from '@quanta/server';
import { MeshService } from '@quanta/services';
import { tableFromIPC } from 'apache-arrow';
import pg from 'pg';
import { startPgWire } from '../packages/cli/src/pg-backend.ts';
import { copyExampleMesh, type ExampleMeshCopy } from './support/example-mesh.ts';
import { jsonOf, runCli } from './support/run-cli.ts';

const SERVICE = 'svc-marketing-dashboard';
const PROFILES = 'quanta://customers/customer-profile/profiles';
const PERFORMANCE_SQL = 'select count(*) as n from marketing.campaign_performance.performance';
const PROFILES_SQL = 'select customer_id, country from customers.customer_profile.profiles';
const ORDERS_SQL = 'select order_id from sales.orders.orders order by order_id limit 5';

/**
 * The example forbids of guardrails.cedar, uncommented: the lines indented under `//   ` are the
 * policies the file documents (so the examples are checked to validate and to do what they say).
 */
function uncommentExamples(text: string): string {
  return text.replace(/^\/\/ {3}/gm, '');
}

/**
 * `query` and `export` are enforced (ADR 006): the example guardrails' forbids stop a service
 * account from running SQL at all (HTTP, CLI, PostgreSQL) and keep the customers' ports out of
 * files (CSV, Arrow, Parquet) for anyone outside governance, while JSON and tables still work.
 */
describe('the Cedar actions query and export', () => {
  let mesh: ExampleMeshCopy;
  let service: MeshService;
  let api: ReturnType<typeof createApi>;
  let server: PgWireServer;
  const tokens: Record<string, string> = {};
  const clients: pg.Client[] = [];
  const as = (principal: string) => ({ cwd: mesh.root, env: { QUANTA_PRINCIPAL: principal } });
  const query = (who: string, sql: string, accept = 'application/json') =>
    api.request('/api/query', {
      method: 'POST',
      body: JSON.stringify({ sql }),
      headers: { 'content-type': 'application/json', accept, authorization: `Bearer ${tokens[who]}` },
    });
  const lastEvent = async (principal: string) =>
    (await service.audit.listAuditEvents({ principal, limit: 1 }))[0];

  before(async () => {
    mesh = await copyExampleMesh({ orders: 200, customers: 60 });
    const guardrails = path.join(mesh.root, 'governance/policies/guardrails.cedar');
    const shipped = await readFile(guardrails, 'utf8');
    const enforced = uncommentExamples(shipped);
    assert.match(enforced, /^@id\("services-run-no-sql"\)$/m);
    assert.match(enforced, /^@id\("pii-exports-governance-only"\)$/m);
    await writeFile(guardrails, enforced);
    service = await MeshService.create({ root: mesh.root });
    const validation = await service.validate();
    assert.ok(validation.isValid, JSON.stringify(validation.findings));
    await service.apply({ appliedBy: 'test' });
    await service.runAll({ trigger: 'test' });
    api = createApi(service);
    for (const principal of [SERVICE, 'mia@acme.example', 'gus@acme.example']) {
      tokens[principal] = (await service.tokens.create({ principal, actor: 'local-admin' })).token;
    }
    server = await startPgWire(service, { host: '127.0.0.1', port: 0 });
  });

  after(async () => {
    await Promise.all(clients.map((client) => client.end().catch(() => undefined)));
    await server?.close();
    await service?.close();
    await mesh?.remove();
  });

  test('a forbid of query denies SQL over HTTP, audited with the action and the deciding policy', async () => {
    const response = await query(SERVICE, PERFORMANCE_SQL);
    assert.equal(response.status, 403);
    const body = (await response.json()) as { error: { code: string; message: string } };
    assert.equal(body.error.code, 'QUANTA_POLICY_DENIED');
    assert.match(
      body.error.message,
      /^svc-marketing-dashboard may not query quanta:\/\/marketing\/campaign-performance\/performance: forbidden by policy \(policies: services-run-no-sql\)$/,
    );
    const event = await lastEvent(SERVICE);
    assert.deepEqual(
      [event?.action, event?.decision, event?.policies, event?.statement],
      ['query', 'deny', ['services-run-no-sql'], PERFORMANCE_SQL],
    );
    assert.match(event?.reason ?? '', /^QUANTA_POLICY_DENIED .* may not query /);
  });

  test('the same principal still sees the ports in the catalog, which is no port', async () => {
    const response = await query(SERVICE, 'select address from quanta_catalog.ports order by address');
    assert.equal(response.status, 200);
    const body = (await response.json()) as { rows: string[][] };
    assert.ok(
      body.rows.some(([address]) => address === 'quanta://marketing/campaign-performance/performance'),
      JSON.stringify(body.rows),
    );
  });

  test('a forbid of query denies SQL from the quanta command', async () => {
    for (const format of ['table', 'json']) {
      const denied = await runCli(['query', PERFORMANCE_SQL, '--format', format], as(SERVICE));
      assert.equal(denied.code, 6, denied.stderr);
      assert.match(denied.stderr, /QUANTA_POLICY_DENIED/);
      assert.match(denied.stderr, /may not query .*services-run-no-sql/);
      assert.equal(denied.stdout, '');
    }
  });

  test('a forbid of query denies SQL over the PostgreSQL front door', async () => {
    const client = new pg.Client({
      host: '127.0.0.1',
      port: server.port,
      database: 'mesh',
      user: SERVICE,
      password: tokens[SERVICE],
    });
    clients.push(client);
    await client.connect();
    await assert.rejects(client.query(PERFORMANCE_SQL), (error: { code?: string; message?: string }) => {
      assert.equal(error.code, '42501');
      assert.match(error.message ?? '', /may not query .*services-run-no-sql/);
      return true;
    });
    const event = await lastEvent(SERVICE);
    assert.deepEqual([event?.action, event?.decision], ['query', 'deny']);
    // The session stays usable, and the catalog still answers.
    const catalog = await client.query('select count(*)::integer as n from quanta_catalog.ports');
    assert.ok((catalog.rows[0] as { n: number }).n > 0);
  });

  test('a forbid of export denies CSV and Arrow over HTTP, while JSON still works for the same principal', async () => {
    const json = await query('mia@acme.example', PROFILES_SQL);
    assert.equal(json.status, 200);
    const rows = ((await json.json()) as { rows: string[][] }).rows;
    assert.ok(rows.length > 0);
    assert.ok(
      rows.every(([, country]) => country === 'DE'),
      'the row filter still applies',
    );
    assert.equal((await lastEvent('mia@acme.example'))?.action, 'query');
    for (const accept of ['text/csv', 'application/vnd.apache.arrow.stream']) {
      const response = await query('mia@acme.example', PROFILES_SQL, accept);
      assert.equal(response.status, 403, accept);
      const body = (await response.json()) as { error: { code: string; message: string } };
      assert.equal(body.error.code, 'QUANTA_POLICY_DENIED');
      assert.match(
        body.error.message,
        /^mia@acme\.example may not export quanta:\/\/customers\/customer-profile\/profiles: forbidden by policy \(policies: pii-exports-governance-only\)$/,
      );
      const event = await lastEvent('mia@acme.example');
      assert.deepEqual(
        [event?.action, event?.decision, event?.policies],
        ['export', 'deny', ['pii-exports-governance-only']],
      );
    }
  });

  test('an export the policies allow is audited as an export', async () => {
    const csv = await query('mia@acme.example', ORDERS_SQL, 'text/csv');
    assert.equal(csv.status, 200);
    assert.equal((await csv.text()).trimEnd().split('\r\n').length, 6);
    const event = await lastEvent('mia@acme.example');
    assert.deepEqual([event?.action, event?.decision, event?.rowsReturned], ['export', 'allow', 5]);
    assert.ok(event?.policies.includes('quanta-anyone-exports'), JSON.stringify(event?.policies));
    const arrow = await query('gus@acme.example', PROFILES_SQL, 'application/vnd.apache.arrow.stream');
    assert.equal(arrow.status, 200, 'governance exports the customers’ ports');
    assert.ok(tableFromIPC(new Uint8Array(await arrow.arrayBuffer())).numRows > 0);
  });

  test('a forbid of export denies quanta query --format csv and parquet, not the table or JSON', async () => {
    const csv = await runCli(['query', PROFILES_SQL, '--format', 'csv'], as('mia@acme.example'));
    assert.equal(csv.code, 6, csv.stderr);
    assert.match(csv.stderr, /may not export .*pii-exports-governance-only/);
    assert.equal(csv.stdout, '');
    const file = path.join(mesh.root, 'profiles.parquet');
    const parquet = await runCli(
      ['query', PROFILES_SQL, '--format', 'parquet', '--output', file],
      as('mia@acme.example'),
    );
    assert.equal(parquet.code, 6, parquet.stderr);
    assert.match(parquet.stderr, /may not export/);
    await assert.rejects(access(file), 'nothing is written');
    const table = await runCli(['query', PROFILES_SQL], as('mia@acme.example'));
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /customer_id/);
    const json = jsonOf<{ rows: unknown[] }>(
      await runCli(['query', PROFILES_SQL, '--json'], as('mia@acme.example')),
    );
    assert.ok(json.rows.length > 0);
    const orders = await runCli(['query', ORDERS_SQL, '--format', 'csv'], as('mia@acme.example'));
    assert.equal(orders.code, 0, orders.stderr);
    assert.equal(orders.stdout.trimEnd().split('\n').length, 6);
  });

  test('MeshService.exportParquet is an export: refused before any file is written', async () => {
    const file = path.join(mesh.root, 'by-service.parquet');
    await assert.rejects(
      service.exportParquet(PROFILES_SQL, { identity: { principal: 'mia@acme.example' }, path: file }),
      { code: 'QUANTA_POLICY_DENIED' },
    );
    await assert.rejects(access(file));
    const exported = await service.exportParquet(PROFILES_SQL, {
      identity: { principal: 'gus@acme.example' },
      path: file,
    });
    assert.ok(exported.rowCount > 0);
    const event = await lastEvent('gus@acme.example');
    assert.deepEqual([event?.action, event?.decision], ['export', 'allow']);
  });

  test('who-can answers for query and export, naming the forbid', async () => {
    const policy = await service.access();
    const decisionOf = (action: 'read' | 'query' | 'export', principal: string) =>
      whoCan(policy, PROFILES, { action }).find((entry) => entry.principal === principal);
    assert.equal(decisionOf('read', SERVICE)?.decision, 'allow');
    assert.deepEqual(
      [decisionOf('query', SERVICE)?.decision, decisionOf('query', SERVICE)?.reason],
      ['deny', 'query: forbidden by policy'],
    );
    assert.equal(decisionOf('query', 'mia@acme.example')?.decision, 'allow');
    assert.deepEqual(decisionOf('export', 'mia@acme.example')?.policies, ['pii-exports-governance-only']);
    assert.equal(decisionOf('export', 'gus@acme.example')?.decision, 'allow');
  });
});
