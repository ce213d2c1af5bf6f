import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { QualityReport, QualityRule } from '@quanta/model';
import type { StagedTable } from './data-engine.ts';
import { column, createEngineFixture, type EngineFixture, metricRule as metric } from './test-fixtures.ts';

const NOW = '2025-03-10T00:00:00.000Z';
const COLUMNS = [
  column('order_id', 'string'),
  column('customer_id', 'string'),
  column('email', 'string'),
  column('status', 'string'),
  column('amount', 'number', { physicalType: 'double' }),
  column('order_date', 'date'),
];
// Ten rows: one null email, one 'N/A' email, one malformed email, one duplicate order id,
// one unknown status, and customer C9 that the customers snapshot lacks.
const ORDERS_SQL = `SELECT * FROM (VALUES
  ('O1', 'C1', 'ada@x.org', 'placed', 10.0, DATE '2025-03-09'),
  ('O2', 'C2', 'bob@x.org', 'shipped', 20.0, DATE '2025-03-08'),
  ('O3', 'C1', NULL, 'placed', 30.0, DATE '2025-03-07'),
  ('O4', 'C2', 'N/A', 'placed', 40.0, DATE '2025-03-06'),
  ('O5', 'C1', 'not-an-email', 'lost', 50.0, DATE '2025-03-05'),
  ('O6', 'C9', 'eve@x.org', 'placed', 60.0, DATE '2025-03-04'),
  ('O7', 'C2', 'dan@x.org', 'placed', 70.0, DATE '2025-03-03'),
  ('O8', 'C1', 'cat@x.org', 'placed', 80.0, DATE '2025-03-02'),
  ('O9', 'C2', 'fay@x.org', 'placed', 90.0, DATE '2025-03-01'),
  ('O9', 'C1', 'gus@x.org', 'placed', 100.0, DATE '2025-02-28')
) AS t(order_id, customer_id, email, status, amount, order_date)`;

let fixture: EngineFixture;
let orders: StagedTable;
let customersSnapshot: string;
let runs = 0;

async function stage(sql: string, name: string): Promise<StagedTable> {
  runs += 1;
  return fixture.engine.transform({
    sql,
    inputs: {},
    target: { domain: 'sales', runId: `run-${runs}`, name },
  });
}

async function check(rules: readonly QualityRule[], table: StagedTable = orders) {
  return fixture.engine.checkQuality(table, {
    columns: COLUMNS,
    rules,
    tableName: 'orders',
    references: { 'customers/customers.odcs.yaml': { path: customersSnapshot } },
    now: NOW,
  });
}

before(async () => {
  fixture = await createEngineFixture();
  orders = await stage(ORDERS_SQL, 'orders');
  const customers = await stage(`SELECT * FROM (VALUES ('C1'), ('C2')) AS t(customer_id)`, 'customers');
  const promoted = await fixture.engine.promote(customers, {
    domain: 'sales',
    product: 'customers',
    port: 'customers',
    snapshotId: 'v1',
  });
  customersSnapshot = fixture.engine.resolveStoragePath(promoted.storagePath);
});
after(() => fixture.dispose());

