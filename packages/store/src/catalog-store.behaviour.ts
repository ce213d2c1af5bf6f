import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import {
  type CatalogState,
  type Clock,
  type DomainRecord,
  type PortRecord,
  type ProductRecord,
  QuantaError,
  type QuantaErrorCode,
} from '@quanta/model';
import type { CatalogStore } from './catalog-store.ts';
import { registerQualityTests } from './quality-store.behaviour.ts';
import { domainRecord, newSnapshot, portRecord, productRecord } from './test-support/catalog-fixtures.ts';

/** One fresh, empty database; every `open()` is another store instance (another connection) on it. */
export interface CatalogStoreTarget {
  open(options?: { clock?: Clock }): Promise<CatalogStore>;
}

/** A backend under test: makes a fresh database per test. */
export interface CatalogStoreBackend {
  createTarget(): Promise<CatalogStoreTarget>;
}

/**
 * Registers the behaviour every CatalogStore backend must have, so that the embedded and the
 * PostgreSQL stores are held to exactly the same tests.
 */
export function describeCatalogStoreBehaviour(backend: CatalogStoreBackend): void {
  const opened: CatalogStore[] = [];
  const openStores = async (count: number, options: { clock?: Clock } = {}): Promise<CatalogStore[]> => {
    const target = await backend.createTarget();
    const stores: CatalogStore[] = [];
    for (let index = 0; index < count; index += 1) stores.push(await target.open(options));
    opened.push(...stores);
    return stores;
  };
  const openStore = async (options: { clock?: Clock } = {}): Promise<CatalogStore> =>
    (await openStores(1, options))[0] as CatalogStore;
  after(async () => {
    for (const store of opened) await store.close();
  });

  registerCatalogTests({ openStore, openStores });
  registerSnapshotTests({ openStore, openStores });
  registerRunTests({ openStore, openStores });
  registerQualityTests(() => openStore());
}

interface Openers {
  openStore(options?: { clock?: Clock }): Promise<CatalogStore>;
  openStores(count: number): Promise<CatalogStore[]>;
}

