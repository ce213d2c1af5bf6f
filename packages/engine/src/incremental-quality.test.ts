import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { MetricRule, QualityReport, QualityRule } from '@quanta/model';
import type { QualityRequest } from './data-engine.ts';
import { column, createEngineFixture, type EngineFixture, metricRule as metric } from './test-fixtures.ts';

const NOW = '2025-07-01T00:00:00.000Z';
const CUSTOMERS = 'customers/customers.odcs.yaml';
const COLUMNS = [
  column('order_id', 'string'),
  column('customer_id', 'string'),
  column('email', 'string'),
  column('status', 'string'),
  column('amount', 'number'),
  column('order_date', 'date'),
];

/** A seeded generator (mulberry32): the same seed, the same rows. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface OrderRow {
  readonly orderId: string;
  readonly customerId: string | null;
  readonly email: string | null;
  readonly status: string;
  readonly amount: number;
  readonly day: number;
}

/** `count` orders numbered from `first`: a few nulls, bad emails, unknown statuses and orphans. */
function generateOrders(input: { seed: number; first: number; count: number }): OrderRow[] {
  const random = seeded(input.seed);
  const statuses = ['placed', 'shipped', 'delivered', 'returned', 'lost'];
  return Array.from({ length: input.count }, (_, index) => {
    const n = input.first + index;
    const customer = Math.floor(random() * 60);
    return {
      orderId: `O${String(n).padStart(6, '0')}`,
      customerId: random() < 0.02 ? null : `C${customer}`,
      email: random() < 0.03 ? null : random() < 0.02 ? `bad-${n}` : `u${n}@x.org`,
      status: statuses[Math.floor(random() * (random() < 0.95 ? 4 : 5))] ?? 'placed',
      amount: Math.round((random() * 200 - 5) * 100) / 100,
      day: Math.floor(random() * 150),
    };
  });
}

function ordersSql(rows: readonly OrderRow[]): string {
  const text = (value: string | null) => (value === null ? 'NULL' : `'${value}'`);
  const values = rows.map(
    (row) =>
      `(${text(row.orderId)}, ${text(row.customerId)}, ${text(row.email)}, ${text(row.status)}, ` +
      `${row.amount}::DECIMAL(12,2), DATE '2025-01-01' + ${row.day})`,
  );
  return `SELECT * FROM (VALUES ${values.join(',\n')}) AS t(order_id, customer_id, email, status, amount, order_date)`;
}

const RULES: readonly QualityRule[] = [
  metric('email-format', {
    metric: 'invalidValues',
    columns: ['email'],
    validity: { pattern: '[a-z0-9]+@x[.]org' },
    onFail: 'quarantine',
  }),
  metric('email-nulls', { metric: 'nullValues', columns: ['email'] }),
  metric('email-null-share', {
    metric: 'nullValues',
    columns: ['email'],
    unit: 'percent',
    threshold: { operator: 'mustBeLessThan', value: 5 },
  }),
  metric('status', {
    metric: 'invalidValues',
    columns: ['status'],
    validity: { validValues: ['placed', 'shipped', 'delivered', 'returned'] },
    severity: 'warning',
  }),
  metric('unique-order', { metric: 'duplicateValues', columns: ['order_id'] }),
  metric('unique-pair', { metric: 'duplicateValues', columns: ['order_id', 'customer_id'] }),
  metric('rows', { metric: 'rowCount', columns: [], threshold: { operator: 'mustBeLessThan', value: 3300 } }),
  {
    id: 'negative',
    name: 'negative',
    severity: 'warning',
    kind: 'sql',
    query: 'SELECT count(*) FROM ${table} WHERE amount < 0',
    threshold: { operator: 'mustBe', value: 0 },
    unit: 'rows',
  },
  {
    id: 'average',
    name: 'average',
    severity: 'warning',
    kind: 'sql',
    query: 'SELECT avg(amount) FROM ${table}',
    threshold: { operator: 'mustBeGreaterThan', value: 40 },
    unit: 'rows',
  },
  {
    id: 'fresh',
    name: 'fresh',
    severity: 'warning',
    kind: 'sla',
    property: 'freshness',
    column: 'order_date',
    limitDays: 60,
  },
  {
    id: 'fk',
    name: 'fk',
    severity: 'error',
    kind: 'foreignKey',
    column: 'customer_id',
    target: { reference: CUSTOMERS, file: CUSTOMERS, table: 'customers', column: 'customer_id' },
  },
];

let fixture: EngineFixture;
let customers: string;
let previous: string;
let baseReport: QualityReport;
const BASE_ROWS = 3000;

function request(extra: Partial<QualityRequest> = {}): QualityRequest {
  return {
    columns: COLUMNS,
    rules: RULES,
    tableName: 'orders',
    references: { [CUSTOMERS]: { path: customers } },
    now: NOW,
    ...extra,
  };
}

const verdicts = (report: QualityReport) =>
  report.clauses.map((clause) => ({ id: clause.id, status: clause.status, measured: clause.measured }));

