import assert from 'node:assert/strict';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { createDomain, createProduct, initMesh, MeshService } from '@quanta/services';

const FILES = 1000;

/** A fake wall clock the scheduler reads; the test moves it. */
function fakeClock(start = Date.UTC(2024, 0, 1, 8)) {
  let now = start;
  return { now: () => new Date(now), advance: (seconds: number) => (now += seconds * 1000) };
}

async function createArrivalMesh(): Promise<string> {
  const root = path.join(await mkdtemp(path.join(os.tmpdir(), 'quanta-triggers-')), 'mesh');
  await initMesh(root, { name: 'arrivals' });
  await createDomain(root, { name: 'sales', owner: 'sam@example.com' });
  await createProduct(root, { name: 'sales/orders' });
  const dir = path.join(root, 'domains/sales/products/orders');
  await writeFile(
    path.join(dir, 'workflow.yaml'),
    `main:
  steps:
    - ingest:
        call: quanta.ingest
        args: { source: landing/sales/orders/*.csv, port: orders, incremental: true }
        result: staged
    - publish:
        call: quanta.publish
        args:
          port: orders
          from: \${staged}
        result: snapshot
    - done:
        return: \${snapshot}
`,
  );
  await writeFile(
    path.join(dir, 'triggers.yaml'),
    'files:\n  source: landing/sales/orders/*.csv\n  readiness: { quiet: 10 }\n',
  );
  return root;
}

describe('file-arrival trigger with incremental ingest', () => {
  test('a storm of 1,000 files: each file ingested exactly once, every evaluation explained', async () => {
    const root = await createArrivalMesh();
    const landing = path.join(root, 'landing/sales/orders');
    await mkdir(landing, { recursive: true });
    const header = 'id,name';
    const service = await MeshService.create({ root, progress: { update() {} } });
    try {
      await service.apply();
      const clock = fakeClock();
      const scheduler = service.runs.scheduler(clock);
      assert.deepEqual(await scheduler.tick(), [], 'nothing has arrived');
      await Promise.all(
        Array.from({ length: FILES }, (_, index) =>
          writeFile(
            path.join(landing, `orders-${String(index).padStart(4, '0')}.csv`),
            `${header}\nstorm-${index},c${index}\n`,
          ),
        ),
      );
      assert.deepEqual(await scheduler.tick(), [], 'files just seen: the quiet period has not passed');
      clock.advance(11);
      const [first, ...others] = await scheduler.tick();
      assert.ok(first);
      assert.deepEqual(others, []);
      assert.deepEqual(await scheduler.tick(), [], 'no overlap while the run is queued');
      await service.runs.work({ isDraining: true, pollMs: 10 });
      const run = await service.store.getRun(first);
      assert.equal(run?.state, 'succeeded', JSON.stringify(run?.error));
      const scaffolded =
        (await service.store.triggers.listIngestedFiles('quanta://sales/orders')).length - FILES;
      const firstRows =
        (await service.store.getCurrentSnapshot('quanta://sales/orders/orders'))?.rowCount ?? 0;
      assert.ok(firstRows >= FILES);
      clock.advance(60);
      assert.deepEqual(await scheduler.tick(), [], 'every file is in the watermark');
      await writeFile(path.join(landing, 'late.csv'), `${header}\nlate-1,late\n`);
      await scheduler.tick();
      clock.advance(11);
      const [second] = await scheduler.tick();
      assert.ok(second, 'a late file starts a run of its own');
      await service.runs.work({ isDraining: true, pollMs: 10 });
      const snapshot = await service.store.getCurrentSnapshot('quanta://sales/orders/orders');
      assert.equal(snapshot?.version, 2);
      assert.equal(snapshot?.rowCount, firstRows + 1, 'previous rows + the new row, none twice');
      const ingested = await service.store.triggers.listIngestedFiles('quanta://sales/orders');
      assert.equal(ingested.length, scaffolded + FILES + 1);
      assert.equal(new Set(ingested.map((file) => file.path)).size, scaffolded + FILES + 1);
      const why = await service.store.triggers.listEvaluations('quanta://sales/orders');
      assert.deepEqual(why.map((item) => `${item.decision}: ${item.reason}`).slice(0, 3), [
        'run: 1 new file(s) ready in landing/sales/orders',
        'wait: files changed 0 s ago, quiet period is 10 s',
        'wait: no new file since the last ingest',
      ]);
    } finally {
      await service.close();
    }
  });
});
