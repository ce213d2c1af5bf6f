import assert from 'node:assert/strict';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import type { RunRecord } from '@quanta/model';
import { type CatalogStore, openCatalogStore } from '@quanta/store';
import { describePostgres } from '@quanta/store/test-support';
import {
  completedTwice,
  createDurableMesh,
  exitOf,
  NAPS,
  spawnCli,
  waitFor,
} from './support/durable-mesh.ts';
import { jsonOf, runCli } from './support/run-cli.ts';

const PORT = 'quanta://sales/orders/orders';

/** Succeeded journal entries of a run written by one worker. */
async function napsBy(store: CatalogStore, at: { runId: string; worker: string }): Promise<number> {
  const events = await store.listStepEvents(at.runId);
  return events.filter(
    (event) => event.worker === at.worker && event.step === 'nap' && event.kind === 'succeeded',
  ).length;
}

async function queueRun(root: string, env: NodeJS.ProcessEnv = {}): Promise<string> {
  const queued = jsonOf<{ queued: { runId: string } }>(
    await runCli(['--json', 'run', 'sales/orders', '--queue'], { cwd: root, env }),
  );
  return queued.queued.runId;
}

describe('durable runs on the embedded store', async () => {
  const root = await createDurableMesh('quanta-durable-');
  const applied = await runCli(['apply'], { cwd: root });
  assert.equal(applied.code, 0, applied.stderr);
  const store = await openCatalogStore({ embeddedPath: path.join(root, '.quanta', 'catalog.sqlite') });
  after(() => store.close());

  test('a worker killed with SIGKILL mid-run: `quanta run --resume` continues from the last completed step', async () => {
    const runId = await queueRun(root);
    const worker = spawnCli(['worker', '--name', 'doomed', '--lease', '5', '--poll', '0.1'], { cwd: root });
    await waitFor(async () => ((await napsBy(store, { runId, worker: 'doomed' })) >= 5 ? true : undefined));
    worker.kill('SIGKILL');
    await exitOf(worker);
    const early = await runCli(['--json', 'run', '--resume', runId], { cwd: root });
    assert.notEqual(early.code, 0, 'the lease has not expired yet');
    await waitFor(async () => {
      const queued = await store.runQueue.getQueuedRun(runId);
      return (queued?.leaseExpiresAt ?? '') < new Date().toISOString() ? true : undefined;
    });
    const resumed = jsonOf<{ runs: RunRecord[] }>(
      await runCli(['--json', 'run', '--resume', runId], { cwd: root }),
    );
    assert.equal(resumed.runs[0]?.state, 'succeeded', JSON.stringify(resumed));
    const events = await store.listStepEvents(runId);
    assert.deepEqual(completedTwice(events), []);
    const ingests = events.filter((event) => event.step === 'ingest' && event.kind === 'started');
    assert.equal(ingests.length, 1, 'the ingest completed before the kill is not run again');
    const attempts = new Set(events.map((event) => event.attempt));
    assert.deepEqual([...attempts].sort(), [1, 2]);
    const naps = events.filter((event) => event.step === 'nap' && event.kind === 'succeeded');
    assert.equal(naps.length, NAPS);
    const snapshots = (await store.listSnapshots(PORT)).filter((snapshot) => snapshot.runId === runId);
    assert.equal(snapshots.length, 1);
    const lineage = await store.runQueue.listLineageEvents(runId);
    assert.deepEqual(
      lineage.map((event) => event.eventType),
      ['START', 'COMPLETE'],
    );
  });

  test('a cancelled run stops at its next step; re-running it from a step replays the steps before', async () => {
    const runId = await queueRun(root);
    const worker = spawnCli(['--json', 'worker', '--name', 'steady', '--poll', '0.1', '--drain'], {
      cwd: root,
    });
    let output = '';
    worker.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    await waitFor(async () => ((await napsBy(store, { runId, worker: 'steady' })) >= 3 ? true : undefined));
    const cancelled = await runCli(['run', 'cancel', runId], { cwd: root });
    assert.equal(cancelled.code, 0, cancelled.stderr);
    assert.equal(await exitOf(worker), 0);
    assert.equal(JSON.parse(output).runs[0].state, 'cancelled');
    assert.equal((await store.getRun(runId))?.state, 'cancelled');
    const rerun = jsonOf<{ runs: RunRecord[] }>(
      await runCli(['--json', 'run', 'sales/orders', '--from-run', runId, '--from-step', 'wait'], {
        cwd: root,
      }),
    );
    const last = rerun.runs.at(-1);
    assert.equal(last?.state, 'succeeded', JSON.stringify(rerun));
    const steps = new Set((await store.listStepEvents(last?.id ?? '')).map((event) => event.step));
    assert.equal(steps.has('ingest'), false, 'ingest is taken from the cancelled run');
    assert.ok(steps.has('nap') && steps.has('publish'));
    const again = jsonOf<{ runs: RunRecord[] }>(
      await runCli(['--json', 'run', 'sales/orders', '--from-run', runId, '--from-step', 'wait'], {
        cwd: root,
      }),
    );
    assert.equal(
      again.runs?.at(-1)?.state,
      'succeeded',
      `a second re-run from the same run: ${JSON.stringify(again)}`,
    );
  });
});