function registerCatalogTests({ openStore, openStores }: Openers): void {
  test('a first apply creates every record and loadCatalog returns them losslessly', async () => {
    const store = await openStore();
    const state = richCatalog();
    const result = await store.applyCatalog(state, { appliedBy: 'ada' });
    assert.deepEqual(
      { ...result, applyId: typeof result.applyId },
      { applyId: 'string', created: 6, updated: 0, removed: 0, unchanged: 0 },
    );
    assert.deepEqual(await store.loadCatalog(), state);
  });

  test('an apply counts created, updated, removed and unchanged records', async () => {
    const store = await openStore();
    await store.applyCatalog(richCatalog(), { appliedBy: 'ada' });
    const sales = domainRecord('sales', { tier: 'gold' });
    const orders = productRecord('sales', 'orders', { version: '1.1.0' });
    const refunds = productRecord('sales', 'refunds');
    const next: CatalogState = {
      domains: [sales, domainRecord('crème', { 'clé 🔑': ['é', 'ß'] })],
      products: [orders, refunds],
      ports: [portRecord(orders, 'daily'), portRecord(refunds, 'all')],
    };
    const result = await store.applyCatalog(next, { appliedBy: 'grace' });
    assert.deepEqual(
      {
        created: result.created,
        updated: result.updated,
        removed: result.removed,
        unchanged: result.unchanged,
      },
      { created: 2, updated: 3, removed: 2, unchanged: 1 },
    );
    assert.deepEqual(await store.loadCatalog(), sortCatalog(next));
  });

  test('applying the same catalog twice changes nothing the second time', async () => {
    const store = await openStore();
    const first = await store.applyCatalog(richCatalog(), { appliedBy: 'ada' });
    const second = await store.applyCatalog(richCatalog(), { appliedBy: 'ada' });
    assert.notEqual(second.applyId, first.applyId);
    assert.deepEqual(
      {
        created: second.created,
        updated: second.updated,
        removed: second.removed,
        unchanged: second.unchanged,
      },
      { created: 0, updated: 0, removed: 0, unchanged: 6 },
    );
    assert.deepEqual(await store.loadCatalog(), richCatalog());
  });

  test('an apply that fails halfway leaves the catalog as it was', async () => {
    const store = await openStore();
    await store.applyCatalog(richCatalog(), { appliedBy: 'ada' });
    const orders = productRecord('sales', 'orders', { version: '9.0.0' });
    const broken: CatalogState = {
      domains: [domainRecord('sales', { changed: true }), domainRecord('new')],
      products: [orders, orders],
      ports: [],
    };
    await assert.rejects(
      store.applyCatalog(broken, { appliedBy: 'ada' }),
      hasCode('QUANTA_DUPLICATE_ADDRESS'),
    );
    assert.deepEqual(await store.loadCatalog(), richCatalog());
  });

  test('an empty apply removes everything', async () => {
    const store = await openStore();
    await store.applyCatalog(richCatalog(), { appliedBy: 'ada' });
    const result = await store.applyCatalog({ domains: [], products: [], ports: [] }, { appliedBy: 'ada' });
    assert.equal(result.removed, 6);
    assert.deepEqual(await store.loadCatalog(), { domains: [], products: [], ports: [] });
  });

  test('getDomain, getProduct and getPort find records by name or address', async () => {
    const store = await openStore();
    const state = richCatalog();
    await store.applyCatalog(state, { appliedBy: 'ada' });
    assert.deepEqual(await store.getDomain('crème'), state.domains[0]);
    assert.deepEqual(await store.getProduct('sales.orders'), state.products[1]);
    assert.deepEqual(await store.getPort('sales.orders.daily'), state.ports[1]);
    assert.equal(await store.getDomain('nope'), undefined);
    assert.equal(await store.getProduct('sales.nope'), undefined);
    assert.equal(await store.getPort('sales.orders.nope'), undefined);
  });

  test('another store instance finds what a closed one wrote', async () => {
    const [writer, reader] = (await openStores(2)) as [CatalogStore, CatalogStore];
    await writer.applyCatalog(richCatalog(), { appliedBy: 'ada' });
    await writer.close();
    assert.deepEqual(await reader.loadCatalog(), richCatalog());
  });
}

