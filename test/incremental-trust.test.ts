import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { generateLandingData } from '@quanta/datagen';
import { isJsonObject, type JsonObject, type RunRecord, type StepEvent } from '@quanta/model';
import { MeshService } from '@quanta/services';
import { copyExampleMesh, type ExampleMeshCopy } from './support/example-mesh.ts';

const ORDERS = 'quanta://sales/orders/orders';

let mesh: ExampleMeshCopy;
let service: MeshService;
let second: RunRecord;

/** 2,000 new orders (seed 42, ids prefixed `N-`), some without a campaign, as one CSV. */
async function newBatch(): Promise<string> {
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'quanta-batch-'));
  try {
    const generated = await generateLandingData(scratch, {
      seed: 42,
      orders: 2_000,
      customers: 400,
      campaigns: 12,
    });
    const [header = '', ...rows] = (await readFile(generated.orders.files[0]?.path ?? '', 'utf8'))
      .trimEnd()
      .split('\n');
    const campaign = header.split(',').indexOf('campaign_id');
    const changed = rows.map((row, index) => {
      const fields = row.split(',');
      fields[0] = `N-${fields[0]}`;
      if (index % 3 === 0) fields[campaign] = '';
      return fields.join(',');
    });
    return `${[header, ...changed].join('\n')}\n`;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** What a step returned, from the run's journal. */
function stepResult(events: readonly StepEvent[], step: string): JsonObject {
  const data = events.find((event) => event.step === step && event.kind === 'succeeded')?.data;
  const result = isJsonObject(data) && isJsonObject(data.result) ? data.result : data;
  assert.ok(isJsonObject(result), `step ${step} has a result: ${JSON.stringify(events.map((e) => e.step))}`);
  return result;
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
  assert.deepEqual(
    storedProfile?.columns.map(({ name, count, nulls, distinct, min, max }) => ({
      name,
      count,
      nulls,
      distinct,
      min,
      max,
    })),
    full.columns.map(({ name, count, nulls, distinct, min, max }) => ({
      name,
      count,
      nulls,
      distinct,
      min,
      max,
    })),
  );
});
