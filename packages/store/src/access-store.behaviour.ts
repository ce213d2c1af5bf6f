import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { type Clock, QuantaError } from '@quanta/model';
import type { AccessStore } from './access-store.ts';

/** A backend under test: opens a fresh access store (a fresh database) with the given clock. */
export interface AccessStoreBackend {
  open(options: { clock: Clock }): Promise<AccessStore>;
}

/** A clock the test moves by hand, from 2025-01-01. */
function manualClock(): Clock & { advanceDays(days: number): void } {
  let now = Date.UTC(2025, 0, 1);
  return {
    now: () => new Date(now),
    advanceDays: (days) => {
      now += days * 86_400_000;
    },
  };
}

const DAY = 86_400_000;
const ORDERS = 'quanta://sales/orders/orders';

/** The behaviour every backend of tokens, access requests and grants must have. */
export function describeAccessStoreBehaviour(backend: AccessStoreBackend): void {
  const opened: AccessStore[] = [];
  const open = async () => {
    const clock = manualClock();
    const store = await backend.open({ clock });
    opened.push(store);
    return { store, clock };
  };
  after(async () => {
    for (const store of opened) await store.close();
  });

  test('tokens: created, found with their hash, listed without it, revoked once', async () => {
    const { store, clock } = await open();
    const created = await store.tokens.createToken({
      id: 'tok1',
      principal: 'sam@acme.example',
      name: 'laptop',
      salt: 'ab',
      hash: 'cd',
      createdBy: 'local-admin',
      expiresAt: '2025-01-31T00:00:00Z',
    });
    assert.deepEqual(created, {
      id: 'tok1',
      principal: 'sam@acme.example',
      name: 'laptop',
      createdBy: 'local-admin',
      createdAt: '2025-01-01T00:00:00.000Z',
      expiresAt: '2025-01-31T00:00:00.000Z',
    });
    await store.tokens.createToken({
      id: 'tok2',
      principal: 'svc',
      name: 'bi',
      salt: 'ef',
      hash: '01',
      createdBy: 'local-admin',
    });
    assert.deepEqual(await store.tokens.findToken('tok1'), { ...created, salt: 'ab', hash: 'cd' });
    assert.equal(await store.tokens.findToken('nope'), undefined);
    assert.deepEqual(
      (await store.tokens.listTokens({ principal: 'svc' })).map((token) => [token.id, 'hash' in token]),
      [['tok2', false]],
    );
    clock.advanceDays(1);
    const revoked = await store.tokens.revokeToken('tok1');
    assert.equal(revoked?.revokedAt, '2025-01-02T00:00:00.000Z');
    clock.advanceDays(1);
    assert.equal((await store.tokens.revokeToken('tok1'))?.revokedAt, '2025-01-02T00:00:00.000Z');
    assert.equal(await store.tokens.revokeToken('nope'), undefined);
  });

  test('requests: approving records a grant that stops being active at its expiry', async () => {
    const { store, clock } = await open();
    const request = await store.requests.createAccessRequest({
      principal: 'mia@acme.example',
      port: ORDERS,
      purpose: 'churn study',
      durationDays: 30,
    });
    assert.equal(request.state, 'pending');
    assert.deepEqual(await store.requests.getAccessRequest(request.id), request);
    const decided = await store.requests.decideAccessRequest({
      kind: 'approve',
      requestId: request.id,
      decidedBy: 'sam@acme.example',
      note: 'ok for Q1',
      expiresAt: new Date(clock.now().getTime() + 30 * DAY).toISOString(),
    });
    assert.equal(decided.request.state, 'approved');
    assert.equal(decided.request.note, 'ok for Q1');
    assert.equal(decided.grant?.expiresAt, '2025-01-31T00:00:00.000Z');
    const active = (at: string) =>
      store.grants
        .listGrants({ principal: 'mia@acme.example', activeAt: at })
        .then((grants) => grants.length);
    assert.equal(await active('2025-01-30T23:59:59Z'), 1);
    assert.equal(await active('2025-01-31T00:00:00Z'), 0);
    assert.equal((await store.grants.listGrants({ address: 'quanta://sales/' })).length, 1);
    assert.equal((await store.grants.listGrants({ address: 'quanta://sale_/' })).length, 0);
    await store.grants.revokeGrant(decided.grant?.id ?? '');
    assert.equal(await active('2025-01-02T00:00:00Z'), 0);
  });

  test('requests: a decided request cannot be decided again, an unknown one is not found', async () => {
    const { store } = await open();
    const request = await store.requests.createAccessRequest({
      principal: 'mia@acme.example',
      port: ORDERS,
      purpose: 'x',
      durationDays: 1,
    });
    const denied = await store.requests.decideAccessRequest({
      kind: 'deny',
      requestId: request.id,
      decidedBy: 'sam@acme.example',
    });
    assert.equal(denied.grant, undefined);
    assert.equal(denied.request.state, 'denied');
    const again = store.requests.decideAccessRequest({
      kind: 'approve',
      requestId: request.id,
      decidedBy: 'sam@acme.example',
      expiresAt: '2026-01-01T00:00:00Z',
    });
    await assert.rejects(again, (error) => error instanceof QuantaError && error.code === 'QUANTA_CONFLICT');
    await assert.rejects(
      store.requests.decideAccessRequest({ kind: 'deny', requestId: 'ar-none', decidedBy: 'x' }),
      (error) => error instanceof QuantaError && error.code === 'QUANTA_NOT_FOUND',
    );
    assert.equal((await store.grants.listGrants()).length, 0);
    assert.deepEqual(
      (await store.requests.listAccessRequests({ state: 'denied', address: 'quanta://sales/' })).map(
        (listed) => listed.id,
      ),
      [request.id],
    );
    assert.equal((await store.requests.listAccessRequests({ state: 'pending' })).length, 0);
  });
}