function registerSnapshotTests({ openStore, openStores }: Openers): void {
  test('publishing numbers the versions of each port 1, 2, 3 and the last one is current', async () => {
    const clock = tickingClock();
    const store = await openStore({ clock });
    const first = await store.publishSnapshot(newSnapshot('sales.orders.daily', 'run-a'));
    assert.deepEqual(first, {
      ...newSnapshot('sales.orders.daily', 'run-a'),
      version: 1,
      createdAt: clock.at(0),
    });
    await store.publishSnapshot(newSnapshot('sales.orders.daily', 'run-b'));
    await store.publishSnapshot(newSnapshot('crème.brûlée.all'));
    const third = await store.publishSnapshot({
      ...newSnapshot('sales.orders.daily', 'run-c'),
      rowCount: 2 ** 40,
    });
    assert.equal(third.version, 3);
    assert.equal(third.rowCount, 2 ** 40);
    assert.deepEqual(await store.getCurrentSnapshot('sales.orders.daily'), third);
    assert.deepEqual(
      (await store.listSnapshots('sales.orders.daily')).map((snapshot) => [snapshot.version, snapshot.runId]),
      [
        [3, 'run-c'],
        [2, 'run-b'],
        [1, 'run-a'],
      ],
    );
    assert.equal((await store.getSnapshot('sales.orders.daily', 2))?.runId, 'run-b');
    assert.equal(await store.getSnapshot('sales.orders.daily', 4), undefined);
    assert.equal(await store.getCurrentSnapshot('sales.nope.daily'), undefined);
    assert.deepEqual(await store.listSnapshots('sales.nope.daily'), []);
  });

  test('retention expires old snapshots with their reports, never the current one', async () => {
    const clock = tickingClock();
    const store = await openStore({ clock });
    for (const run of ['run-1', 'run-2', 'run-3'])
      await store.publishSnapshot(newSnapshot('sales.orders.daily', run));
    await store.publishSnapshot(newSnapshot('sales.orders.other'));
    const expired = await store.expireSnapshots('sales.orders.daily', { before: clock.at(1) });
    assert.deepEqual(
      expired.map((snapshot) => snapshot.version),
      [1],
    );
    const everything = await store.expireSnapshots('sales.orders.daily', { before: clock.at(100) });
    assert.deepEqual(
      everything.map((snapshot) => snapshot.version),
      [2],
    );
    assert.deepEqual(
      (await store.listSnapshots('sales.orders.daily')).map((snapshot) => snapshot.version),
      [3],
    );
    assert.equal((await store.getCurrentSnapshot('sales.orders.daily'))?.version, 3);
    assert.equal((await store.listSnapshots('sales.orders.other')).length, 1);
  });

  test('a snapshot keeps what it appended to and the transform that computed it (migration 12)', async () => {
    const store = await openStore();
    const port = 'sales.orders.large';
    const first = await store.publishSnapshot({ ...newSnapshot(port, 'run-1'), transformHash: 'sql-1' });
    const appended = await store.publishSnapshot({
      ...newSnapshot(port, 'run-2'),
      rowCount: 5,
      appendedTo: { version: first.version, rows: first.rowCount },
      transformHash: 'sql-1',
    });
    const plain = await store.publishSnapshot(newSnapshot(port, 'run-3'));
    assert.deepEqual(appended.appendedTo, { version: 1, rows: 3 });
    assert.equal(appended.transformHash, 'sql-1');
    assert.deepEqual(await store.getSnapshot(port, 2), appended);
    assert.deepEqual(await store.runQueue.findRunSnapshot('run-2', port), appended);
    assert.equal((await store.getSnapshot(port, 1))?.transformHash, 'sql-1');
    assert.equal((await store.getSnapshot(port, 1))?.appendedTo, undefined);
    assert.ok(!('appendedTo' in plain) && !('transformHash' in plain), JSON.stringify(plain));
    assert.deepEqual(await store.getCurrentSnapshot(port), plain);
    assert.deepEqual(
      (await store.listSnapshots(port)).map((snapshot) => snapshot.appendedTo ?? null),
      [null, { version: 1, rows: 3 }, null],
    );
  });

  test('listCurrentSnapshots gives the latest snapshot of every port', async () => {
    const store = await openStore();
    await store.publishSnapshot(newSnapshot('b.port.out'));
    await store.publishSnapshot(newSnapshot('a.port.out'));
    await store.publishSnapshot({
      ...newSnapshot('b.port.out', 'run-2'),
      inputVersions: [{ port: 'a.port.out', version: 1 }],
    });
    const current = await store.listCurrentSnapshots();
    assert.deepEqual(
      current.map((snapshot) => [snapshot.port, snapshot.version]),
      [
        ['a.port.out', 1],
        ['b.port.out', 2],
      ],
    );
    assert.deepEqual(current[1]?.inputVersions, [{ port: 'a.port.out', version: 1 }]);
  });

  test('concurrent publishers on separate store instances never share a version', async () => {
    const stores = await openStores(3);
    const perStore = 8;
    const published = await Promise.all(
      stores.flatMap((store, storeIndex) =>
        Array.from({ length: perStore }, (_, index) =>
          store.publishSnapshot(newSnapshot('sales.orders.daily', `run-${storeIndex}-${index}`)),
        ),
      ),
    );
    const versions = published.map((snapshot) => snapshot.version).sort((a, b) => a - b);
    const expected = Array.from({ length: stores.length * perStore }, (_, index) => index + 1);
    assert.deepEqual(versions, expected);
    const history = await (stores[0] as CatalogStore).listSnapshots('sales.orders.daily');
    assert.deepEqual(
      history.map((snapshot) => snapshot.version),
      [...expected].reverse(),
    );
  });
}

