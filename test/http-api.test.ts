import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createApi } from '@quanta/server';
import { MeshService } from '@quanta/services';
import { tableFromIPC } from 'apache-arrow';
import { issueTokens, jsonRequest, type TestApi } from './support/api-requests.ts';
import { copyExampleMesh, type ExampleMeshCopy } from './support/example-mesh.ts';
import { manualClock } from './support/manual-clock.ts';

describe('the HTTP API over the example mesh', () => {
  let mesh: ExampleMeshCopy;
  let service: MeshService;
  let api: TestApi;
  const clock = manualClock();
  const tokens: Record<string, string> = {};
  let expiring = '';
  let revoked = '';

  /** A request as a principal of the example mesh (by its token). */
  const as = (who: string, path: string, init: RequestInit = {}) =>
    api.request(path, jsonRequest({ authorization: `Bearer ${tokens[who]}` }, init));
  const query = (who: string, sql: string, headers: Record<string, string> = {}) =>
    as(who, '/api/query', { method: 'POST', body: JSON.stringify({ sql }), headers });

  before(async () => {
    mesh = await copyExampleMesh({ orders: 500, customers: 100 });
    service = await MeshService.create({ root: mesh.root, clock });
    await service.apply({ appliedBy: 'test' });
    await service.runAll({ trigger: 'test' });
    api = createApi(service);
    Object.assign(tokens, await issueTokens(service));
    expiring = (
      await service.tokens.create({ principal: 'mia@acme.example', actor: 'local-admin', expiresInDays: 1 })
    ).token;
    const toRevoke = await service.tokens.create({
      principal: 'mia@acme.example',
      actor: 'mia@acme.example',
    });
    revoked = toRevoke.token;
    await service.tokens.revoke({ id: toRevoke.record.id, actor: 'mia@acme.example' });
  });

  after(async () => {
    await service?.close();
    await mesh?.remove();
  });

  test('lists the catalog', async () => {
    const response = await as('mia@acme.example', '/api/catalog');
    assert.equal(response.status, 200);
    const body = (await response.json()) as { entries: { address: string; currentVersion?: number }[] };
    assert.equal(body.entries.length, 6);
    assert.ok(body.entries.every((entry) => entry.currentVersion === 1));
  });

  test('runs a query and reports what it read', async () => {
    const response = await query(
      'mia@acme.example',
      'select count(*) as n from marketing.campaign_performance.performance',
    );
    assert.equal(response.status, 200);
    const body = (await response.json()) as {
      rows: unknown[][];
      reads: { address: string; version: number }[];
    };
    assert.deepEqual(body.rows, [[12]]);
    assert.deepEqual(body.reads, [
      { address: 'quanta://marketing/campaign-performance/performance', version: 1 },
    ]);
  });

  test('maps typed errors to HTTP statuses with the same body everywhere', async () => {
    const forbidden = await query('mia@acme.example', 'drop table sales.orders.orders');
    assert.equal(forbidden.status, 403);
    const body = (await forbidden.json()) as { error: { code: string; title: string; fix?: string } };
    assert.equal(body.error.code, 'QUANTA_SQL_FORBIDDEN');
    assert.ok(body.error.fix);
    const missing = await as('mia@acme.example', '/api/catalog/show?address=quanta://sales/nothing');
    assert.equal(missing.status, 404);
    const bad = await as('mia@acme.example', '/api/catalog/show?address=http://x');
    assert.equal(bad.status, 400);
  });

  test('a principal header is no longer trusted: the token decides who asks', async () => {
    const response = await query(
      'mia@acme.example',
      'select count(*) from customers.crm_customers.customers',
      {
        'x-quanta-principal': 'gus@acme.example',
      },
    );
    assert.equal(response.status, 403);
    const body = (await response.json()) as { error: { code: string; message: string } };
    assert.equal(body.error.code, 'QUANTA_POLICY_DENIED');
    assert.match(body.error.message, /^mia@acme\.example may not read/);
  });

  test('every /api route refuses a missing, malformed, unknown, expired or revoked token with 401', async () => {
    const routes = api.routes.filter((route) => route.path.startsWith('/api/') && route.method !== 'ALL');
    assert.ok(routes.length >= 9, JSON.stringify(routes));
    clock.advanceDays(2);
    const forged = `${tokens['mia@acme.example']?.slice(0, -4)}AAAA`;
    const headers: (string | undefined)[] = [
      undefined,
      'Bearer',
      'Basic bWlhOnB3',
      `Bearer ${tokens['mia@acme.example']}x`,
      `Bearer ${forged}`,
      'Bearer qt_AAAAAAAAAAAA_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
      `Bearer ${expiring}`,
      `Bearer ${revoked}`,
    ];
    for (const route of routes) {
      const path = route.path.replace(':id', 'ar-0000000000');
      for (const authorization of headers) {
        const response = await api.request(path, {
          method: route.method,
          headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
          ...(route.method === 'POST' ? { body: JSON.stringify({ sql: 'select 1' }) } : {}),
        });
        const label = `${route.method} ${path} with ${authorization}`;
        assert.equal(response.status, 401, label);
        assert.equal(response.headers.get('www-authenticate'), 'Bearer', label);
        const body = (await response.json()) as { error: { code: string }; rows?: unknown };
        assert.equal(body.error.code, 'QUANTA_UNAUTHENTICATED', label);
        assert.equal(body.rows, undefined, label);
      }
    }
    const stillValid = await as('mia@acme.example', '/api/catalog');
    assert.equal(stillValid.status, 200);
  });

  test('an access request approved by the owner opens the port until the grant expires', async () => {
    const sql = 'select count(*) as n, min(email) as email from customers.crm_customers.customers';
    assert.equal((await query('mia@acme.example', sql)).status, 403);
    const filed = await as('mia@acme.example', '/api/access/requests', {
      method: 'POST',
      body: JSON.stringify({
        address: 'quanta://customers/crm-customers/customers',
        purpose: 'churn study',
        duration: '7d',
      }),
    });
    assert.equal(filed.status, 201);
    const { request } = (await filed.json()) as { request: { id: string; state: string } };
    assert.equal(request.state, 'pending');
    const bySam = await as('sam@acme.example', `/api/access/requests/${request.id}/approve`, {
      method: 'POST',
    });
    assert.equal(bySam.status, 403);
    const visible = async (who: string) =>
      ((await (await as(who, '/api/access/requests')).json()) as { requests: { id: string }[] }).requests.map(
        (listed) => listed.id,
      );
    assert.deepEqual(await visible('ada@acme.example'), [request.id]);
    assert.deepEqual(await visible('sam@acme.example'), []);
    const approved = await as('ada@acme.example', `/api/access/requests/${request.id}/approve`, {
      method: 'POST',
      body: JSON.stringify({ note: 'until the end of the study' }),
    });
    assert.equal(approved.status, 200);
    const decided = (await approved.json()) as { grant: { expiresAt: string } };
    assert.equal(Date.parse(decided.grant.expiresAt), clock.now().getTime() + 7 * 86_400_000);
    const again = await as('gus@acme.example', `/api/access/requests/${request.id}/deny`, { method: 'POST' });
    assert.equal(again.status, 409);
    const granted = await query('mia@acme.example', sql);
    assert.equal(granted.status, 200);
    const rows = ((await granted.json()) as { rows: [number, string][] }).rows;
    assert.equal(rows[0]?.[0], 100);
    assert.match(rows[0]?.[1] ?? '', /^[0-9a-f]{64}$/, 'restricted emails stay hashed for clearance 1');
    clock.advanceDays(8);
    const expired = await query('mia@acme.example', sql);
    assert.equal(expired.status, 403);
    const audit = await service.audit.listAuditEvents({ principal: 'mia@acme.example', limit: 10 });
    assert.deepEqual(
      audit.filter((event) => event.action !== 'query').map((event) => `${event.action} ${event.actor}`),
      ['approve ada@acme.example', 'request-access mia@acme.example'],
    );
  });

  test('a delegate of domain.yaml decides too', async () => {
    const filed = await as('sam@acme.example', '/api/access/requests', {
      method: 'POST',
      body: JSON.stringify({ address: 'quanta://customers/crm-customers/customers', purpose: 'audit' }),
    });
    const { request } = (await filed.json()) as { request: { id: string } };
    const denied = await as('gus@acme.example', `/api/access/requests/${request.id}/deny`, {
      method: 'POST',
      body: JSON.stringify({ note: 'use customer-profile' }),
    });
    assert.equal(denied.status, 200);
    const body = (await denied.json()) as { request: { state: string; note: string }; grant?: unknown };
    assert.deepEqual(
      [body.request.state, body.request.note, body.grant],
      ['denied', 'use customer-profile', undefined],
    );
  });

  test('streams the rows as CSV or Arrow IPC by the Accept header', async () => {
    const sql = 'select order_id, amount, customer_id from sales.orders.orders order by order_id';
    const json = (await (await query('sam@acme.example', sql)).json()) as {
      rows: [string, string, string][];
    };
    const csv = await query('sam@acme.example', sql, { accept: 'text/csv' });
    assert.equal(csv.headers.get('content-type'), 'text/csv; charset=utf-8');
    const lines = (await csv.text()).trimEnd().split('\r\n');
    assert.equal(lines[0], 'order_id,amount,customer_id');
    assert.equal(lines.length, json.rows.length + 1);
    assert.equal(lines[1], json.rows[0]?.join(','));
    const arrow = await query('sam@acme.example', sql, { accept: 'application/vnd.apache.arrow.stream' });
    assert.equal(arrow.headers.get('content-type'), 'application/vnd.apache.arrow.stream');
    const table = tableFromIPC(new Uint8Array(await arrow.arrayBuffer()));
    assert.deepEqual(
      table.schema.fields.map((field) => field.name),
      ['order_id', 'amount', 'customer_id'],
    );
    assert.equal(table.numRows, json.rows.length);
    assert.ok(table.batches.length > 0);
    assert.equal(table.getChild('order_id')?.get(0), json.rows[0]?.[0]);
    // DECIMAL(12,2) is exact on both sides: Arrow's Decimal128 holds the unscaled integer, JSON the text.
    assert.equal(
      String(table.getChild('amount')?.get(json.rows.length - 1)),
      json.rows.at(-1)?.[1].replace('.', ''),
    );
    const empty = await query('sam@acme.example', `${sql.replace(' order by', ' where false order by')}`, {
      accept: 'application/vnd.apache.arrow.stream',
    });
    assert.equal(tableFromIPC(new Uint8Array(await empty.arrayBuffer())).numRows, 0);
  });

  test('describes a run and its step journal', async () => {
    const runs = (await (await as('mia@acme.example', '/api/runs?product=quanta://sales/orders')).json()) as {
      runs: { id: string }[];
    };
    assert.equal(runs.runs.length, 1);
    const run = (await (await as('mia@acme.example', `/api/runs/${runs.runs[0]?.id}`)).json()) as {
      events: { step: string }[];
    };
    assert.deepEqual(
      [...new Set(run.events.map((event) => event.step))],
      ['pipeline', 'ingest', 'check', 'classify', 'profile', 'publish', 'done'],
    );
  });

  test("serves a run's OpenLineage events: START, then COMPLETE with the published snapshot", async () => {
    const runs = (await (await as('mia@acme.example', '/api/runs?product=quanta://sales/orders')).json()) as {
      runs: { id: string }[];
    };
    const response = await as('mia@acme.example', `/api/runs/${runs.runs[0]?.id}/lineage`);
    const { events } = (await response.json()) as {
      events: {
        eventType: string;
        job: { namespace: string; name: string };
        outputs: { name: string; facets: { schema: { fields: unknown[] } } }[];
      }[];
    };
    assert.deepEqual(
      events.map((event) => event.eventType),
      ['START', 'COMPLETE'],
    );
    const complete = events[1];
    assert.deepEqual(complete?.job, { namespace: 'quanta://sales', name: 'orders' });
    assert.equal(complete?.outputs[0]?.name, 'orders/orders');
    assert.ok((complete?.outputs[0]?.facets.schema.fields.length ?? 0) > 0);
  });

  test('queues a run of a product as the principal; a worker executes it', async () => {
    const queue = (body: unknown, authorization?: string) =>
      api.request('/api/runs', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
        body: JSON.stringify(body),
      });
    const anonymous = await queue({ product: 'marketing/campaign-performance' });
    assert.equal(anonymous.status, 401);
    assert.deepEqual(await service.runs.work({ isDraining: true, pollMs: 10 }), [], 'nothing was queued');
    const bearer = `Bearer ${tokens['sam@acme.example']}`;
    const unknown = await queue({ product: 'marketing/nothing' }, bearer);
    assert.equal(unknown.status, 404);
    assert.equal(((await unknown.json()) as { error: { code: string } }).error.code, 'QUANTA_NOT_FOUND');
    assert.equal((await queue({ name: 'marketing/campaign-performance' }, bearer)).status, 400);
    const accepted = await queue({ product: 'marketing/campaign-performance' }, bearer);
    assert.equal(accepted.status, 202);
    const { runId } = (await accepted.json()) as { runId: string };
    const described = async () =>
      (await (await as('mia@acme.example', `/api/runs/${runId}`)).json()) as {
        run?: { state: string; trigger: string };
        queued?: { status: string; product: string; request: { trigger: string } };
      };
    const waiting = await described();
    assert.deepEqual(
      [waiting.run, waiting.queued?.status, waiting.queued?.product, waiting.queued?.request.trigger],
      [undefined, 'queued', 'quanta://marketing/campaign-performance', 'api:sam@acme.example'],
    );
    const [executed] = await service.runs.work({ isDraining: true, pollMs: 10 });
    assert.equal(executed?.id, runId);
    const ran = (await described()).run;
    assert.deepEqual([ran?.state, ran?.trigger], ['succeeded', 'api:sam@acme.example']);
  });

  test('serves its OpenAPI document and health without a token', async () => {
    const openapi = (await (await api.request('/openapi.json')).json()) as { paths: Record<string, unknown> };
    assert.ok(openapi.paths['/api/query']);
    assert.ok((openapi.paths['/api/runs'] as { post?: unknown }).post);
    assert.ok(openapi.paths['/api/access/requests/{id}/approve']);
    const health = (await (await api.request('/health')).json()) as { status: string; store: string };
    assert.deepEqual(health, { status: 'ok', store: 'embedded' });
  });
});
