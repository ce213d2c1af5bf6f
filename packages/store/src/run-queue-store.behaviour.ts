import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { type Clock, QuantaError } from '@quanta/model';
import type { CatalogStoreBackend } from './catalog-store.behaviour.ts';
import type { CatalogStore } from './catalog-store.ts';
import { newSnapshot } from './test-support/catalog-fixtures.ts';

/** A clock that moves only when told to. */
function manualClock(): Clock & { advance(milliseconds: number): void } {
  let now = Date.UTC(2024, 0, 1);
  return {
    now: () => new Date(now),
    advance: (milliseconds) => {
      now += milliseconds;
    },
  };
}

const LEASE_MS = 30_000;

/**
 * The behaviour of the run queue on every backend: claims, leases and their takeover, fencing,
 * cancellation, exactly-once snapshots and lineage events.
 */
export function describeRunQueueBehaviour(backend: CatalogStoreBackend): void {
  const opened: CatalogStore[] = [];
  after(async () => {
    for (const store of opened) await store.close();
  });
  const openStores = async (count: number, clock?: Clock): Promise<CatalogStore[]> => {
    const target = await backend.createTarget();
    const stores: CatalogStore[] = [];
    for (let index = 0; index < count; index += 1) stores.push(await target.open(clock ? { clock } : {}));
    opened.push(...stores);
    return stores;
  };

  test('a queued run is claimed once, recorded as running, and finished under its lease', async () => {
    const [store] = (await openStores(1)) as [CatalogStore];
    const queued = await store.runQueue.enqueueRun({
      id: 'r1',
      product: 'sales.orders',
      request: { trigger: 'api' },
    });
    assert.equal(queued.status, 'queued');
    assert.equal(await store.getRun('r1'), undefined);
    const claimed = await store.runQueue.claimRun({ worker: 'w1', leaseMs: LEASE_MS });
    assert.ok(claimed);
    assert.deepEqual(
      { status: claimed.queued.status, worker: claimed.queued.worker, token: claimed.lease.token },
      { status: 'leased', worker: 'w1', token: 1 },
    );
    assert.deepEqual(
      { state: claimed.run.state, trigger: claimed.run.trigger },
      { state: 'running', trigger: 'api' },
    );
    assert.equal(await store.runQueue.claimRun({ worker: 'w2', leaseMs: LEASE_MS }), undefined);
    assert.deepEqual(
      (await store.runQueue.listActiveRuns()).map((run) => run.runId),
      ['r1'],
    );
    const ended = await store.runQueue.finishRun(claimed.lease, { state: 'succeeded', result: 1 });
    assert.equal(ended.state, 'succeeded');
    assert.equal((await store.runQueue.getQueuedRun('r1'))?.status, 'done');
    assert.deepEqual(await store.runQueue.listActiveRuns(), []);
  });

  test('an expired lease is taken over with a new token, and the old holder can no longer write', async () => {
    const clock = manualClock();
    const [first, second] = (await openStores(2, clock)) as [CatalogStore, CatalogStore];
    await first.runQueue.enqueueRun({ id: 'r1', product: 'sales.orders', request: {} });
    const a = await first.runQueue.claimRun({ worker: 'a', leaseMs: LEASE_MS });
    assert.ok(a);
    await first.runQueue.appendLeasedStepEvent(a.lease, { step: 'load', kind: 'started', path: 'main/load' });
    clock.advance(LEASE_MS - 1);
    await first.runQueue.renewLease(a.lease);
    clock.advance(LEASE_MS - 1);
    assert.equal(await second.runQueue.claimRun({ worker: 'b', leaseMs: LEASE_MS }), undefined, 'renewed');
    clock.advance(2);
    const b = await second.runQueue.claimRun({ worker: 'b', leaseMs: LEASE_MS });
    assert.ok(b);
    assert.equal(b.lease.token, 2);
    assert.equal(b.run.startedAt, a.run.startedAt, 'the run keeps its record');
    await assertLeaseLost(() =>
      first.runQueue.appendLeasedStepEvent(a.lease, { step: 'load', kind: 'succeeded', path: 'main/load' }),
    );
    await assertLeaseLost(() => first.runQueue.renewLease(a.lease));
    await assertLeaseLost(() => first.runQueue.finishRun(a.lease, { state: 'succeeded' }));
    const { event } = await second.runQueue.appendLeasedStepEvent(b.lease, {
      step: 'load',
      kind: 'succeeded',
      path: 'main/load',
      data: { rows: 3 },
      replay: { flow: { kind: 'normal' }, scopes: [] },
      durationMs: 12.5,
    });
    assert.deepEqual(
      { ...event, at: undefined },
      {
        runId: 'r1',
        seq: 2,
        step: 'load',
        kind: 'succeeded',
        at: undefined,
        data: { rows: 3 },
        path: 'main/load',
        replay: { flow: { kind: 'normal' }, scopes: [] },
        worker: 'b',
        attempt: 2,
        durationMs: 12.5,
      },
    );
    assert.deepEqual(
      (await first.listStepEvents('r1')).map((entry) => `${entry.kind}:${entry.worker}:${entry.attempt}`),
      ['started:a:1', 'succeeded:b:2'],
    );
  });

  test('concurrent workers on separate connections claim every run exactly once', async () => {
    const stores = await openStores(3);
    const [store] = stores as [CatalogStore];
    for (let index = 0; index < 12; index += 1) {
      await store.runQueue.enqueueRun({
        id: `r${String(index).padStart(2, '0')}`,
        product: 'p',
        request: {},
      });
    }
    const claims = await Promise.all(
      stores.map(async (worker, index) => {
        const mine: string[] = [];
        for (;;) {
          const claimed = await worker.runQueue.claimRun({ worker: `w${index}`, leaseMs: LEASE_MS });
          if (!claimed) return mine;
          mine.push(claimed.lease.runId);
        }
      }),
    );
    const all = claims.flat().sort();
    assert.equal(all.length, 12);
    assert.equal(new Set(all).size, 12);
  });

  test('claiming a named run takes only that one, and only when it is free', async () => {
    const [store] = (await openStores(1)) as [CatalogStore];
    await store.runQueue.enqueueRun({ id: 'r1', product: 'p', request: {} });
    await store.runQueue.enqueueRun({ id: 'r2', product: 'p', request: {} });
    const claimed = await store.runQueue.claimRun({ worker: 'w', leaseMs: LEASE_MS, runId: 'r2' });
    assert.equal(claimed?.lease.runId, 'r2');
    assert.equal(await store.runQueue.claimRun({ worker: 'x', leaseMs: LEASE_MS, runId: 'r2' }), undefined);
  });

  test('cancelling ends a queued run at once and flags a leased one for its holder', async () => {
    const [store] = (await openStores(1)) as [CatalogStore];
    await store.runQueue.enqueueRun({ id: 'waiting', product: 'p', request: { trigger: 'cron' } });
    await store.runQueue.enqueueRun({ id: 'busy', product: 'p', request: {} });
    const claimed = await store.runQueue.claimRun({ worker: 'w', leaseMs: LEASE_MS, runId: 'busy' });
    assert.ok(claimed);
    assert.equal((await store.runQueue.requestCancel('waiting'))?.status, 'done');
    assert.equal((await store.getRun('waiting'))?.state, 'cancelled');
    assert.deepEqual(await store.runQueue.renewLease(claimed.lease), { isCancelRequested: false });
    assert.equal((await store.runQueue.requestCancel('busy'))?.status, 'leased');
    assert.deepEqual(await store.runQueue.renewLease(claimed.lease), { isCancelRequested: true });
    const { renewal } = await store.runQueue.appendLeasedStepEvent(claimed.lease, {
      step: 's',
      kind: 'started',
    });
    assert.equal(renewal.isCancelRequested, true);
    assert.equal(await store.runQueue.requestCancel('nobody'), undefined);
  });

  test('a run publishes a port at most once, and finds that snapshot again', async () => {
    const [store] = (await openStores(1)) as [CatalogStore];
    assert.equal(await store.runQueue.findRunSnapshot('run-1', 'd.p.out'), undefined);
    const published = await store.publishSnapshot(newSnapshot('d.p.out', 'run-1'));
    assert.deepEqual(await store.runQueue.findRunSnapshot('run-1', 'd.p.out'), published);
    await assert.rejects(
      () => store.publishSnapshot(newSnapshot('d.p.out', 'run-1')),
      (error: unknown) => error instanceof QuantaError && error.code === 'QUANTA_CONFLICT',
    );
    assert.equal(
      (await store.getCurrentSnapshot('d.p.out'))?.version,
      1,
      'the failed publish left no version',
    );
  });

  test('lineage events are stored per run in order', async () => {
    const [store] = (await openStores(1)) as [CatalogStore];
    const event = { eventType: 'START', run: { runId: 'r1' } };
    await store.runQueue.recordLineageEvent({
      runId: 'r1',
      eventType: 'START',
      eventTime: '2024-01-01T00:00:00.000Z',
      event,
    });
    await store.runQueue.recordLineageEvent({
      runId: 'r1',
      eventType: 'COMPLETE',
      eventTime: '2024-01-01T00:00:01.000Z',
      event: { ...event, eventType: 'COMPLETE' },
    });
    const events = await store.runQueue.listLineageEvents('r1');
    assert.deepEqual(
      events.map((entry) => [entry.eventType, entry.eventTime, entry.event.eventType]),
      [
        ['START', '2024-01-01T00:00:00.000Z', 'START'],
        ['COMPLETE', '2024-01-01T00:00:01.000Z', 'COMPLETE'],
      ],
    );
    assert.deepEqual(await store.runQueue.listLineageEvents('r2'), []);
  });
}

async function assertLeaseLost(write: () => Promise<unknown>): Promise<void> {
  await assert.rejects(
    write,
    (error: unknown) => error instanceof QuantaError && error.code === 'QUANTA_CONFLICT',
  );
}
