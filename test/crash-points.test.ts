import assert from 'node:assert/strict';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import type { RunRecord } from '@quanta/model';
import { openCatalogStore } from '@quanta/store';
import { completedTwice, createDurableMesh, exitOf, spawnCli, waitFor } from './support/durable-mesh.ts';
import { jsonOf, runCli } from './support/run-cli.ts';

const PORT = 'quanta://sales/orders/orders';

/**
 * A worker dies inside `quanta.publish` at each point a crash can leave a half-done publish:
 * after the snapshot file was moved into place but before the catalog commit, and after the
 * commit but before the journal recorded the step. The resumed run publishes exactly once.
 */
describe('a crash inside publish', async () => {
  const root = await createDurableMesh('quanta-crash-');
  assert.equal((await runCli(['apply'], { cwd: root })).code, 0);
  const store = await openCatalogStore({ embeddedPath: path.join(root, '.quanta', 'catalog.sqlite') });
  after(() => store.close());

  for (const point of ['publish:promoted', 'publish:committed']) {
    test(`killed at ${point}: the resumed run publishes once, and the snapshot is whole`, async () => {
      const before = (await store.listSnapshots(PORT)).length;
      const queued = jsonOf<{ queued: { runId: string } }>(
        await runCli(['--json', 'run', 'sales/orders', '--queue'], { cwd: root }),
      );
      const { runId } = queued.queued;
      const worker = spawnCli(['worker', '--lease', '1', '--poll', '0.1', '--drain'], {
        cwd: root,
        env: { QUANTA_CRASH_AT: point },
      });
      assert.equal(await exitOf(worker), 'SIGKILL', 'the worker died at the crash point');
      const committed = (await store.listSnapshots(PORT)).filter((snapshot) => snapshot.runId === runId);
      assert.equal(
        committed.length,
        point === 'publish:committed' ? 1 : 0,
        'the catalog as the crash left it',
      );

      await waitFor(async () => {
        const lease = await store.runQueue.getQueuedRun(runId);
        return (lease?.leaseExpiresAt ?? '') < new Date().toISOString() ? true : undefined;
      });
      const resumed = jsonOf<{ runs: RunRecord[] }>(
        await runCli(['--json', 'run', '--resume', runId], { cwd: root }),
      );
      assert.equal(resumed.runs[0]?.state, 'succeeded', JSON.stringify(resumed));
      const snapshots = await store.listSnapshots(PORT);
      const published = snapshots.filter((snapshot) => snapshot.runId === runId);
      assert.equal(published.length, 1, 'exactly one snapshot for the run');
      assert.equal(snapshots.length, before + 1);
      assert.deepEqual(completedTwice(await store.listStepEvents(runId)), []);
      const counted = jsonOf<{ rows: unknown[][] }>(
        await runCli(
          ['--json', 'query', `select count(*) from sales.orders."orders@${published[0]?.version}"`],
          {
            cwd: root,
          },
        ),
      );
      assert.equal(Number(counted.rows[0]?.[0]), published[0]?.rowCount, 'the snapshot file holds every row');
    });
  }

  test('a re-run from a step, killed after the rename of its borrowed table, resumes and publishes once', async () => {
    const first = jsonOf<{ queued: { runId: string } }>(
      await runCli(['--json', 'run', 'sales/orders', '--queue'], { cwd: root }),
    ).queued.runId;
    const worker = spawnCli(['worker', '--poll', '0.1', '--drain'], { cwd: root });
    await waitFor(async () =>
      (await store.listStepEvents(first)).some((event) => event.step === 'nap') ? true : undefined,
    );
    assert.equal((await runCli(['run', 'cancel', first], { cwd: root })).code, 0);
    await exitOf(worker);
    const rerun = jsonOf<{ queued: { runId: string } }>(
      await runCli(['--json', 'run', 'sales/orders', '--from-run', first, '--from-step', 'wait', '--queue'], {
        cwd: root,
      }),
    ).queued.runId;
    const doomed = spawnCli(['worker', '--lease', '1', '--poll', '0.1', '--drain'], {
      cwd: root,
      env: { QUANTA_CRASH_AT: 'publish:promoted' },
    });
    assert.equal(await exitOf(doomed), 'SIGKILL');
    await waitFor(async () => {
      const lease = await store.runQueue.getQueuedRun(rerun);
      return (lease?.leaseExpiresAt ?? '') < new Date().toISOString() ? true : undefined;
    });
    const resumed = jsonOf<{ runs: RunRecord[] }>(
      await runCli(['--json', 'run', '--resume', rerun], { cwd: root }),
    );
    assert.equal(resumed.runs[0]?.state, 'succeeded', JSON.stringify(resumed));
    const published = (await store.listSnapshots(PORT)).filter((snapshot) => snapshot.runId === rerun);
    assert.equal(published.length, 1);
  });
});
