import assert from 'node:assert/strict';
import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Incident, JsonObject, RunRecord } from '@quanta/model';
import { createApi } from '@quanta/server';
import { MeshService, type PortHealth, recordRunTrust } from '@quanta/services';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { copyExampleMesh, csvText, type ExampleMeshCopy, generateOrderRows } from './support/example-mesh.ts';
import { jsonOf, runCli } from './support/run-cli.ts';

const ORDERS = 'quanta://sales/orders/orders';
const REVENUE = 'quanta://sales/segment-revenue/revenue';
const SCHEMAS = path.resolve(import.meta.dirname, '../packages/workflow/schemas/openlineage');

let mesh: ExampleMeshCopy;
let service: MeshService;
let server: ReturnType<typeof createServer>;
const posted: { text: string; quanta: { kind: string; incident: Incident } }[] = [];
const logged: string[] = [];
let drifted: RunRecord[] = [];

async function bodyOf(request: IncomingMessage): Promise<string> {
  let text = '';
  for await (const chunk of request) text += chunk;
  return text;
}

/** 3,000 other orders (seed 99, ids prefixed `B-` so they are new) with no campaign, as one CSV. */
async function secondBatch(): Promise<string> {
  const { header, rows } = await generateOrderRows({ seed: 99, orders: 3_000, customers: 400 });
  const campaign = header.split(',').indexOf('campaign_id');
  const changed = rows.map((row) => {
    const fields = row.split(',');
    fields[0] = `B-${fields[0]}`;
    fields[campaign] = '';
    return fields.join(',');
  });
  return csvText(header, changed);
}