function registerRunTests({ openStore, openStores }: Openers): void {
  test('a run starts running and ends once, keeping its error or result', async () => {
    const clock = tickingClock();
    const store = await openStore({ clock });
    const started = await store.startRun({ id: 'run-1', product: 'sales.orders', trigger: 'manual' });
    assert.deepEqual(started, {
      id: 'run-1',
      product: 'sales.orders',
      state: 'running',
      trigger: 'manual',
      startedAt: clock.at(0),
    });
    const error = new QuantaError('QUANTA_WORKFLOW_FAILED', 'step “load” failed').toJSON();
    const ended = await store.endRun('run-1', { state: 'failed', error, result: null });
    assert.deepEqual(ended, { ...started, state: 'failed', endedAt: clock.at(1), error, result: null });
    assert.deepEqual(await store.getRun('run-1'), ended);
    await store.startRun({ id: 'run-2', product: 'sales.orders', trigger: 'schedule' });
    const succeeded = await store.endRun('run-2', { state: 'succeeded', result: { rows: 3, tags: ['ü'] } });
    assert.deepEqual(succeeded.result, { rows: 3, tags: ['ü'] });
    assert.equal('error' in succeeded, false);
    assert.equal(await store.getRun('run-3'), undefined);
  });

  test('ending an unknown run is NOT_FOUND; ending a run twice or reusing its id is a CONFLICT', async () => {
    const store = await openStore();
    await assert.rejects(store.endRun('ghost', { state: 'cancelled' }), hasCode('QUANTA_NOT_FOUND'));
    await store.startRun({ id: 'run-1', product: 'sales.orders', trigger: 'manual' });
    await store.endRun('run-1', { state: 'cancelled' });
    await assert.rejects(store.endRun('run-1', { state: 'succeeded' }), hasCode('QUANTA_CONFLICT'));
    assert.equal((await store.getRun('run-1'))?.state, 'cancelled');
    await assert.rejects(
      store.startRun({ id: 'run-1', product: 'sales.orders', trigger: 'manual' }),
      hasCode('QUANTA_CONFLICT'),
    );
  });

  test('listRuns gives the newest runs first, filtered by product and limited', async () => {
    const store = await openStore({ clock: frozenClock() });
    for (const [id, product] of [
      ['r1', 'sales.orders'],
      ['r2', 'sales.refunds'],
      ['r3', 'sales.orders'],
      ['r4', 'sales.orders'],
    ] as const) {
      await store.startRun({ id, product, trigger: 'manual' });
    }
    const ids = (runs: readonly { id: string }[]) => runs.map((run) => run.id);
    assert.deepEqual(ids(await store.listRuns()), ['r4', 'r3', 'r2', 'r1']);
    assert.deepEqual(ids(await store.listRuns({ product: 'sales.orders' })), ['r4', 'r3', 'r1']);
    assert.deepEqual(ids(await store.listRuns({ product: 'sales.orders', limit: 2 })), ['r4', 'r3']);
    assert.deepEqual(ids(await store.listRuns({ limit: 1 })), ['r4']);
    assert.deepEqual(ids(await store.listRuns({ limit: 0 })), []);
    assert.deepEqual(await store.listRuns({ product: 'sales.nope' }), []);
    await assert.rejects(store.listRuns({ limit: -1 }), hasCode('QUANTA_USAGE'));
    await assert.rejects(store.listRuns({ limit: 1.5 }), hasCode('QUANTA_USAGE'));
  });

  test('the step journal numbers events 1, 2, 3 per run, in order', async () => {
    const clock = tickingClock();
    const store = await openStore({ clock });
    await store.startRun({ id: 'run-1', product: 'sales.orders', trigger: 'manual' });
    await store.startRun({ id: 'run-2', product: 'sales.orders', trigger: 'manual' });
    const first = await store.appendStepEvent({ runId: 'run-1', step: 'load', kind: 'started' });
    assert.deepEqual(first, { runId: 'run-1', seq: 1, step: 'load', kind: 'started', at: clock.at(2) });
    await store.appendStepEvent({ runId: 'run-2', step: 'load', kind: 'started', data: null });
    await store.appendStepEvent({ runId: 'run-1', step: 'load', kind: 'succeeded', data: { rows: 3 } });
    await store.appendStepEvent({ runId: 'run-1', step: 'publish', kind: 'failed', data: 'disk “full”' });
    const journal = await store.listStepEvents('run-1');
    assert.deepEqual(
      journal.map((event) => [event.seq, event.step, event.kind, event.data]),
      [
        [1, 'load', 'started', undefined],
        [2, 'load', 'succeeded', { rows: 3 }],
        [3, 'publish', 'failed', 'disk “full”'],
      ],
    );
    assert.deepEqual(await store.listStepEvents('run-2'), [
      { runId: 'run-2', seq: 1, step: 'load', kind: 'started', at: clock.at(3), data: null },
    ]);
    assert.deepEqual(await store.listStepEvents('ghost'), []);
    await assert.rejects(
      store.appendStepEvent({ runId: 'ghost', step: 'load', kind: 'started' }),
      hasCode('QUANTA_NOT_FOUND'),
    );
  });

  test('concurrent journal writers on separate store instances get consecutive numbers', async () => {
    const stores = await openStores(3);
    await (stores[0] as CatalogStore).startRun({ id: 'run-1', product: 'sales.orders', trigger: 'manual' });
    await Promise.all(
      stores.flatMap((store, storeIndex) =>
        Array.from({ length: 6 }, (_, index) =>
          store.appendStepEvent({ runId: 'run-1', step: `step-${storeIndex}-${index}`, kind: 'started' }),
        ),
      ),
    );
    const journal = await (stores[1] as CatalogStore).listStepEvents('run-1');
    assert.deepEqual(
      journal.map((event) => event.seq),
      Array.from({ length: 18 }, (_, index) => index + 1),
    );
    assert.equal(new Set(journal.map((event) => event.step)).size, 18);
  });
}

