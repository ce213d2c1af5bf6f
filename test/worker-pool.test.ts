import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MeshService } from '@quanta/services';
import { completedTwice, createDurableMesh } from './support/durable-mesh.ts';

test('the embedded worker pool runs queued runs side by side, each step once', async () => {
  const root = await createDurableMesh('quanta-pool-');
  const service = await MeshService.create({ root, progress: { update() {} } });
  try {
    await service.apply();
    const queued = [
      await service.runs.enqueue('sales/orders'),
      await service.runs.enqueue('sales/orders'),
      await service.runs.enqueue('sales/orders'),
    ];
    const done = await service.runs.work({ concurrency: 2, isDraining: true, pollMs: 10, worker: 'pool' });
    assert.deepEqual(done.map((run) => run.state).sort(), ['succeeded', 'succeeded', 'succeeded']);
    const workers = new Set<string>();
    for (const { runId } of queued) {
      const events = await service.store.listStepEvents(runId);
      assert.deepEqual(completedTwice(events), [], `run ${runId} ran a step twice`);
      for (const event of events) workers.add(event.worker ?? '');
    }
    assert.deepEqual([...workers].sort(), ['pool', 'pool#1'], 'both slots of the pool executed runs');
    const snapshots = await service.store.listSnapshots('quanta://sales/orders/orders');
    assert.equal(snapshots.length, 3, 'one snapshot per run');
  } finally {
    await service.close();
  }
});
