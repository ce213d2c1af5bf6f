import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { serveApi } from '@quanta/server';
import { createDomain, createProduct, initMesh, MeshService } from '@quanta/services';
import { describePostgres } from '@quanta/store/test-support';
import { createArrivalMesh } from './support/arrival-mesh.ts';
import { copyExampleMesh } from './support/example-mesh.ts';

const FILES = 1000;

/** A fake wall clock the scheduler reads; the test moves it. */
function fakeClock(start = Date.UTC(2024, 0, 1, 8)) {
  let now = start;
  return { now: () => new Date(now), advance: (seconds: number) => (now += seconds * 1000) };
}

describe('file-arrival trigger with incremental ingest', () => {
  test('a storm of 1,000 files: each file ingested exactly once, every evaluation explained', async () => {
    const root = await createArrivalMesh({ prefix: 'quanta-triggers-', readiness: '{ quiet: 10 }' });
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

/** A scaffolded mesh whose one product, sales/orders, declares `triggers`. */
async function createTriggeredMesh(triggers: string): Promise<string> {
  const root = path.join(await mkdtemp(path.join(os.tmpdir(), 'quanta-cron-')), 'mesh');
  await initMesh(root, { name: 'scheduled' });
  await createDomain(root, { name: 'sales', owner: 'sam@example.com' });
  await createProduct(root, { name: 'sales/orders' });
  await writeFile(path.join(root, 'domains/sales/products/orders/triggers.yaml'), triggers);
  return root;
}

/** The recorded evaluations of a product, oldest first, as `decision: reason`. */
async function reasonsOf(service: MeshService, product: string): Promise<string[]> {
  const evaluations = await service.store.triggers.listEvaluations(product);
  return evaluations.map((item) => `${item.decision}: ${item.reason}`).reverse();
}

/** Opens a scaffolded mesh with `triggers` on a fake clock starting at `start`, applied. */
async function openTriggered(triggers: string, start: number, options: { databaseUrl?: string } = {}) {
  const clock = fakeClock(start);
  const service = await MeshService.create({
    root: await createTriggeredMesh(triggers),
    progress: { update() {} },
    clock,
    ...options,
  });
  await service.apply();
  return { service, clock, scheduler: service.runs.scheduler(clock) };
}

describe('cron triggers', () => {
  test('a scheduler taking the lease back starts new rows: it never counts on a row older than others', async () => {
    const { service, clock, scheduler } = await openTriggered(
      'cron:\n  schedule: "0 9 * * *"\n',
      Date.UTC(2024, 0, 1, 7),
    );
    const other = service.runs.scheduler(clock);
    try {
      await scheduler.tick();
      await scheduler.release();
      clock.advance(10);
      await other.tick();
      await other.release();
      clock.advance(10);
      await scheduler.tick();
      await scheduler.release();
      const evaluations = await service.store.triggers.listEvaluations('quanta://sales/orders');
      assert.deepEqual(
        evaluations.map((evaluation) => [evaluation.evaluatedAt, evaluation.repeats]),
        [
          ['2024-01-01T07:00:20.000Z', 1],
          ['2024-01-01T07:00:10.000Z', 1],
          ['2024-01-01T07:00:00.000Z', 1],
        ],
      );
    } finally {
      await service.close();
    }
  });
  test('every evaluation counts: an unchanged verdict is one row with its repeats', async () => {
    const { service, clock, scheduler } = await openTriggered(
      'cron:\n  schedule: "0 9 * * *"\n',
      Date.UTC(2024, 0, 1, 7),
    );
    try {
      for (let tick = 0; tick < 5; tick += 1) {
        assert.deepEqual(await scheduler.tick(), []);
        clock.advance(20);
      }
      await scheduler.release();
      const [latest, ...older] = await service.store.triggers.listEvaluations('quanta://sales/orders');
      assert.deepEqual(older, []);
      assert.equal(latest?.reason, 'next run at 2024-01-01T09:00:00.000Z (UTC)');
      assert.equal(latest?.repeats, 5);
      assert.equal(latest?.lastEvaluatedAt, '2024-01-01T07:01:20.000Z');
    } finally {
      await service.close();
    }
  });

  test('fire in their time zone', async () => {
    const { service, clock, scheduler } = await openTriggered(
      'cron:\n  schedule: "0 9 * * *"\n  timeZone: Europe/Paris\n',
      Date.UTC(2024, 0, 1, 7),
    );
    try {
      assert.deepEqual(await scheduler.tick(), []);
      clock.advance(59 * 60);
      assert.deepEqual(await scheduler.tick(), [], '07:59 UTC is 08:59 in Paris');
      clock.advance(90);
      const [runId] = await scheduler.tick();
      assert.ok(runId);
      const queued = await service.store.runQueue.getQueuedRun(runId);
      assert.equal(queued?.request.trigger, 'trigger:cron');
      assert.deepEqual(await reasonsOf(service, 'quanta://sales/orders'), [
        'wait: next run at 2024-01-01T08:00:00.000Z (Europe/Paris)',
        'run: scheduled for 2024-01-01T08:00:00.000Z (Europe/Paris)',
      ]);
    } finally {
      await service.close();
    }
  });

  const catchUps = {
    none: [
      'skip: 3 missed run(s) up to 2024-01-01T12:00:00.000Z not caught up (catchUp: none); next run at 2024-01-01T13:00:00.000Z (UTC)',
      'wait: next run at 2024-01-01T13:00:00.000Z (UTC)',
    ],
    latest: [
      'run: scheduled for 2024-01-01T12:00:00.000Z (UTC), 2 earlier missed run(s) not caught up (catchUp: latest)',
      'wait: next run at 2024-01-01T13:00:00.000Z (UTC)',
    ],
    all: [
      'run: scheduled for 2024-01-01T10:00:00.000Z (UTC), 2 more due (catchUp: all)',
      'run: scheduled for 2024-01-01T11:00:00.000Z (UTC), 1 more due (catchUp: all)',
      'run: scheduled for 2024-01-01T12:00:00.000Z (UTC)',
      'wait: next run at 2024-01-01T13:00:00.000Z (UTC)',
    ],
  } as const;
  for (const [catchUp, expected] of Object.entries(catchUps)) {
    test(`catch up ${catchUp} after three missed hourly ticks`, async () => {
      const { service, clock, scheduler } = await openTriggered(
        `cron:\n  schedule: "0 * * * *"\n  catchUp: ${catchUp}\n`,
        Date.UTC(2024, 0, 1, 8, 30),
      );
      try {
        await scheduler.tick();
        clock.advance(30 * 60 + 10);
        const [first] = await scheduler.tick();
        assert.ok(first, 'the 09:00 run');
        await service.runs.cancel(first);
        clock.advance(3 * 3600);
        const started: string[] = [];
        for (let round = 0; round < 4; round += 1) {
          for (const runId of await scheduler.tick()) {
            started.push(runId);
            await service.runs.cancel(runId);
          }
        }
        assert.equal(started.length, expected.filter((reason) => reason.startsWith('run:')).length);
        assert.deepEqual((await reasonsOf(service, 'quanta://sales/orders')).slice(2), expected);
      } finally {
        await service.close();
      }
    });
  }

  test('never overlap a queued or running run', async () => {
    const { service, clock, scheduler } = await openTriggered(
      'cron:\n  schedule: "*/5 * * * *"\n  catchUp: latest\n',
      Date.UTC(2024, 0, 1, 8),
    );
    try {
      await scheduler.tick();
      clock.advance(301);
      const [runId] = await scheduler.tick();
      assert.ok(runId);
      clock.advance(300);
      assert.deepEqual(await scheduler.tick(), [], 'queued');
      // A worker elsewhere holds it; its lease lapses at once so the worker below can take it over.
      const claimed = await service.store.runQueue.claimRun({ worker: 'elsewhere', leaseMs: 1 });
      assert.equal(claimed?.lease.runId, runId);
      clock.advance(300);
      assert.deepEqual(await scheduler.tick(), [], 'running');
      const [resumed] = await service.runs.work({ isDraining: true, pollMs: 10 });
      assert.equal(resumed?.state, 'succeeded', JSON.stringify(resumed?.error));
      const [next] = await scheduler.tick();
      assert.ok(next, 'the latest missed fire once the run ended');
      assert.deepEqual(await reasonsOf(service, 'quanta://sales/orders'), [
        'wait: next run at 2024-01-01T08:05:00.000Z (UTC)',
        'run: scheduled for 2024-01-01T08:05:00.000Z (UTC)',
        'skip: a run of the product is queued or running (no overlap)',
        'run: scheduled for 2024-01-01T08:15:00.000Z (UTC), 1 earlier missed run(s) not caught up (catchUp: latest)',
      ]);
    } finally {
      await service.close();
    }
  });
});

describe('upstream triggers', () => {
  test('a new input snapshot starts a run; two inputs within the window make one run', async () => {
    const mesh = await copyExampleMesh({ orders: 200, customers: 50 });
    // Only customer-profile is triggered here: the example's other triggers would queue runs too.
    for (const product of [
      'sales/products/orders',
      'sales/products/segment-revenue',
      'marketing/products/campaign-performance',
    ])
      await rm(path.join(mesh.root, 'domains', product, 'triggers.yaml'));
    await writeFile(
      path.join(mesh.root, 'domains/customers/products/customer-profile/triggers.yaml'),
      'upstream:\n  inputs: [customers, orders]\n  window: 600\n',
    );
    const clock = fakeClock();
    const service = await MeshService.create({ root: mesh.root, progress: { update() {} }, clock });
    const publish = async (product: string) => {
      await service.runs.enqueue(product);
      await service.runs.work({ isDraining: true, pollMs: 10 });
    };
    try {
      await service.apply();
      await service.runAll({ trigger: 'test' });
      const scheduler = service.runs.scheduler(clock);
      assert.deepEqual(await scheduler.tick(), []);
      await publish('sales/orders');
      assert.deepEqual(await scheduler.tick(), [], 'waits for the other input');
      clock.advance(60);
      assert.deepEqual(await scheduler.tick(), []);
      await publish('customers/crm-customers');
      clock.advance(60);
      const [combined, ...none] = await scheduler.tick();
      assert.ok(combined);
      assert.deepEqual(none, []);
      await service.runs.work({ isDraining: true, pollMs: 10 });
      assert.equal((await service.store.getRun(combined))?.state, 'succeeded');
      assert.deepEqual(await scheduler.tick(), [], 'both consumed');
      await publish('sales/orders');
      assert.deepEqual(await scheduler.tick(), []);
      clock.advance(599);
      assert.deepEqual(await scheduler.tick(), []);
      clock.advance(2);
      const [alone] = await scheduler.tick();
      assert.ok(alone, 'the window elapsed without the other input');
      assert.deepEqual(await reasonsOf(service, 'quanta://customers/customer-profile'), [
        'wait: no input has a snapshot newer than the one last consumed',
        'wait: new snapshot(s) of orders; waiting up to 600 s more for the other inputs',
        'wait: new snapshot(s) of orders; waiting up to 540 s more for the other inputs',
        'run: new snapshot(s) of customers, orders',
        'wait: no input has a snapshot newer than the one last consumed',
        'wait: new snapshot(s) of orders; waiting up to 600 s more for the other inputs',
        'wait: new snapshot(s) of orders; waiting up to 1 s more for the other inputs',
        'run: new snapshot(s) of orders; window of 600 s elapsed without the others',
      ]);
    } finally {
      await service.close();
      await mesh.remove();
    }
  });
});

describe('triggers inside the server', () => {
  test('serveApi ticks the scheduler on the service clock and, embedded, executes the run; close stops it', async () => {
    const { service, clock } = await openTriggered(
      'cron:\n  schedule: "*/5 * * * *"\n',
      Date.UTC(2024, 0, 1, 8),
    );
    const server = await serveApi(service, { port: 0, triggers: { pollMs: 10 } });
    const runs = () => service.store.listRuns({ product: 'quanta://sales/orders' });
    try {
      await until(async () => (await reasonsOf(service, 'quanta://sales/orders')).length > 0);
      clock.advance(301);
      await until(async () => (await runs())[0]?.state === 'succeeded');
    } finally {
      await server.close();
    }
    const [run] = await runs();
    assert.equal(run?.trigger, 'trigger:cron');
    assert.deepEqual((await reasonsOf(service, 'quanta://sales/orders')).slice(0, 2), [
      'wait: next run at 2024-01-01T08:05:00.000Z (UTC)',
      'run: scheduled for 2024-01-01T08:05:00.000Z (UTC)',
    ]);
    const evaluated = (await reasonsOf(service, 'quanta://sales/orders')).length;
    clock.advance(301);
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal((await reasonsOf(service, 'quanta://sales/orders')).length, evaluated, 'stopped on close');
    await service.close();
  });
});

/** Waits until `condition` holds, polling; gives up (fails) after many polls rather than hang. */
async function until(condition: () => Promise<boolean>): Promise<void> {
  for (let poll = 0; poll < 6000; poll += 1) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  assert.fail('the condition never held');
}

describePostgres('several schedulers on one PostgreSQL', (server) => {
  test('one leads and queues each due run once; a standby takes over when its lease expires', async () => {
    const databaseUrl = server.createSchemaUrl();
    const start = Date.UTC(2024, 0, 1, 7, 59, 45);
    const first = await openTriggered('cron:\n  schedule: "*/5 * * * *"\n', start, { databaseUrl });
    const second = await MeshService.create({
      root: first.service.root,
      progress: { update() {} },
      databaseUrl,
    });
    const standby = second.runs.scheduler(first.clock);
    try {
      assert.deepEqual(await first.scheduler.tick(), [], 'the first scheduler takes the lease (30 s)');
      first.clock.advance(15);
      const racing = await Promise.all([first.scheduler.tick(), standby.tick(), first.scheduler.tick()]);
      assert.equal(racing.flat().length, 1, `one run queued for 08:00, not ${racing.flat().length}`);
      assert.equal(standby.status.isLeader, false);
      assert.equal(standby.status.lease?.holder, first.scheduler.status.holder);
      assert.equal((await first.service.store.runQueue.listActiveRuns()).length, 1);

      await first.service.runs.work({ isDraining: true, pollMs: 10 });
      first.clock.advance(4 * 60 + 50);
      assert.deepEqual(await first.scheduler.tick(), [], '08:04:50, nothing due; the lease is renewed');
      // The leader dies without releasing its lease: the standby waits for it to expire (30 s).
      first.clock.advance(20);
      assert.deepEqual(await standby.tick(), [], '08:05:10: the dead leader still holds the lease');
      assert.equal(standby.status.isLeader, false);
      first.clock.advance(15);
      const [taken] = await standby.tick();
      assert.ok(taken, 'the standby took over and queued the 08:05 run');
      assert.equal(standby.status.isLeader, true);
    } finally {
      await standby.release();
      await second.close();
      await first.service.close();
    }
  });
});
