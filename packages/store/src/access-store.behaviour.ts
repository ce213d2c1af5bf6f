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

/** The behaviour every backend of tokens, sessions, access requests and grants must have. */
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
    await store.grants.revokeGrant(decided.grant?.id ?? '', {
      revokedBy: 'sam@acme.example',
      reason: 'done',
    });
    assert.equal(await active('2025-01-02T00:00:00Z'), 0);
  });

  test('grants: revoked once with who and why, listed by domain, found by id', async () => {
    const { store, clock } = await open();
    const approve = async (port: string) => {
      const request = await store.requests.createAccessRequest({
        principal: 'mia@acme.example',
        port,
        purpose: 'study',
        durationDays: 30,
      });
      const decided = await store.requests.decideAccessRequest({
        kind: 'approve',
        requestId: request.id,
        decidedBy: 'sam@acme.example',
        expiresAt: new Date(clock.now().getTime() + 30 * DAY).toISOString(),
      });
      return decided.grant?.id ?? '';
    };
    const orders = await approve(ORDERS);
    const profiles = await approve('quanta://customers/customer-profile/profiles');
    const domainOf = async (domain: string) =>
      (await store.grants.listGrants({ domain })).map((grant) => grant.id);
    assert.deepEqual(await domainOf('sales'), [orders]);
    assert.deepEqual(await domainOf('customers'), [profiles]);
    assert.deepEqual(await domainOf('sale_'), []);
    clock.advanceDays(2);
    const revoked = await store.grants.revokeGrant(orders, {
      revokedBy: 'sam@acme.example',
      reason: 'left the study',
    });
    assert.deepEqual(
      [revoked?.revokedAt, revoked?.revokedBy, revoked?.revokeReason],
      ['2025-01-03T00:00:00.000Z', 'sam@acme.example', 'left the study'],
    );
    clock.advanceDays(1);
    const again = await store.grants.revokeGrant(orders, { revokedBy: 'gus@acme.example', reason: 'again' });
    assert.deepEqual(again, revoked);
    assert.deepEqual(await store.grants.getGrant(orders), revoked);
    assert.equal(await store.grants.getGrant('g-none'), undefined);
    assert.equal(await store.grants.revokeGrant('g-none', { revokedBy: 'x', reason: 'y' }), undefined);
    const active = await store.grants.listGrants({ activeAt: clock.now().toISOString() });
    assert.deepEqual(
      active.map((grant) => [grant.id, grant.revokedAt]),
      [[profiles, undefined]],
    );
  });

  test('sessions: found by id hash, ended by logout, by revoking their token, purged once expired', async () => {
    const { store, clock } = await open();
    for (const id of ['tok1', 'tok2']) {
      await store.tokens.createToken({
        id,
        principal: 'sam@acme.example',
        name: 'laptop',
        salt: 'ab',
        hash: 'cd',
        createdBy: 'local-admin',
      });
    }
    const session = (idHash: string, tokenId: string, expiresAt = '2025-01-01T12:00:00Z') =>
      store.sessions.createSession({ idHash, tokenId, principal: 'sam@acme.example', expiresAt });
    const created = await session('h1', 'tok1');
    assert.deepEqual(created, {
      idHash: 'h1',
      tokenId: 'tok1',
      principal: 'sam@acme.example',
      createdAt: '2025-01-01T00:00:00.000Z',
      expiresAt: '2025-01-01T12:00:00.000Z',
    });
    await session('h2', 'tok1');
    await session('h3', 'tok2');
    assert.deepEqual(await store.sessions.findSession('h1'), created);
    assert.equal(await store.sessions.findSession('nope'), undefined);
    assert.equal(await store.sessions.deleteSession('h1'), true);
    assert.equal(await store.sessions.deleteSession('h1'), false);
    assert.equal(await store.sessions.findSession('h1'), undefined);
    await store.tokens.revokeToken('tok1');
    assert.equal(await store.sessions.findSession('h2'), undefined);
    assert.ok(await store.sessions.findSession('h3'));
    assert.equal(await store.sessions.deleteTokenSessions('tok2'), 1);
    await session('h4', 'tok2', '2025-01-01T06:00:00Z');
    clock.advanceDays(1);
    await session('h5', 'tok2', '2025-01-02T12:00:00Z');
    assert.equal(await store.sessions.findSession('h4'), undefined, 'expired sessions are purged');
    assert.ok(await store.sessions.findSession('h5'));
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