describe('library metrics, fused in one scan', () => {
  test('every metric kind passes or fails with its measured value, all in ONE scan', async () => {
    const report = await check([
      metric('nulls-fail', { metric: 'nullValues', columns: ['email'] }),
      metric('nulls-pass', { metric: 'nullValues', columns: ['order_id'] }),
      metric('missing-fail', {
        metric: 'missingValues',
        columns: ['email'],
        missingValues: ['N/A'],
        threshold: { operator: 'mustBeLessThan', value: 2 },
      }),
      metric('invalid-enum-fail', {
        metric: 'invalidValues',
        columns: ['status'],
        validity: { validValues: ['placed', 'shipped'] },
      }),
      metric('invalid-pattern-fail', {
        metric: 'invalidValues',
        columns: ['email'],
        validity: { pattern: '[^@]+@[^@]+\\.[a-z]+' },
      }),
      metric('invalid-length-pass', {
        metric: 'invalidValues',
        columns: ['order_id'],
        validity: { minLength: 2, maxLength: 2 },
      }),
      metric('duplicates-fail', { metric: 'duplicateValues', columns: ['order_id'] }),
      metric('duplicates-composite-pass', {
        metric: 'duplicateValues',
        columns: ['order_id', 'customer_id'],
      }),
      metric('rows-pass', {
        metric: 'rowCount',
        columns: [],
        threshold: { operator: 'mustBeGreaterThan', value: 0 },
      }),
      metric('rows-between-fail', {
        metric: 'rowCount',
        columns: [],
        threshold: { operator: 'mustBeBetween', value: [11, 20] },
      }),
    ]);
    assert.deepEqual(
      report.clauses.map((clause) => [clause.id, clause.status, clause.measured]),
      [
        ['nulls-fail', 'failed', 1],
        ['nulls-pass', 'passed', 0],
        ['missing-fail', 'failed', 2],
        ['invalid-enum-fail', 'failed', 1],
        ['invalid-pattern-fail', 'failed', 2],
        ['invalid-length-pass', 'passed', 0],
        ['duplicates-fail', 'failed', 1],
        ['duplicates-composite-pass', 'passed', 0],
        ['rows-pass', 'passed', 10],
        ['rows-between-fail', 'failed', 10],
      ],
    );
    // One fused aggregate, plus one rowid lookup for the failing samples.
    assert.equal(report.scans, 2);
    assert.equal(report.isBlocking, true);
    assert.equal(report.enforced, 10);
    assert.equal(report.total, 10);
  });

  test('passing checks take exactly one scan however many there are', async () => {
    const rules = ['order_id', 'customer_id', 'status', 'amount', 'order_date'].flatMap((name) => [
      metric(`n-${name}`, { metric: 'nullValues', columns: [name] }),
      metric(`m-${name}`, { metric: 'missingValues', columns: [name], missingValues: [''] }),
    ]);
    const report = await check(rules);
    assert.equal(report.clauses.filter((clause) => clause.status === 'passed').length, 10);
    assert.equal(report.scans, 1);
    assert.equal(report.isBlocking, false);
  });

  test('samples are the failing rows, JSON-safe, at most five', async () => {
    const report = await check([
      metric('pattern', {
        metric: 'invalidValues',
        columns: ['email'],
        validity: { pattern: '[^@]+@[^@]+\\.[a-z]+' },
      }),
    ]);
    const samples = report.clauses[0]?.samples ?? [];
    assert.deepEqual(samples.map((row) => row.email).sort(), ['N/A', 'not-an-email']);
    assert.equal(samples[0]?.order_date !== undefined, true);
    assert.doesNotThrow(() => JSON.stringify(samples));
  });

  test('percent units divide by the row count; rows units do not', async () => {
    const report = await check([
      metric('pct-pass', {
        metric: 'nullValues',
        columns: ['email'],
        unit: 'percent',
        threshold: { operator: 'mustBeLessOrEqualTo', value: 10 },
      }),
      metric('pct-fail', {
        metric: 'nullValues',
        columns: ['email'],
        unit: 'percent',
        threshold: { operator: 'mustBeLessThan', value: 10 },
      }),
      metric('rows-fail', {
        metric: 'nullValues',
        columns: ['email'],
        threshold: { operator: 'mustBeLessThan', value: 1 },
      }),
      metric('not-between', {
        metric: 'nullValues',
        columns: ['email'],
        unit: 'percent',
        threshold: { operator: 'mustNotBeBetween', value: [5, 15] },
      }),
    ]);
    assert.deepEqual(
      report.clauses.map((clause) => [clause.id, clause.status, clause.measured, clause.unit]),
      [
        ['pct-pass', 'passed', 10, 'percent'],
        ['pct-fail', 'failed', 10, 'percent'],
        ['rows-fail', 'failed', 1, 'rows'],
        ['not-between', 'failed', 10, 'percent'],
      ],
    );
  });

  test('warnings and info never block publication', async () => {
    const report = await check([
      { ...metric('warn', { metric: 'nullValues', columns: ['email'] }), severity: 'warning' },
      { ...metric('info', { metric: 'duplicateValues', columns: ['order_id'] }), severity: 'info' },
    ]);
    assert.deepEqual(
      report.clauses.map((clause) => clause.status),
      ['failed', 'failed'],
    );
    assert.equal(report.isBlocking, false);
  });
});