describePostgres('durable runs with three worker processes on PostgreSQL', (server) => {
  test('a worker killed mid-run: its run is taken over after the lease, every step completes once, every publish once', async () => {
    const root = await createDurableMesh('quanta-workers-');
    const env = { QUANTA_DATABASE_URL: server.createSchemaUrl() };
    const applied = await runCli(['apply'], { cwd: root, env });
    assert.equal(applied.code, 0, applied.stderr);
    const runIds = [await queueRun(root, env), await queueRun(root, env), await queueRun(root, env)];
    const store = await openCatalogStore({ databaseUrl: env.QUANTA_DATABASE_URL });
    try {
      const names = ['w1', 'w2', 'w3'];
      const workers = names.map((name) =>
        spawnCli(['worker', '--name', name, '--lease', '2', '--poll', '0.1', '--drain'], { cwd: root, env }),
      );
      const victim = await waitFor(async () => {
        for (const runId of runIds) {
          const queued = await store.runQueue.getQueuedRun(runId);
          if (queued?.worker && (await napsBy(store, { runId, worker: queued.worker })) >= 5) {
            return { runId, worker: queued.worker };
          }
        }
        return undefined;
      });
      const index = names.indexOf(victim.worker);
      workers[index]?.kill('SIGKILL');
      const exits = await Promise.all(workers.map(exitOf));
      assert.equal(exits[index], 'SIGKILL');
      assert.deepEqual(
        exits.filter((_code, position) => position !== index),
        [0, 0],
      );
      for (const runId of runIds) {
        assert.equal((await store.getRun(runId))?.state, 'succeeded', runId);
        const events = await store.listStepEvents(runId);
        assert.deepEqual(completedTwice(events), [], `run ${runId}: no step completed twice`);
        assert.equal(
          events.filter((event) => event.step === 'nap' && event.kind === 'succeeded').length,
          NAPS,
        );
      }
      const takenOver = await store.listStepEvents(victim.runId);
      const finisher = takenOver.at(-1)?.worker;
      assert.notEqual(finisher, victim.worker, 'another worker finished the killed worker’s run');
      assert.equal(takenOver.at(-1)?.attempt, 2);
      const snapshots = await store.listSnapshots(PORT);
      assert.deepEqual(snapshots.map((snapshot) => snapshot.runId).sort(), [...runIds].sort());
      assert.deepEqual(snapshots.map((snapshot) => snapshot.version).sort(), [1, 2, 3]);
    } finally {
      await store.close();
    }
  });
});
