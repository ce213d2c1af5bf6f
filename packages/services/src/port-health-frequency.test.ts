import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { CatalogState, QualityReport } from '@quanta/model';
import { frequencyLimitHours, meshHealth } from './port-health.ts';
import { createHealthStore, type HealthStoreFixture } from './test-health-store.ts';

const DAILY = 'quanta://sales/orders/orders';
const UNPROMISED = 'quanta://sales/orders/lines';

function port(name: string, contract: CatalogState['ports'][number]['contract']) {
  return {
    domain: 'sales',
    product: 'orders',
    name,
    address: `quanta://sales/orders/${name}`,
    contractId: `sales.orders.${name}`,
    contractVersion: '1.0.0',
    columns: [],
    contract,
    hash: name,
  };
}

const CATALOG: CatalogState = {
  domains: [{ name: 'sales', owner: 'o', spec: {}, hash: 'd1' }],
  products: [
    {
      domain: 'sales',
      name: 'orders',
      address: 'quanta://sales/orders',
      version: '1.0.0',
      inputs: [],
      spec: {},
      hash: 'p1',
    },
  ],
  ports: [
    port('orders', { slaProperties: [{ property: 'frequency', value: 1, unit: 'd' }] }),
    port('lines', { slaProperties: [{ property: 'retention', value: 1, unit: 'y' }] }),
  ],
};

function passing(at: string): QualityReport {
  return {
    checkedAt: at,
    schema: [],
    clauses: [],
    enforced: 0,
    total: 0,
    isBlocking: false,
    scans: 1,
    rowCount: 10,
    quarantinedRows: 0,
  };
}

let fixture: HealthStoreFixture;

/** Publishes 10 rows that pass their checks on `address` at `at`. */
function publish(address: string, at: string) {
  const runId = `run-${address.split('/').at(-1)}-${at}`;
  return fixture.publish({
    port: address,
    at,
    runId,
    rowCount: 10,
    quarantinedRows: 0,
    quality: passing(at),
  });
}

async function healthAt(at: string, address: string) {
  const [health] = await meshHealth(fixture.store, {
    incidents: fixture.incidents,
    now: new Date(at),
    address,
  });
  assert.ok(health);
  return health;
}

before(async () => {
  fixture = await createHealthStore(CATALOG);
  // Daily: on time (24.5 h after the first), then late (47.5 h after the second).
  await publish(DAILY, '2025-06-10T06:00:00.000Z');
  await publish(DAILY, '2025-06-11T06:30:00.000Z');
  await publish(DAILY, '2025-06-13T06:00:00.000Z');
  await publish(UNPROMISED, '2025-06-10T06:00:00.000Z');
});

after(() => fixture.dispose());

test('the frequency limit is the strictest readable frequency SLA, in hours (days by default)', () => {
  assert.equal(frequencyLimitHours(CATALOG.ports[0]?.contract ?? {}), 24);
  assert.equal(
    frequencyLimitHours({
      slaProperties: [
        { property: 'Frequency', value: 6, unit: 'h' },
        { property: 'frequency', value: 2 },
      ],
    }),
    6,
  );
  assert.equal(
    frequencyLimitHours({ slaProperties: [{ property: 'frequency', value: 'daily' }] }),
    undefined,
  );
  assert.equal(frequencyLimitHours({ slaProperties: [{ property: 'frequency', value: 0 }] }), undefined);
  assert.equal(frequencyLimitHours({}), undefined);
});

test('publications within the frequency SLA are counted; a late one is a miss', async () => {
  const health = await healthAt('2025-06-13T12:00:00.000Z', DAILY);
  assert.deepEqual(health.frequency, { limitHours: 24, allowedHours: 26.4, sinceHours: 6, isOnTime: true });
  assert.equal(health.slo.frequency, 0.5);
  assert.equal(health.status, 'healthy');
});

test('a missed expected publish makes the port degraded and counts against the SLO', async () => {
  const health = await healthAt('2025-06-14T09:00:00.000Z', DAILY);
  assert.deepEqual(health.frequency, {
    limitHours: 24,
    allowedHours: 26.4,
    sinceHours: 27,
    isOnTime: false,
  });
  assert.equal(health.slo.frequency, 0.333);
  assert.equal(health.status, 'degraded');
});

test('a port whose contract promises no frequency has no frequency summary', async () => {
  const health = await healthAt('2025-06-30T09:00:00.000Z', UNPROMISED);
  assert.equal(health.frequency, undefined);
  assert.equal(health.slo.frequency, undefined);
  assert.equal(health.status, 'healthy');
});