describe('sql rules, foreign keys and SLA clauses', () => {
  test('a sql rule runs its query once, with ${table} and ${column} replaced', async () => {
    const report = await check([
      {
        id: 'sql-pass',
        name: 'sql-pass',
        severity: 'error',
        kind: 'sql',
        query: 'SELECT count(*) FROM ${table} WHERE ${column} < 0',
        column: 'amount',
        threshold: { operator: 'mustBe', value: 0 },
        unit: 'rows',
      },
      {
        id: 'sql-fail',
        name: 'sql-fail',
        severity: 'error',
        kind: 'sql',
        query: 'SELECT avg(amount) FROM orders',
        threshold: { operator: 'mustBeBetween', value: [10, 50] },
        unit: 'rows',
      },
    ]);
    assert.deepEqual(
      report.clauses.map((clause) => [clause.status, clause.measured]),
      [
        ['passed', 0],
        ['failed', 55],
      ],
    );
    // The count-shaped rule folds into the fused aggregate; the average runs on its own.
    assert.equal(report.scans, 1 + 1);
  });

  test('a foreign key is checked against the pinned upstream snapshot: orphans fail with samples', async () => {
    const fk = (id: string, file: string): QualityRule => ({
      id,
      name: id,
      severity: 'error',
      kind: 'foreignKey',
      column: 'customer_id',
      target: {
        reference: `${file}#/schema/customers/properties/customer_id`,
        file,
        table: 'customers',
        column: 'customer_id',
      },
    });
    const report = await check([fk('fk', 'customers/customers.odcs.yaml')]);
    const [clause] = report.clauses;
    assert.equal(clause?.status, 'failed');
    assert.equal(clause?.measured, 1);
    assert.deepEqual(
      clause?.samples.map((row) => row.order_id),
      ['O6'],
    );
    const clean = await stage(`SELECT * FROM (${ORDERS_SQL}) WHERE customer_id <> 'C9'`, 'clean');
    const passing = await check([fk('fk', 'customers/customers.odcs.yaml')], clean);
    assert.deepEqual([passing.clauses[0]?.status, passing.clauses[0]?.measured], ['passed', 0]);
    assert.equal(passing.scans, 2);
    const unpinned = await check([fk('fk', 'elsewhere/x.odcs.yaml')]);
    assert.equal(unpinned.clauses[0]?.status, 'cannotEnforce');
  });

  test('freshness and retention are measured against the clock on a date column', async () => {
    const sla = (id: string, property: 'freshness' | 'retention', limitDays: number): QualityRule => ({
      id,
      name: id,
      severity: 'warning',
      kind: 'sla',
      property,
      column: 'order_date',
      limitDays,
    });
    const report = await check([
      sla('fresh', 'freshness', 1),
      sla('stale', 'freshness', 0.5),
      sla('kept', 'retention', 30),
      sla('too-old', 'retention', 7),
    ]);
    assert.deepEqual(
      report.clauses.map((clause) => [clause.id, clause.status, clause.measured]),
      [
        ['fresh', 'passed', 1],
        ['stale', 'failed', 1],
        ['kept', 'passed', 10],
        ['too-old', 'failed', 10],
      ],
    );
    assert.equal(report.scans, 1);
    assert.equal(report.isBlocking, false);
  });
});

