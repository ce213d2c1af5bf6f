import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { SnapshotRecord } from '@quanta/model';
import { MeshService } from '@quanta/services';
import { copyExampleMesh, csvText, type ExampleMeshCopy, generateOrderRows } from './support/example-mesh.ts';

const ORDERS = 'quanta://sales/orders/orders';
const BAD_ROWS = { ragged: 2, wrongType: 2, missingRequired: 2 };

let mesh: ExampleMeshCopy;
let service: MeshService;
let first: SnapshotRecord;
let second: SnapshotRecord;
/** Data rows of the second batch, bad ones included. */
let secondBatchRows = 0;

/** 800 new orders with their own bad rows (seed 7), ids prefixed `N-` so none repeats the first batch's. */
async function secondBatch(): Promise<string> {
  const { header, rows } = await generateOrderRows({
    seed: 7,
    orders: 800,
    customers: 300,
    badRows: BAD_ROWS,
  });
  secondBatchRows = rows.length;
  // A row whose order id was left out on purpose stays without one.
  return csvText(
    header,
    rows.map((row) => (row.startsWith(',') ? row : `N-${row}`)),
  );
}

/** The quarantine of a published snapshot: each rejected row's reason and source file. */
async function quarantineOf(snapshot: SnapshotRecord): Promise<{ reason: string; source: string }[]> {
  const session = await service.engine.openReadSession({
    attachments: [{ alias: 's', path: service.engine.resolveStoragePath(snapshot.storagePath) }],
  });
  try {
    const result = await session.query('SELECT reason, source_file FROM s.main.quarantine');
    return result.rows.map(([reason, source]) => ({
      reason: String(reason),
      source: path.basename(String(source)),
    }));
  } finally {
    await session.close();
  }
}

before(async () => {
  mesh = await copyExampleMesh({ orders: 1_500, customers: 300, badRows: BAD_ROWS });
  service = await MeshService.create({ root: mesh.root, env: {} });
  await service.apply({ appliedBy: 'test' });
  const runs = await service.runAll({ trigger: 'test' });
  assert.ok(
    runs.every((run) => run.state === 'succeeded'),
    JSON.stringify(runs.map((run) => run.error)),
  );
  const current = await service.store.getCurrentSnapshot(ORDERS);
  assert.ok(current);
  first = current;
  await writeFile(path.join(mesh.root, 'landing', 'sales', 'orders', 'orders-next.csv'), await secondBatch());
  const run = await service.run('sales/orders', { trigger: 'test' });
  assert.equal(run.state, 'succeeded', JSON.stringify(run.error));
  const latest = await service.store.getCurrentSnapshot(ORDERS);
  assert.ok(latest && latest.version > first.version);
  second = latest;
});

after(async () => {
  await service?.close();
  await mesh?.remove();
});

test("an incremental run's snapshot keeps every batch's rejected rows, with their reasons", async () => {
  const badPerBatch = BAD_ROWS.ragged + BAD_ROWS.wrongType + BAD_ROWS.missingRequired;
  const earlier = await quarantineOf(first);
  assert.equal(earlier.length, badPerBatch);
  assert.equal(first.quarantinedRows, badPerBatch);

  const quarantine = await quarantineOf(second);
  const firstFiles = new Set(mesh.landing.orders.files.map((file) => path.basename(file.path)));
  const fromFirst = quarantine.filter((row) => firstFiles.has(row.source));
  const fromSecond = quarantine.filter((row) => row.source === 'orders-next.csv');
  assert.equal(
    fromFirst.length,
    badPerBatch,
    "the first batch's rejects are carried into the second snapshot",
  );
  assert.equal(fromSecond.length, badPerBatch, "the second batch's rejects are there too");
  assert.equal(quarantine.length, 2 * badPerBatch);
  assert.ok(
    quarantine.every((row) => row.reason.length > 0),
    'every rejected row keeps its reason',
  );
  assert.deepEqual(
    fromFirst.map((row) => row.reason).sort(),
    earlier.map((row) => row.reason).sort(),
    'reasons are carried unchanged',
  );
  assert.equal(second.quarantinedRows, 2 * badPerBatch);
});

test('published + quarantined rows of the appended snapshot = every row ever landed', async () => {
  const landed = mesh.landing.orders.rows + secondBatchRows;
  assert.equal(second.rowCount + second.quarantinedRows, landed);
  const report = await service.store.getQualityReport(ORDERS, second.version);
  assert.ok(report);
  assert.equal(report.report.rowCount + report.report.quarantinedRows, landed);
});

test("the orders contract's frequency SLA is measured from the second publication on", async () => {
  const clauseOf = async (snapshot: SnapshotRecord) =>
    (await service.store.getQualityReport(ORDERS, snapshot.version))?.report.clauses.find(
      (clause) => clause.name === 'sla:frequency',
    );
  const atFirst = await clauseOf(first);
  assert.equal(atFirst?.status, 'cannotEnforce');
  assert.match(atFirst?.detail ?? '', /no earlier snapshot/);
  const atSecond = await clauseOf(second);
  assert.equal(atSecond?.status, 'passed', atSecond?.detail);
  assert.equal(atSecond?.unit, 'days');
});
