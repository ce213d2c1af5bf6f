import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import type { CatalogStore } from './catalog-store.ts';

/** A backend under test: opens a fresh catalog store (a fresh database). */
export interface SchedulerLeaseBackend {
  open(): Promise<CatalogStore>;
}

const T0 = Date.UTC(2026, 0, 5, 9);
const at = (seconds: number): string => new Date(T0 + seconds * 1000).toISOString();
const claim = (holder: string, seconds: number, ttl = 30) => ({
  holder,
  now: at(seconds),
  until: at(seconds + ttl),
});

/** The scheduler lease every backend must honour: one holder at a time, taken over on expiry. */
export function describeSchedulerLeaseBehaviour(backend: SchedulerLeaseBackend): void {
  const opened: CatalogStore[] = [];
  const open = async (): Promise<CatalogStore> => {
    const store = await backend.open();
    opened.push(store);
    return store;
  };
  after(() => Promise.all(opened.map((store) => store.close())));

  test('the first scheduler takes the lease; another one stands by until it expires', async () => {
    const { triggers } = await open();
    assert.equal((await triggers.acquireSchedulerLease(claim('a', 0))).holder, 'a');
    assert.equal((await triggers.acquireSchedulerLease(claim('b', 10))).holder, 'a', 'a still holds it');
    const renewed = await triggers.acquireSchedulerLease(claim('a', 20));
    assert.equal(renewed.holder, 'a');
    assert.equal(Date.parse(renewed.expiresAt), Date.parse(at(50)), 'renewing extends the lease');
    assert.equal((await triggers.acquireSchedulerLease(claim('b', 45))).holder, 'a', 'renewed, not expired');
    assert.equal((await triggers.acquireSchedulerLease(claim('b', 51))).holder, 'b', 'taken over on expiry');
    assert.equal((await triggers.acquireSchedulerLease(claim('a', 52))).holder, 'b');
  });

  test('a released lease is taken over at once, and only its holder can release it', async () => {
    const { triggers } = await open();
    await triggers.acquireSchedulerLease(claim('a', 0));
    await triggers.releaseSchedulerLease('b');
    assert.equal((await triggers.acquireSchedulerLease(claim('b', 1))).holder, 'a', 'b cannot release it');
    await triggers.releaseSchedulerLease('a');
    assert.equal((await triggers.acquireSchedulerLease(claim('b', 2))).holder, 'b');
  });

  test('schedulers racing for a free lease: exactly one wins', async () => {
    const { triggers } = await open();
    const holders = Array.from({ length: 12 }, (_, index) => `scheduler-${index}`);
    const leases = await Promise.all(
      holders.map((holder) => triggers.acquireSchedulerLease(claim(holder, 0))),
    );
    const winners = new Set(leases.map((lease) => lease.holder));
    assert.equal(winners.size, 1, `every racer sees the same holder: ${[...winners].join(', ')}`);
    assert.ok(holders.includes([...winners][0] ?? ''));
  });
}
