import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createApi } from '@quanta/server';
import { MeshService } from '@quanta/services';
import { copyExampleMesh, type ExampleMeshCopy } from './support/example-mesh.ts';

describe('the HTTP API over the example mesh', () => {
  let mesh: ExampleMeshCopy;
  let service: MeshService;
  let api: ReturnType<typeof createApi>;

  before(async () => {
    mesh = await copyExampleMesh({ orders: 500, customers: 100 });
    service = await MeshService.create({ root: mesh.root });
    await service.apply({ appliedBy: 'test' });
    await service.runAll({ trigger: 'test' });
    api = createApi(service);
  });

  after(async () => {
    await service?.close();
    await mesh?.remove();
  });

  test('lists the catalog', async () => {
    const response = await api.request('/api/catalog');
    assert.equal(response.status, 200);
    const body = (await response.json()) as { entries: { address: string; currentVersion?: number }[] };
    assert.equal(body.entries.length, 6);
    assert.ok(body.entries.every((entry) => entry.currentVersion === 1));
  });

  test('runs a query and reports what it read', async () => {
    const response = await api.request('/api/query', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-quanta-principal': 'mia@acme.example' },
      body: JSON.stringify({ sql: 'select count(*) as n from marketing.campaign_performance.performance' }),
    });
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
    const forbidden = await api.request('/api/query', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-quanta-principal': 'mia@acme.example' },
      body: JSON.stringify({ sql: 'drop table sales.orders.orders' }),
    });
    assert.equal(forbidden.status, 403);
    const body = (await forbidden.json()) as { error: { code: string; title: string; fix?: string } };
    assert.equal(body.error.code, 'QUANTA_SQL_FORBIDDEN');
    assert.ok(body.error.fix);
    const missing = await api.request('/api/catalog/show?address=quanta://sales/nothing');
    assert.equal(missing.status, 404);
    const bad = await api.request('/api/catalog/show?address=http://x');
    assert.equal(bad.status, 400);
  });

  test('a query names its principal: no header, an unknown one or the local administrator is denied', async () => {
    for (const principal of [undefined, 'nobody@acme.example', 'local-admin']) {
      const response = await api.request('/api/query', {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(principal ? { 'x-quanta-principal': principal } : {}),
        },
        body: JSON.stringify({ sql: 'select count(*) from marketing.campaign_performance.performance' }),
      });
      assert.equal(response.status, 403, String(principal));
      const body = (await response.json()) as { error: { code: string }; rows?: unknown };
      assert.equal(body.error.code, 'QUANTA_POLICY_DENIED');
      assert.equal(body.rows, undefined);
    }
  });

  test('describes a run and its step journal', async () => {
    const runs = (await (await api.request('/api/runs?product=quanta://sales/orders')).json()) as {
      runs: { id: string }[];
    };
    assert.equal(runs.runs.length, 1);
    const run = (await (await api.request(`/api/runs/${runs.runs[0]?.id}`)).json()) as {
      events: { step: string }[];
    };
    assert.deepEqual([...new Set(run.events.map((event) => event.step))], ['ingest', 'publish', 'done']);
  });

  test('serves its OpenAPI document and health', async () => {
    const openapi = (await (await api.request('/openapi.json')).json()) as { paths: Record<string, unknown> };
    assert.ok(openapi.paths['/api/query']);
    const health = (await (await api.request('/health')).json()) as { status: string; store: string };
    assert.deepEqual(health, { status: 'ok', store: 'embedded' });
  });
});