before(async () => {
  server = createServer(async (request, response) => {
    posted.push(JSON.parse(await bodyOf(request)));
    response.writeHead(200).end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  mesh = await copyExampleMesh({ orders: 3_000, customers: 400 });
  // The webhook comes from quanta.yaml; the environment has none.
  await appendFile(path.join(mesh.root, 'quanta.yaml'), `alerts:\n  webhook: ${url}\n`);
  service = await MeshService.create({ root: mesh.root, env: {}, alertLog: (line) => logged.push(line) });
  await service.apply({ appliedBy: 'test' });
  const first = await service.runAll({ trigger: 'test' });
  assert.ok(first.every((run) => run.state === 'succeeded'));
  // A second delivery of as many new orders again: volumes and distributions drift.
  await writeFile(path.join(mesh.root, 'landing', 'sales', 'orders', 'orders-late.csv'), await secondBatch());
  drifted = [
    await service.run('sales/orders', { trigger: 'test' }),
    await service.run('sales/segment-revenue', { trigger: 'test' }),
  ];
});

after(async () => {
  await service?.close();
  await mesh?.remove();
  await new Promise((resolve) => server?.close(resolve));
});

test('first snapshots open no incident; a drifted second run opens one, posted to the quanta.yaml webhook', async () => {
  assert.deepEqual(
    drifted.map((run) => run.state),
    ['succeeded', 'succeeded'],
  );
  const incidents = await service.incidents.listIncidents({ state: 'open' });
  const [incident, ...others] = incidents;
  assert.ok(incident, 'an incident is open');
  assert.deepEqual(others, [], 'the downstream product joins the upstream incident');
  assert.equal(incident.rootPort, ORDERS);
  assert.deepEqual(incident.ports, [ORDERS, REVENUE]);
  const kinds = (port: string) =>
    new Set(incident.findings.filter((item) => item.port === port).map((item) => item.kind));
  assert.ok(kinds(ORDERS).has('distinctCount'), JSON.stringify(incident.findings));
  assert.ok(kinds(REVENUE).size > 0, 'the downstream port has findings of its own');
  assert.ok(incident.findings.every((item) => drifted.some((run) => run.id === item.runId)));
  assert.deepEqual(
    posted.map((body) => [body.quanta.kind, body.quanta.incident.id]),
    [
      ['opened', incident.id],
      ['updated', incident.id],
    ],
  );
  assert.match(posted[0]?.text ?? '', /incident .* opened: .* on quanta:\/\/sales\/orders\/orders/);
  assert.equal(logged.length, 2);
});

test('recording a run again (a resumed run) records nothing twice', async () => {
  const before = await service.incidents.listIncidents();
  const [orders] = drifted;
  assert.ok(orders);
  const mesh = (await service.validate()).mesh;
  const product = mesh?.products.find((item) => item.address === 'quanta://sales/orders');
  assert.ok(product);
  const again = await recordRunTrust(
    { runId: orders.id, product, state: 'succeeded' },
    {
      store: service.store,
      trust: { incidents: service.incidents, env: {}, log: (line) => logged.push(line) },
    },
  );
  assert.deepEqual(again, { events: [], deliveries: [] });
  assert.deepEqual(await service.incidents.listIncidents(), before);
  assert.equal(posted.length, 2);
});

test("the COMPLETE event carries the snapshot's quality and profile facets, valid against the official schemas", async () => {
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  addFormatsModule.default(ajv);
  const load = async (file: string) =>
    JSON.parse(await readFile(path.join(SCHEMAS, file), 'utf8')) as JsonObject;
  const core = await load('OpenLineage.json');
  ajv.addSchema(core);
  const runEvent = ajv.getSchema(`${String(core.$id)}#/$defs/RunEvent`);
  const assertions = ajv.compile(await load('DataQualityAssertionsDatasetFacet.json'));
  const metrics = ajv.compile(await load('DataQualityMetricsDatasetFacet.json'));
  assert.ok(runEvent);
  const events = await service.runs.lineage(drifted[0]?.id ?? '');
  const complete = events.find((event) => event.eventType === 'COMPLETE')?.event;
  assert.ok(complete);
  assert.ok(runEvent(complete), JSON.stringify(runEvent.errors));
  const [output] = complete.outputs as JsonObject[];
  assert.ok(output);
  const facets = output.facets as JsonObject;
  assert.ok(assertions(facets), JSON.stringify(assertions.errors));
  assert.ok(metrics(facets), JSON.stringify(metrics.errors));
  const listed = (facets.dataQualityAssertions as JsonObject).assertions as JsonObject[];
  assert.ok(listed.some((item) => item.assertion === 'unique' && item.column === 'order_id' && item.success));
  const columns = (facets.dataQualityMetrics as JsonObject).columnMetrics as JsonObject;
  assert.equal((columns.order_id as JsonObject).nullCount, 0);
  assert.equal(
    (facets.dataQualityMetrics as JsonObject).rowCount,
    (output.outputFacets as { outputStatistics: { rowCount: number } }).outputStatistics.rowCount,
  );
});

test('quanta health shows the incident on both ports, with 30 days of SLO history', async () => {
  const [incident] = await service.incidents.listIncidents({ state: 'open' });
  assert.ok(incident);
  const json = await runCli(['health', 'quanta://sales', '--json'], { cwd: mesh.root });
  assert.equal(json.code, 0, json.stderr);
  const { ports } = jsonOf<{ ports: PortHealth[] }>(json);
  assert.deepEqual(ports.map((port) => [port.port, port.openIncidents.map((item) => item.id)]).sort(), [
    [ORDERS, [incident.id]],
    [REVENUE, [incident.id]],
  ]);
  const orders = ports.find((port) => port.port === ORDERS);
  assert.ok(orders);
  assert.equal(orders.current?.version, 2);
  assert.equal(orders.freshness.limitHours, 24, 'the contract says latency 1 d');
  assert.equal(orders.freshness.isFresh, true);
  assert.equal(orders.days.length, 30);
  assert.equal(orders.days.at(-1)?.checks, 2);
  assert.equal(orders.slo.freshness, 1);
  assert.ok(orders.status === 'degraded' || orders.status === 'failing');
  const human = await runCli(['health', 'sales/orders'], { cwd: mesh.root });
  assert.equal(human.code, 0, human.stderr);
  const [header, row, ...rest] = human.stdout.trimEnd().split('\n');
  assert.match(header ?? '', /^port\s+status\s+fresh\s+last check\s+slo f q c\s+incidents\s+last 30 days$/);
  assert.match(
    row ?? '',
    new RegExp(`^sales/orders/orders\\s+${orders.status}\\s+\\S+/24h\\s+.*${incident.id}\\s+·{29}\\S$`),
  );
  assert.deepEqual(rest, []);
});

test('GET /api/health and /api/health/ports/:address serve the same summaries, to authenticated callers only', async () => {
  const api = createApi(service);
  const { token } = await service.tokens.create({ principal: 'mia@acme.example', actor: 'local-admin' });
  const get = (url: string) => api.request(url, { headers: { authorization: `Bearer ${token}` } });
  assert.equal((await api.request('/api/health')).status, 401);
  const all = (await (await get('/api/health')).json()) as { ports: PortHealth[] };
  assert.equal(all.ports.length, 6);
  const one = await get(`/api/health/ports/${encodeURIComponent(ORDERS)}`);
  assert.equal(one.status, 200);
  const orders = (await one.json()) as PortHealth;
  assert.deepEqual(
    orders,
    all.ports.find((port) => port.port === ORDERS),
  );
  assert.equal(orders.openIncidents.length, 1);
  const product = await get(`/api/health/ports/${encodeURIComponent('quanta://sales/orders')}`);
  assert.equal(product.status, 404, 'a product is not a port');
  const filtered = (await (await get('/api/health?address=quanta://sales/segment-revenue')).json()) as {
    ports: PortHealth[];
  };
  assert.deepEqual(
    filtered.ports.map((port) => port.port),
    [REVENUE],
  );
});

test('quanta incident ack tells the quanta.yaml webhook too', async () => {
  const [incident] = await service.incidents.listIncidents({ state: 'open' });
  assert.ok(incident);
  const ack = await runCli(['incident', 'ack', incident.id, '--note', 'mia: late CRM export'], {
    cwd: mesh.root,
    env: { QUANTA_ALERT_WEBHOOK: '' },
  });
  assert.equal(ack.code, 0, ack.stderr);
  assert.deepEqual(posted.at(-1)?.quanta.kind, 'acknowledged');
  assert.equal(posted.at(-1)?.quanta.incident.note, 'mia: late CRM export');
});
