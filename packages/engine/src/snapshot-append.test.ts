import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { QualityRule } from '@quanta/model';
import type { StagedTable } from './data-engine.ts';
import { column, createEngineFixture, type EngineFixture, readRows } from './test-fixtures.ts';

const COLUMNS = [
  column('order_id', 'string', { required: true }),
  column('quantity', 'integer'),
  column('status', 'string'),
];
const RULES: readonly QualityRule[] = [
  {
    id: 'status',
    name: 'status',
    severity: 'error',
    kind: 'metric',
    metric: 'invalidValues',
    columns: ['status'],
    validity: { validValues: ['placed', 'shipped'] },
    threshold: { operator: 'mustBe', value: 0 },
    unit: 'rows',
    onFail: 'quarantine',
  },
  {
    id: 'complete',
    name: 'complete',
    severity: 'warning',
    kind: 'sla',
    property: 'completeness',
    minimum: 0.7,
  },
];
const NOW = '2025-03-10T00:00:00.000Z';

let fixture: EngineFixture;

before(async () => {
  fixture = await createEngineFixture();
});
after(async () => {
  await fixture.dispose();
});

async function ingestBatch(runId: string, lines: string): Promise<StagedTable> {
  const file = await fixture.write(`${runId}.csv`, `order_id,quantity,status\n${lines}`);
  return fixture.engine.ingest({
    files: [file],
    format: 'csv',
    columns: COLUMNS,
    target: { domain: 'sales', runId, name: 'ingest' },
  });
}

/** Checks (routing the quality rule's failures to quarantine) and publishes, as a run does. */
async function publish(staged: StagedTable, runId: string) {
  const report = await fixture.engine.checkQuality(staged, {
    columns: COLUMNS,
    rules: RULES,
    tableName: 'orders',
    now: NOW,
  });
  const promoted = await fixture.engine.promote(staged, {
    domain: 'sales',
    product: 'orders',
    port: 'orders',
    snapshotId: runId,
  });
  return { report, path: fixture.engine.resolveStoragePath(promoted.storagePath) };
}

test("an append carries the base snapshot's quarantine and the delta's, so rows in = rows + quarantined", async () => {
  // Batch 1: 4 lines; one is not an integer (ingest), one has an unknown status (quality rule).
  const first = await ingestBatch('run-1', 'O1,1,placed\nO2,x,placed\nO3,3,lost\nO4,4,shipped\n');
  assert.deepEqual([first.rowCount, first.quarantinedRows], [3, 1]);
  const base = await publish(first, 'run-1');
  assert.deepEqual([base.report.rowCount, base.report.quarantinedRows], [2, 2]);

  // Batch 2: 3 lines; one misses its required order id, one has an unknown status.
  const second = await ingestBatch('run-2', ',5,placed\nO6,6,gone\nO7,7,placed\n');
  const appended = await fixture.engine.append({
    base: { path: base.path },
    delta: { path: second.path },
    target: { domain: 'sales', runId: 'run-2', name: 'appended' },
  });
  assert.deepEqual(
    [appended.rowCount, appended.quarantinedRows, appended.rowsIn],
    [2 + 2, 2 + 1, 2 + 2 + 2 + 1],
  );
  const rows = await readRows(appended.path, 'SELECT order_id FROM data ORDER BY rowid');
  assert.deepEqual(rows, [['O1'], ['O4'], ['O6'], ['O7']], "the base's rows come first");

  const report = await fixture.engine.checkQuality(appended, {
    columns: COLUMNS,
    rules: RULES,
    tableName: 'orders',
    now: NOW,
    incremental: { baseRows: 2, baseReport: base.report },
  });
  assert.deepEqual(report.incremental, { baseRows: 2, deltaRows: 1 });
  assert.deepEqual([report.rowCount, report.quarantinedRows], [3, 4]);
  assert.equal(report.rowCount + report.quarantinedRows, 7, 'every line of both batches is accounted for');
  const complete = report.clauses.find((clause) => clause.id === 'complete');
  assert.deepEqual([complete?.status, complete?.measured, complete?.scope], ['failed', 42.857, 'delta']);

  const snapshot = await publish(appended, 'run-2');
  const quarantine = await readRows(
    snapshot.path,
    'SELECT raw, reason, source_file IS NOT NULL FROM quarantine ORDER BY raw',
  );
  assert.deepEqual(quarantine, [
    [',5,placed', 'missing required value for order_id', true],
    ['O2,x,placed', quarantine[1]?.[1], true],
    ['O3,3,lost', 'quality rule status (status)', false],
    ['O6,6,gone', 'quality rule status (status)', false],
  ]);
  assert.match(String(quarantine[1]?.[1]), /quantity/);
});

test('an append without a delta copies the base, quarantine included', async () => {
  const staged = await ingestBatch('run-3', 'O1,1,placed\nO2,two,placed\n');
  const base = await publish(staged, 'run-3');
  const copy = await fixture.engine.append({
    base: { path: base.path },
    target: { domain: 'sales', runId: 'run-4', name: 'appended' },
  });
  assert.deepEqual([copy.rowCount, copy.quarantinedRows, copy.rowsIn], [1, 1, 2]);
});

test('an appended delta may add a column the base lacks: base rows read NULL there', async () => {
  const make = (runId: string, sql: string) =>
    fixture.engine.transform({ sql, inputs: {}, target: { domain: 'sales', runId, name: 't' } });
  const base = await make('run-5', "SELECT 'O1' AS order_id");
  const delta = await make('run-6', "SELECT 'O2' AS order_id, 'web' AS channel");
  const appended = await fixture.engine.append({
    base: { path: base.path },
    delta: { path: delta.path },
    target: { domain: 'sales', runId: 'run-6', name: 'appended' },
  });
  assert.deepEqual(await readRows(appended.path, 'SELECT order_id, channel FROM data ORDER BY rowid'), [
    ['O1', null],
    ['O2', 'web'],
  ]);
});
