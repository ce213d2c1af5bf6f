import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { QualityRule } from '@quanta/model';
import type { StagedTable } from './data-engine.ts';
import { column, createEngineFixture, type EngineFixture } from './test-fixtures.ts';

const COLUMNS = [column('order_id', 'string', { required: true }), column('quantity', 'integer')];
const NOW = '2025-03-10T12:00:00.000Z';

let fixture: EngineFixture;
let staged: StagedTable;
let empty: StagedTable;

function completeness(id: string, minimum: number): QualityRule {
  return { id, name: id, severity: 'warning', kind: 'sla', property: 'completeness', minimum };
}

function frequency(id: string, limitDays: number): QualityRule {
  return { id, name: id, severity: 'warning', kind: 'sla', property: 'frequency', limitDays };
}

async function check(table: StagedTable, rules: readonly QualityRule[], lastPublishedAt?: string) {
  return fixture.engine.checkQuality(table, {
    columns: COLUMNS,
    rules,
    tableName: 'orders',
    now: NOW,
    ...(lastPublishedAt ? { lastPublishedAt } : {}),
  });
}

before(async () => {
  fixture = await createEngineFixture();
  // Ten lines: two without their required order id, one with a quantity that is no integer.
  const lines = ['O1,1', ',2', 'O3,3', 'O4,four', 'O5,5', 'O6,6', ',7', 'O8,8', 'O9,9', 'O10,10'];
  const file = await fixture.write('orders.csv', `order_id,quantity\n${lines.join('\n')}\n`);
  staged = await fixture.engine.ingest({
    files: [file],
    format: 'csv',
    columns: COLUMNS,
    target: { domain: 'sales', runId: 'run-1', name: 'orders' },
  });
  const none = await fixture.write('none.csv', 'order_id,quantity\n');
  empty = await fixture.engine.ingest({
    files: [none],
    format: 'csv',
    columns: COLUMNS,
    target: { domain: 'sales', runId: 'run-1', name: 'empty' },
  });
});
after(async () => {
  await fixture.dispose();
});

test('completeness is the share of rows in that were published, measured at the gate', async () => {
  assert.deepEqual([staged.rowCount, staged.quarantinedRows], [7, 3]);
  const report = await check(staged, [completeness('loose', 0.7), completeness('strict', 0.95)]);
  assert.deepEqual(
    report.clauses.map((clause) => [clause.id, clause.status, clause.measured, clause.threshold]),
    [
      ['loose', 'passed', 70, '≥ 70'],
      ['strict', 'failed', 70, '≥ 95'],
    ],
  );
  assert.match(report.clauses[1]?.detail ?? '', /70% of 10 row\(s\) in were published \(3 quarantined\)/);
  assert.deepEqual([report.enforced, report.total, report.isBlocking], [2, 2, false]);
  assert.equal(report.scans, 1, 'the quarantine count rides in the fused statement');
});

test('completeness of a table with no row at all cannot be measured', async () => {
  const report = await check(empty, [completeness('complete', 0.9)]);
  assert.deepEqual(
    [report.clauses[0]?.status, report.clauses[0]?.detail],
    ['cannotEnforce', 'cannot enforce: the table has no row, published or quarantined'],
  );
  assert.equal(report.enforced, 0);
});

test('frequency measures the interval since the previous publication, with its tolerance', async () => {
  const rules = [frequency('daily', 1), frequency('hourly', 1 / 24)];
  const onTime = await check(staged, rules, '2025-03-09T10:00:00.000Z');
  assert.deepEqual(
    onTime.clauses.map((clause) => [clause.id, clause.status, clause.measured, clause.threshold]),
    [
      ['daily', 'passed', 1.083, '≤ 1.1'],
      ['hourly', 'failed', 1.083, '≤ 0.046'],
    ],
  );
  const late = await check(staged, rules, '2025-03-08T00:00:00.000Z');
  assert.deepEqual(
    late.clauses.map((clause) => [clause.id, clause.status, clause.measured]),
    [
      ['daily', 'failed', 2.5],
      ['hourly', 'failed', 2.5],
    ],
  );
  assert.match(late.clauses[0]?.detail ?? '', /2\.5 day\(s\) since the previous snapshot/);
  assert.deepEqual([late.enforced, late.total, late.isBlocking], [2, 2, false]);
});

test("a port's first publication has no interval: frequency cannot be enforced, and says why", async () => {
  const report = await check(staged, [frequency('daily', 1), completeness('complete', 0.5)]);
  assert.deepEqual(
    report.clauses.map((clause) => [clause.id, clause.status]),
    [
      ['daily', 'cannotEnforce'],
      ['complete', 'passed'],
    ],
  );
  assert.match(report.clauses[0]?.detail ?? '', /^cannot enforce: no earlier snapshot of the port/);
  assert.deepEqual([report.enforced, report.total], [1, 2]);
});
