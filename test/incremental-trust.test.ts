import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { type ColumnProfile, isJsonObject, type RunRecord } from '@quanta/model';
import { MeshService } from '@quanta/services';
import { copyExampleMesh, csvText, type ExampleMeshCopy, generateOrderRows } from './support/example-mesh.ts';
import { stepResult } from './support/run-journal.ts';

const ORDERS = 'quanta://sales/orders/orders';

let mesh: ExampleMeshCopy;
let service: MeshService;
let second: RunRecord;

/** 2,000 new orders (seed 42, ids prefixed `N-`), some without a campaign, as one CSV. */
async function newBatch(): Promise<string> {
  const { header, rows } = await generateOrderRows({ seed: 42, orders: 2_000, customers: 400 });
  const campaign = header.split(',').indexOf('campaign_id');
  const changed = rows.map((row, index) => {
    const fields = row.split(',');
    fields[0] = `N-${fields[0]}`;
    if (index % 3 === 0) fields[campaign] = '';
    return fields.join(',');
  });
  return csvText(header, changed);
}

before(async () => {
  mesh = await copyExampleMesh({ orders: 3_000, customers: 400 });
  service = await MeshService.create({ root: mesh.root, env: {} });
  await service.apply({ appliedBy: 'test' });
  const first = await service.runAll({ trigger: 'test' });
  assert.ok(first.every((run) => run.state === 'succeeded'));
  await writeFile(path.join(mesh.root, 'landing', 'sales', 'orders', 'orders-next.csv'), await newBatch());
  second = await service.run('sales/orders', { trigger: 'test' });
});

after(async () => {
  await service?.close();
  await mesh?.remove();
});

test('an incremental ingest is checked and profiled on its new rows, and the run says which checks did', async () => {
  assert.equal(second.state, 'succeeded', JSON.stringify(second.error));
  const events = await service.store.listStepEvents(second.id);
  const quality = stepResult(events, 'check');
  assert.ok(isJsonObject(quality.incremental), JSON.stringify(quality));
  const { onDelta, onWholeTable } = quality.incremental;
  assert.ok(Array.isArray(onDelta) && onDelta.length > 0, JSON.stringify(quality.incremental));
  assert.ok(Array.isArray(onWholeTable));
  const profile = stepResult(events, 'profile');
  assert.ok(isJsonObject(profile.incremental), JSON.stringify(profile));

  const current = await service.store.getCurrentSnapshot(ORDERS);
  assert.ok(current);
  const stored = await service.store.getQualityReport(ORDERS, current.version);
  assert.ok(stored?.report.incremental, 'the published report says it was incremental');
  const scoped = stored.report.clauses.filter((clause) => clause.scope !== undefined);
  assert.ok(scoped.some((clause) => clause.scope === 'delta'));
  const storedProfile = await service.store.getProfile(ORDERS, current.version);
  assert.equal(
    storedProfile?.incremental?.deltaRows,
    current.rowCount - (storedProfile?.incremental?.baseRows ?? 0),
  );

  // A full profile of the published snapshot: the merged one's exact statistics are the same.
  const full = await service.engine.profile({ path: service.engine.resolveStoragePath(current.storagePath) });
  assert.equal(full.incremental, undefined);
  const exact = (columns: readonly ColumnProfile[] | undefined) =>
    columns?.map(({ name, count, nulls, distinct, min, max }) => ({
      name,
      count,
      nulls,
      distinct,
      min,
      max,
    }));
  assert.deepEqual(exact(storedProfile?.columns), exact(full.columns));
});