before(async () => {
  fixture = await createEngineFixture();
  const known = Array.from({ length: 55 }, (_, index) => `('C${index}')`).join(', ');
  customers = await fixture.publish(
    await fixture.stage(`SELECT * FROM (VALUES ${known}) AS t(customer_id)`, 'customers'),
    'customers',
  );
  const base = await fixture.stage(
    ordersSql(generateOrders({ seed: 7, first: 0, count: BASE_ROWS })),
    'base',
  );
  baseReport = await fixture.engine.checkQuality(base, request());
  previous = await fixture.publish(base, 'orders');
});
after(() => fixture.dispose());

describe('an incremental check of an appended snapshot', () => {
  // The delta: seeded orders, plus a key the base already holds and a null email.
  const deltaRows = (): OrderRow[] => [
    ...generateOrders({ seed: 11, first: BASE_ROWS, count: 280 }),
    { orderId: 'O000042', customerId: 'C3', email: 'dup@x.org', status: 'placed', amount: 9, day: 170 },
    { orderId: 'O900001', customerId: 'C4', email: null, status: 'shipped', amount: 12, day: 171 },
  ];

  test('gives the full scan’s verdicts, clause for clause, reading only the delta where it can', async () => {
    const delta = await fixture.stage(ordersSql(deltaRows()), 'delta');
    const forFull = await fixture.stageAppended({ previous, delta }, 'appended-full');
    const forDelta = await fixture.stageAppended({ previous, delta }, 'appended-delta');
    const full = await fixture.engine.checkQuality(forFull, request());
    const incremental = await fixture.engine.checkQuality(
      forDelta,
      request({ incremental: { baseRows: baseReport.rowCount, baseReport } }),
    );
    assert.deepEqual(verdicts(incremental), verdicts(full));
    assert.deepEqual(
      [incremental.rowCount, incremental.quarantinedRows, incremental.isBlocking],
      [full.rowCount, full.quarantinedRows, full.isBlocking],
    );
    // The duplicate across base and delta, and the delta's null, are both counted.
    const measured = (id: string) => full.clauses.find((clause) => clause.id === id)?.measured;
    const baseMeasured = (id: string) => baseReport.clauses.find((clause) => clause.id === id)?.measured;
    assert.equal(measured('unique-order'), (baseMeasured('unique-order') ?? 0) + 1);
    assert.ok((measured('email-nulls') ?? 0) > (baseMeasured('email-nulls') ?? 0));
    assert.equal(full.incremental, undefined);
    assert.deepEqual(incremental.incremental, {
      baseRows: baseReport.rowCount,
      deltaRows: incremental.rowCount - baseReport.rowCount,
    });
    // Which clauses read the delta only, and which the whole table: the run report shows it.
    assert.deepEqual(Object.fromEntries(incremental.clauses.map((clause) => [clause.id, clause.scope])), {
      'email-format': 'delta',
      'email-nulls': 'delta',
      'email-null-share': 'delta',
      status: 'delta',
      'unique-order': 'delta',
      'unique-pair': 'delta',
      rows: 'delta',
      negative: 'delta',
      average: 'table',
      fresh: 'delta',
      fk: 'delta',
    });
    assert.ok(full.clauses.every((clause) => clause.scope === undefined));
  });

  test('a clause measuring something else than its base clause reads the whole table', async () => {
    const delta = await fixture.stage(ordersSql(deltaRows()), 'delta-2');
    const forFull = await fixture.stageAppended({ previous, delta }, 'appended-full-2');
    const forDelta = await fixture.stageAppended({ previous, delta }, 'appended-delta-2');
    // The reference was republished since the base was checked: orphans must be counted again.
    const republished = await fixture.publish(
      await fixture.stage(
        `SELECT * FROM (VALUES ('C1'), ('C2'), ('C3'), ('C4')) AS t(customer_id)`,
        'customers-2',
      ),
      'customers-2',
    );
    const status = RULES.find((rule) => rule.id === 'status') as MetricRule;
    const rules = RULES.map((rule) =>
      rule.id === 'status' ? { ...status, validity: { validValues: ['placed', 'shipped'] } } : rule,
    );
    const references = { [CUSTOMERS]: { path: republished } };
    const full = await fixture.engine.checkQuality(forFull, request({ rules, references }));
    const incremental = await fixture.engine.checkQuality(
      forDelta,
      request({ rules, references, incremental: { baseRows: baseReport.rowCount, baseReport } }),
    );
    assert.deepEqual(verdicts(incremental), verdicts(full));
    const scopes = new Map(incremental.clauses.map((clause) => [clause.id, clause.scope]));
    assert.deepEqual(
      [scopes.get('fk'), scopes.get('status'), scopes.get('unique-order')],
      ['table', 'table', 'delta'],
    );
  });

  test('a quarantine rule the base was not checked with makes it a full scan', async () => {
    const delta = await fixture.stage(ordersSql(deltaRows()), 'delta-3');
    const table = await fixture.stageAppended({ previous, delta }, 'appended-3');
    const rules = [
      ...RULES,
      metric('status-quarantine', {
        metric: 'invalidValues',
        columns: ['status'],
        validity: { validValues: ['placed', 'shipped', 'delivered', 'returned'] },
        onFail: 'quarantine',
      }),
    ];
    const report = await fixture.engine.checkQuality(
      table,
      request({ rules, incremental: { baseRows: baseReport.rowCount, baseReport } }),
    );
    assert.equal(report.incremental, undefined);
    assert.ok(report.clauses.every((clause) => clause.scope === undefined));
  });
});