describe('cannot enforce, never a silent pass', () => {
  test('impossible clauses are reported with why and do not count as enforced', async () => {
    const report = await check([
      metric('missing-column', { metric: 'nullValues', columns: ['nope'] }),
      metric('bad-regex', { metric: 'invalidValues', columns: ['email'], validity: { pattern: '([' } }),
      {
        id: 'text',
        name: 'text',
        severity: 'error',
        kind: 'unenforceable',
        reason: 'a text rule describes quality for people',
      },
      {
        id: 'sla-text',
        name: 'sla-text',
        severity: 'warning',
        kind: 'sla',
        property: 'freshness',
        column: 'email',
        limitDays: 1,
      },
      {
        id: 'bad-sql',
        name: 'bad-sql',
        severity: 'error',
        kind: 'sql',
        query: 'SELECT count(*) FROM orders WHERE no_such_column = 1',
        threshold: { operator: 'mustBe', value: 0 },
        unit: 'rows',
      },
      {
        id: 'file-read',
        name: 'file-read',
        severity: 'error',
        kind: 'sql',
        query: "SELECT count(*) FROM read_csv('/etc/passwd')",
        threshold: { operator: 'mustBe', value: 0 },
        unit: 'rows',
      },
      metric('ok', { metric: 'nullValues', columns: ['order_id'] }),
    ]);
    assert.deepEqual(
      report.clauses.map((clause) => [clause.id, clause.status]),
      [
        ['missing-column', 'cannotEnforce'],
        ['bad-regex', 'cannotEnforce'],
        ['text', 'cannotEnforce'],
        ['sla-text', 'cannotEnforce'],
        ['bad-sql', 'cannotEnforce'],
        ['file-read', 'cannotEnforce'],
        ['ok', 'passed'],
      ],
    );
    assert.match(report.clauses[0]?.detail ?? '', /^cannot enforce: column 'nope' is not in the table/);
    assert.match(report.clauses[3]?.detail ?? '', /is VARCHAR, not a date or timestamp/);
    assert.equal(report.enforced, 1);
    assert.equal(report.total, 7);
  });
});

describe('quarantine routing', () => {
  test('rows failing quarantine rules move to the quarantine with the rule name: rows in = published + quarantined', async () => {
    const staged = await stage(ORDERS_SQL, 'routed');
    const report = await check(
      [
        metric('email-valid', {
          metric: 'invalidValues',
          columns: ['email'],
          validity: { pattern: '[^@]+@[^@]+\\.[a-z]+' },
          onFail: 'quarantine',
        }),
        metric('status-valid', {
          metric: 'invalidValues',
          columns: ['status'],
          validity: { validValues: ['placed', 'shipped'] },
          onFail: 'quarantine',
        }),
        metric('rows', { metric: 'rowCount', columns: [], threshold: { operator: 'mustBe', value: 8 } }),
      ],
      staged,
    );
    assert.deepEqual(
      report.clauses.map((clause) => [clause.id, clause.status, clause.quarantined]),
      [
        ['email-valid', 'passed', 2],
        ['status-valid', 'passed', 1],
        ['rows', 'passed', undefined],
      ],
    );
    assert.equal(report.rowCount, 8);
    assert.equal(report.quarantinedRows, 2);
    assert.equal(report.rowCount + report.quarantinedRows, staged.rowCount + staged.quarantinedRows);
    const session = await fixture.engine.openReadSession({
      attachments: [{ alias: 's', path: staged.path }],
    });
    const reasons = await session.query('SELECT reason FROM s.main.quarantine ORDER BY reason');
    await session.close();
    assert.deepEqual(reasons.rows, [
      ['quality rule email-valid (email-valid)'],
      ['quality rule email-valid (email-valid); quality rule status-valid (status-valid)'],
    ]);
  });
});

