import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { CatalogState, ClauseResult, Incident, QualityReport } from '@quanta/model';
import type { CatalogStore, IncidentStore } from '@quanta/store';
import { freshnessLimitHours, meshHealth } from './port-health.ts';
import { createHealthStore, type HealthStoreFixture } from './test-health-store.ts';

const PORT = 'quanta://sales/orders/orders';
const OTHER = 'quanta://hr/people/staff';

const CATALOG: CatalogState = {
  domains: [
    { name: 'sales', owner: 'o', spec: {}, hash: 'd1' },
    { name: 'hr', owner: 'o', spec: {}, hash: 'd2' },
  ],
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
    {
      domain: 'hr',
      name: 'people',
      address: 'quanta://hr/people',
      version: '1.0.0',
      inputs: [],
      spec: {},
      hash: 'p2',
    },
  ],
  ports: [
    {
      domain: 'sales',
      product: 'orders',
      name: 'orders',
      address: PORT,
      contractId: 'sales.orders.orders',
      contractVersion: '1.0.0',
      columns: [],
      contract: {
        slaProperties: [
          { property: 'retention', value: 7, unit: 'y' },
          { property: 'latency', value: 1, unit: 'd' },
          { property: 'freshness', value: 36, unit: 'h' },
        ],
      },
      hash: 'c1',
    },
    {
      domain: 'hr',
      product: 'people',
      name: 'staff',
      address: OTHER,
      contractId: 'hr.people.staff',
      contractVersion: '1.0.0',
      columns: [],
      contract: {},
      hash: 'c2',
    },
  ],
};

function clause(status: ClauseResult['status'], severity: ClauseResult['severity']): ClauseResult {
  return { id: '/q/0', name: 'rule', kind: 'sql', status, severity, detail: status, samples: [] };
}

function report(at: string, clauses: ClauseResult[], isBlocking = false): QualityReport {
  return {
    checkedAt: at,
    schema: [],
    clauses,
    enforced: clauses.length,
    total: clauses.length,
    isBlocking,
    scans: 1,
    rowCount: 100,
    quarantinedRows: 0,
  };
}

let fixture: HealthStoreFixture;
let store: CatalogStore;
let incidents: IncidentStore;

/** Publishes the orders port at `at` (snapshots are stamped when the test says). */
function publish(at: string, rows: { rowCount: number; quarantinedRows: number; quality: QualityReport }) {
  return fixture.publish({ port: PORT, at, runId: `run-${at}`, ...rows });
}

before(async () => {
  fixture = await createHealthStore(CATALOG);
  ({ store, incidents } = fixture);
  await publish('2025-06-20T06:00:00.000Z', {
    rowCount: 100,
    quarantinedRows: 0,
    quality: report('2025-06-20T06:00:00.000Z', [clause('passed', 'error')]),
  });
  await publish('2025-06-28T08:00:00.000Z', {
    rowCount: 90,
    quarantinedRows: 10,
    quality: report('2025-06-28T08:00:00.000Z', [clause('passed', 'error'), clause('failed', 'warning')]),
  });
  await store.recordQualityReport({
    runId: 'run-blocked',
    port: PORT,
    report: report('2025-06-29T09:00:00.000Z', [clause('failed', 'error')], true),
  });
  const incident: Incident = {
    id: 'inc-1',
    rootPort: PORT,
    state: 'open',
    severity: 'critical',
    title: 'quality on orders',
    ports: [PORT],
    findings: [],
    openedAt: '2025-06-29T09:00:00.000Z',
    updatedAt: '2025-06-29T09:00:00.000Z',
  };
  await incidents.saveIncident(incident);
  await incidents.saveIncident({ ...incident, id: 'inc-0', state: 'resolved' });
});

after(() => fixture.dispose());

test('the freshness limit is the strictest latency or freshness SLA, in hours', () => {
  assert.equal(freshnessLimitHours(CATALOG.ports[0]?.contract ?? {}), 24);
  assert.equal(
    freshnessLimitHours({ slaProperties: [{ property: 'freshness', value: 90, unit: 'min' }] }),
    1.5,
  );
  assert.equal(
    freshnessLimitHours({ slaProperties: [{ property: 'latency', value: 1, unit: 'fortnight' }] }),
    undefined,
  );
  assert.equal(freshnessLimitHours({}), undefined);
});

test('SLO compliance over 30 days: freshness at each day end, quality pass rate, completeness', async () => {
  const [health] = await meshHealth(store, {
    incidents,
    now: new Date('2025-06-30T12:00:00.000Z'),
    address: PORT,
  });
  assert.ok(health);
  assert.equal(health.status, 'failing');
  assert.deepEqual(health.current, { version: 2, publishedAt: '2025-06-28T08:00:00.000Z', rowCount: 90 });
  assert.deepEqual(health.freshness, { limitHours: 24, ageHours: 52, isFresh: false });
  assert.deepEqual(health.lastQuality, {
    runId: 'run-blocked',
    checkedAt: '2025-06-29T09:00:00.000Z',
    isBlocking: true,
    enforced: 1,
    total: 1,
    failed: 1,
  });
  // Fresh at the end of 06-20 and 06-28 only, of the 11 days since the first snapshot.
  assert.deepEqual(health.slo, { freshness: 0.182, quality: 0.333, completeness: 0.95 });
  assert.equal(health.days.length, 30);
  assert.equal(health.days[0]?.day, '2025-06-01');
  assert.deepEqual(health.days.at(-1), { day: '2025-06-30', isFresh: false, checks: 0, passed: 0 });
  assert.deepEqual(
    health.days.filter((day) => day.checks > 0).map((day) => [day.day, day.checks, day.passed, day.isFresh]),
    [
      ['2025-06-20', 1, 1, true],
      ['2025-06-28', 1, 0, true],
      ['2025-06-29', 1, 0, false],
    ],
  );
  assert.deepEqual(
    health.openIncidents.map((incident) => incident.id),
    ['inc-1'],
    'resolved incidents are history, not health',
  );
});

test('a port never published is unknown; an address under no port is QUANTA_NOT_FOUND', async () => {
  const all = await meshHealth(store, { incidents, now: new Date('2025-06-30T12:00:00.000Z') });
  assert.deepEqual(
    all.map((item) => [item.port, item.status]).sort(),
    [
      [PORT, 'failing'],
      [OTHER, 'unknown'],
    ].sort(),
  );
  const staff = all.find((item) => item.port === OTHER);
  assert.deepEqual(staff?.slo, {});
  assert.deepEqual(staff?.freshness, {});
  await assert.rejects(meshHealth(store, { incidents, now: new Date(), address: 'quanta://sales/nothing' }), {
    code: 'QUANTA_NOT_FOUND',
  });
  const product = await meshHealth(store, { incidents, now: new Date(), address: 'sales/orders' });
  assert.deepEqual(
    product.map((item) => item.port),
    [PORT],
  );
});