/** Domains, products and ports with awkward content: unicode, nested JSON, nulls, optional fields. */
function richCatalog(): CatalogState {
  const orders = productRecord('sales', 'orders', {
    spec: {
      kind: 'product',
      nested: { list: [1, 2.5, -3e-7, true, false, null, 'ü', { deep: [] }], empty: {} },
      text: 'naïve “quotes” \\ back\\slash \n newline \t tab 日本語 🚀',
      big: Number.MAX_SAFE_INTEGER,
    },
  });
  const brulee = productRecord('crème', 'brûlée', { inputs: ['sales.orders.daily'] });
  const { description: _omitted, ...salesWithoutDescription } = domainRecord('sales');
  return sortCatalog({
    domains: [domainRecord('crème', { 'clé 🔑': ['é', 'ß'] }), salesWithoutDescription],
    products: [orders, brulee],
    ports: [
      portRecord(orders, 'daily', { contract: { kind: 'DataContract', servers: [{ type: 'duckdb' }] } }),
      portRecord(brulee, 'all'),
    ],
  });
}

/** Records in key order (code points), the order loadCatalog returns. */
function sortCatalog(state: CatalogState): CatalogState {
  return {
    domains: [...state.domains].sort(byKey((domain: DomainRecord) => domain.name)),
    products: [...state.products].sort(byKey((product: ProductRecord) => product.address)),
    ports: [...state.ports].sort(byKey((port: PortRecord) => port.address)),
  };
}

function byKey<R>(key: (record: R) => string): (a: R, b: R) => number {
  return (a, b) => (key(a) < key(b) ? -1 : 1);
}

/** A clock that moves one second per reading, from a fixed start; `at(n)` is the n-th reading. */
function tickingClock(): Clock & { at(reading: number): string } {
  const start = Date.parse('2030-01-02T03:04:05.678Z');
  let readings = 0;
  return {
    now: () => new Date(start + 1000 * readings++),
    at: (reading) => new Date(start + 1000 * reading).toISOString(),
  };
}

function frozenClock(): Clock {
  return { now: () => new Date('2030-01-02T03:04:05.000Z') };
}

function hasCode(code: QuantaErrorCode): (error: unknown) => boolean {
  return (error) => {
    assert.ok(error instanceof QuantaError, `expected a QuantaError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    return true;
  };
}