describe('incremental checks on an appended snapshot', () => {
  // Appended after the ten base rows: a null email, a key the base already holds (O1), a key
  // repeated within the delta (O12), an orphan customer (C9), and the newest order date.
  const DELTA_ROWS = `('O10', 'C1', NULL, 'placed', 5.0, DATE '2025-03-10'),
  ('O1', 'C2', 'hal@x.org', 'shipped', -1.0, DATE '2025-03-09'),
  ('O12', 'C9', 'ivy@x.org', 'placed', 7.0, DATE '2025-03-09'),
  ('O12', 'C1', 'jo@x.org', 'lost', 8.0, DATE '2025-03-09')`;
  const APPENDED_SQL = ORDERS_SQL.replace(') AS t(', `, ${DELTA_ROWS}) AS t(`);
  const fk: QualityRule = {
    id: 'fk',
    name: 'fk',
    severity: 'error',
    kind: 'foreignKey',
    column: 'customer_id',
    target: {
      reference: 'customers/customers.odcs.yaml#/schema/customers/properties/customer_id',
      file: 'customers/customers.odcs.yaml',
      table: 'customers',
      column: 'customer_id',
    },
  };
  const RULES: readonly QualityRule[] = [
    metric('nulls', { metric: 'nullValues', columns: ['email'] }),
    metric('nulls-pct', {
      metric: 'nullValues',
      columns: ['email'],
      unit: 'percent',
      threshold: { operator: 'mustBeLessThan', value: 12 },
    }),
    metric('missing', { metric: 'missingValues', columns: ['email'], missingValues: ['N/A'] }),
    metric('status', {
      metric: 'invalidValues',
      columns: ['status'],
      validity: { validValues: ['placed', 'shipped'] },
    }),
    metric('unique', { metric: 'duplicateValues', columns: ['order_id'] }),
    metric('unique-pair', { metric: 'duplicateValues', columns: ['order_id', 'customer_id'] }),
    metric('rows', { metric: 'rowCount', columns: [], threshold: { operator: 'mustBeLessThan', value: 12 } }),
    {
      id: 'negative',
      name: 'negative',
      severity: 'error',
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
      limitDays: 0.5,
    },
    {
      id: 'kept',
      name: 'kept',
      severity: 'warning',
      kind: 'sla',
      property: 'retention',
      column: 'order_date',
      limitDays: 30,
    },
    fk,
  ];
  const verdicts = (report: QualityReport) =>
    report.clauses.map((clause) => [clause.id, clause.status, clause.measured]);

  test('checking only the delta gives the same verdicts and measures as a full scan', async () => {
    const base = await check(RULES);
    const appended = await stage(APPENDED_SQL, 'appended');
    const full = await check(RULES, appended);
    const incremental = await fixture.engine.checkQuality(appended, {
      columns: COLUMNS,
      rules: RULES,
      tableName: 'orders',
      references: { 'customers/customers.odcs.yaml': { path: customersSnapshot } },
      now: NOW,
      incremental: { baseRows: 10, baseReport: base },
    });
    assert.deepEqual(incremental.incremental, { baseRows: 10, deltaRows: 4 });
    assert.equal(full.incremental, undefined);
    assert.deepEqual(verdicts(incremental), verdicts(full));
    // The delta changes verdicts: the base passed freshness and row count, the appended table fails them.
    assert.notDeepEqual(verdicts(base), verdicts(full));
    assert.deepEqual(
      verdicts(full).filter(([id]) => id === 'unique' || id === 'fk' || id === 'rows'),
      [
        ['unique', 'failed', 3],
        ['rows', 'failed', 14],
        ['fk', 'failed', 2],
      ],
    );
    // Samples come from the whole table, base rows included.
    const nulls = incremental.clauses.find((clause) => clause.id === 'nulls');
    assert.deepEqual(nulls?.samples.map((row) => row.order_id).sort(), ['O10', 'O3']);
  });

  test('a base report that cannot be combined makes the check a full scan', async () => {
    const appended = await stage(APPENDED_SQL, 'appended');
    const base = await check(RULES);
    const withoutBasis = { ...base, clauses: base.clauses.map(({ basis: _basis, ...clause }) => clause) };
    const report = await fixture.engine.checkQuality(appended, {
      columns: COLUMNS,
      rules: RULES,
      tableName: 'orders',
      now: NOW,
      references: { 'customers/customers.odcs.yaml': { path: customersSnapshot } },
      incremental: { baseRows: 10, baseReport: withoutBasis },
    });
    assert.equal(report.incremental, undefined);
    assert.deepEqual(verdicts(report), verdicts(await check(RULES, appended)));
  });
});
