import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { MeshService } from '@quanta/services';
import { copyExampleMesh } from './support/example-mesh.ts';

/** A fake wall clock the scheduler reads; the test moves it. */
function fakeClock(start: number) {
  let now = start;
  return { now: () => new Date(now), advance: (seconds: number) => (now += seconds * 1000) };
}

test("the example mesh's triggers: a new order file flows through orders, then its consumers", async () => {
  const mesh = await copyExampleMesh({ orders: 300, customers: 60 });
  const clock = fakeClock(Date.UTC(2026, 10, 25, 10));
  const service = await MeshService.create({ root: mesh.root, progress: { update() {} }, clock });
  const productOf = async (runId: string | undefined) =>
    runId ? (await service.store.runQueue.getQueuedRun(runId))?.product : undefined;
  const drain = () => service.runs.work({ isDraining: true, pollMs: 10 });
  try {
    await service.apply();
    for (const run of await service.runAll()) assert.equal(run.state, 'succeeded', JSON.stringify(run.error));
    const scheduler = service.runs.scheduler(clock);
    assert.deepEqual(await scheduler.tick(), [], 'everything is up to date after the first runs');

    const first = path.resolve(mesh.root, mesh.landing.orders.files[0]?.path ?? '');
    const [header, row] = (await readFile(first, 'utf8')).split('\n');
    const late = `${header}\n${row?.replace(/^[^,]+/, 'ORD-LATE-1')}\n`;
    await writeFile(path.join(mesh.root, 'landing/sales/orders/late-orders.csv'), late);
    assert.deepEqual(await scheduler.tick(), [], 'the new file has not been quiet for 2 s yet');
    clock.advance(3);
    const [ordersRun, ...others] = await scheduler.tick();
    assert.equal(await productOf(ordersRun), 'quanta://sales/orders');
    assert.deepEqual(others, []);
    await drain();
    const orders = await service.store.getCurrentSnapshot('quanta://sales/orders/orders');
    assert.equal(orders?.version, 2, 'the late file was appended as a new snapshot');

    // segment-revenue waits for profiles too; customer-profile waits for customers, up to 60 s.
    assert.deepEqual(await scheduler.tick(), []);
    clock.advance(61);
    const [profileRun, ...early] = await scheduler.tick();
    assert.equal(await productOf(profileRun), 'quanta://customers/customer-profile');
    assert.deepEqual(early, [], 'segment-revenue waits up to 300 s for profiles');
    await drain();
    const [revenueRun] = await scheduler.tick();
    assert.equal(
      await productOf(revenueRun),
      'quanta://sales/segment-revenue',
      'orders and profiles are both new',
    );
    await drain();
    const why = await service.store.triggers.listEvaluations('quanta://customers/customer-profile');
    assert.ok(
      why.some((evaluation) => /window of 60 s elapsed without the others/.test(evaluation.reason)),
      'why customer-profile ran is recorded',
    );
    assert.deepEqual(await scheduler.tick(), [], 'every consumer has consumed the new snapshots');
  } finally {
    await service.close();
    await mesh.remove();
  }
});
