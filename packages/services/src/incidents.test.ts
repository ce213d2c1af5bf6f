import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { CatalogState, ChangeFinding, PortRecord, ProductRecord } from '@quanta/model';
import { type IncidentStore, openIncidentStore } from '@quanta/store';
import { logSink, webhookSink } from './alert-sinks.ts';
import { recordFindings, transitionIncident } from './incidents.ts';

const RAW = 'quanta://raw/feed/events';
const CLEAN = 'quanta://core/clean/events';
const REPORT = 'quanta://bi/report/daily';
const OTHER = 'quanta://hr/people/staff';

function product(address: string, inputs: string[]): ProductRecord {
  const [domain = '', name = ''] = address.replace('quanta://', '').split('/');
  return { address, domain, name, version: '1.0.0', inputs } as unknown as ProductRecord;
}

function port(address: string): PortRecord {
  const [domain = '', productName = '', name = ''] = address.replace('quanta://', '').split('/');
  return { address, domain, product: productName, name } as unknown as PortRecord;
}

// raw → clean → report, and an unrelated port.
const CATALOG: CatalogState = {
  domains: [],
  products: [
    product('quanta://raw/feed', []),
    product('quanta://core/clean', [RAW]),
    product('quanta://bi/report', [CLEAN]),
    product('quanta://hr/people', []),
  ],
  ports: [RAW, CLEAN, REPORT, OTHER].map(port),
};

function found(address: string, kind: ChangeFinding['kind'] = 'volume'): ChangeFinding {
  return { kind, severity: 'warning', port: address, version: 2, message: `${kind} on ${address}` };
}

let folder: string;
let store: IncidentStore;
let server: ReturnType<typeof createServer>;
let url: string;
const received: unknown[] = [];

async function bodyOf(request: IncomingMessage): Promise<string> {
  let text = '';
  for await (const chunk of request) text += chunk;
  return text;
}

before(async () => {
  folder = await mkdtemp(join(tmpdir(), 'quanta-incidents-'));
  store = await openIncidentStore({ embeddedPath: join(folder, 'catalog.db') });
  server = createServer(async (request, response) => {
    received.push({ contentType: request.headers['content-type'], body: JSON.parse(await bodyOf(request)) });
    response.writeHead(request.url === '/broken' ? 500 : 200).end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(async () => {
  await store.close();
  await new Promise((resolve) => server.close(resolve));
  await rm(folder, { recursive: true, force: true });
});

test('a broken input reports one incident across its downstream products, posted to the webhook', async () => {
  const lines: string[] = [];
  const recorded = await recordFindings(store, {
    findings: [found(REPORT, 'distribution'), found(CLEAN, 'nullRate'), found(RAW), found(OTHER)],
    catalog: CATALOG,
    now: '2025-04-01T06:00:00.000Z',
    sinks: [webhookSink(`${url}/hook`), logSink((line) => lines.push(line))],
  });
  assert.equal(recorded.events.length, 2);
  const incidents = recorded.events.map((event) => event.incident);
  const rooted = incidents.find((incident) => incident.rootPort === RAW);
  const other = incidents.find((incident) => incident.rootPort !== RAW);
  assert.equal(rooted?.rootPort, RAW);
  assert.deepEqual(rooted?.ports, [RAW, CLEAN, REPORT]);
  assert.equal(rooted?.findings.length, 3);
  assert.equal(other?.rootPort, OTHER);
  assert.ok(recorded.deliveries.every((delivery) => delivery.kind === 'delivered'));
  assert.equal(lines.length, 2);
  const first = received.find((item) => JSON.stringify(item).includes('raw/feed/events')) as {
    contentType: string;
    body: { text: string; quanta: { kind: string } };
  };
  assert.equal(first.contentType, 'application/json');
  assert.match(
    first.body.text,
    /^\[warning\] incident inc-\w+ opened: .*raw\/feed\/events \(reaches 2 downstream port\(s\)\)$/,
  );
  assert.equal(first.body.quanta.kind, 'opened');
});

test('later findings downstream update the live incident; resolved incidents stay closed', async () => {
  const [live] = await store.listIncidents({ port: RAW });
  assert.ok(live);
  const update = await recordFindings(store, {
    findings: [found(REPORT, 'freshness')],
    catalog: CATALOG,
    now: '2025-04-02T06:00:00.000Z',
  });
  assert.deepEqual(
    update.events.map((event) => [event.kind, event.incident.id]),
    [['updated', live.id]],
  );
  const acknowledged = await transitionIncident(store, {
    id: live.id,
    to: 'acknowledged',
    note: 'ada',
    now: '2025-04-02T07:00:00.000Z',
  });
  assert.equal(acknowledged.state, 'acknowledged');
  const resolved = await transitionIncident(store, {
    id: live.id,
    to: 'resolved',
    now: '2025-04-02T08:00:00.000Z',
  });
  assert.equal(resolved.resolvedAt, '2025-04-02T08:00:00.000Z');
  await assert.rejects(
    transitionIncident(store, { id: live.id, to: 'resolved', now: '2025-04-02T09:00:00.000Z' }),
    {
      code: 'QUANTA_CONFLICT',
    },
  );
  const reopened = await recordFindings(store, {
    findings: [found(CLEAN)],
    catalog: CATALOG,
    now: '2025-04-03T06:00:00.000Z',
  });
  assert.equal(reopened.events[0]?.kind, 'opened');
  assert.notEqual(reopened.events[0]?.incident.id, live.id);
});

test('a failing webhook is a failed delivery, not an exception', async () => {
  const recorded = await recordFindings(store, {
    findings: [found(OTHER, 'schemaChange')],
    catalog: CATALOG,
    now: '2025-04-04T06:00:00.000Z',
    sinks: [webhookSink(`${url}/broken`)],
  });
  assert.deepEqual(
    recorded.deliveries.map((delivery) => delivery.kind),
    ['failed'],
  );
});
