import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { createProduct, MeshService } from '@quanta/services';
import { createArrivalMesh } from './support/arrival-mesh.ts';

/** Polls `condition` every 20 ms until it holds. */
async function eventually(condition: () => Promise<boolean>): Promise<void> {
  while (!(await condition())) await new Promise((resolve) => setTimeout(resolve, 20));
}

test('a running worker takes a product added after it started, and outlives a run it cannot start', async () => {
  const root = await createArrivalMesh({ prefix: 'quanta-worker-mesh-' });
  const service = await MeshService.create({ root, progress: { update() {} } });
  const stop = new AbortController();
  const idle = async () => (await service.store.runQueue.listActiveRuns()).length === 0;
  try {
    await service.apply();
    // A long refresh period: the worker keeps its first mesh unless a run names a new product.
    const working = service.runs.work({ pollMs: 10, signal: stop.signal, meshRefreshMs: 3_600_000 });
    const first = await service.runs.enqueue('sales/orders');
    await eventually(idle);

    await createProduct(root, { name: 'sales/returns' });
    await service.apply();
    const added = await service.runs.enqueue('sales/returns');
    await service.store.runQueue.enqueueRun({
      id: 'ghost-run',
      product: 'quanta://sales/ghost',
      request: {},
    });
    const last = await service.runs.enqueue('sales/orders');
    await eventually(idle);
    stop.abort();
    await working;

    const state = async (runId: string) => (await service.store.getRun(runId))?.state;
    assert.equal(await state(first.runId), 'succeeded');
    assert.equal(await state(added.runId), 'succeeded', 'the new product was found in the reloaded mesh');
    const ghost = await service.store.getRun('ghost-run');
    assert.equal(ghost?.state, 'failed');
    assert.equal(ghost?.error?.code, 'QUANTA_NOT_FOUND');
    assert.equal(await state(last.runId), 'succeeded', 'the worker went on after the run it could not start');
  } finally {
    stop.abort();
    await service.close();
  }
});

test('a run claimed while the mesh does not load waits for its lease, then runs on the mended mesh', async () => {
  const root = await createArrivalMesh({ prefix: 'quanta-worker-broken-' });
  const said: string[] = [];
  const service = await MeshService.create({ root, progress: { update: (line) => said.push(line) } });
  const stop = new AbortController();
  const product = path.join(root, 'domains/sales/products/orders/product.odps.yaml');
  try {
    await service.apply();
    const queued = await service.runs.enqueue('sales/orders');
    const intact = await readFile(product, 'utf8');
    await writeFile(product, `${intact}\n  broken: [\n`);
    const working = service.runs.work({ pollMs: 10, leaseMs: 300, meshRefreshMs: 0, signal: stop.signal });
    await eventually(async () => said.some((line) => line.includes('waits for the mesh to load again')));
    assert.equal(
      (await service.store.getRun(queued.runId))?.state,
      'running',
      'not failed for a passing edit',
    );
    await writeFile(product, intact);
    await eventually(async () => (await service.store.getRun(queued.runId))?.state === 'succeeded');
    stop.abort();
    await working;
  } finally {
    stop.abort();
    await service.close();
  }
});
