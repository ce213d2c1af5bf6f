import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import type { Clock } from '@quanta/model';
import type { AuditStore, NewAuditEvent } from './audit-store.ts';

/** A backend under test: opens a fresh audit store (a fresh database) with the given clock. */
export interface AuditStoreBackend {
  open(options: { clock: Clock }): Promise<AuditStore>;
}

/** A clock that moves one minute per reading, from 2025-01-01. */
function steppingClock(): Clock {
  let minutes = 0;
  return { now: () => new Date(Date.UTC(2025, 0, 1, 0, minutes++)) };
}

function event(overrides: Partial<NewAuditEvent> = {}): NewAuditEvent {
  return {
    principal: 'sam@acme.example',
    actor: 'sam@acme.example',
    action: 'query',
    statement: 'select * from sales.orders.orders',
    decision: 'allow',
    policies: ['sales-members-read'],
    ports: ['quanta://sales/orders/orders@1'],
    columns: ['quanta://sales/orders/orders#amount:raw'],
    rowsReturned: 3,
    durationMs: 1.5,
    ...overrides,
  };
}

/** The behaviour every AuditStore backend must have (embedded and PostgreSQL). */
export function describeAuditStoreBehaviour(backend: AuditStoreBackend): void {
  const opened: AuditStore[] = [];
  const open = async (): Promise<AuditStore> => {
    const store = await backend.open({ clock: steppingClock() });
    opened.push(store);
    return store;
  };
  after(async () => {
    for (const store of opened) await store.close();
  });

  test('appends events and lists them back losslessly, most recent first', async () => {
    const store = await open();
    const first = await store.appendAuditEvent(event());
    const second = await store.appendAuditEvent(
      event({
        decision: 'deny',
        reason: "it's forbidden",
        policies: [],
        ports: [],
        columns: [],
        rowsReturned: undefined,
      }),
    );
    const { rowsReturned: _omitted, ...denied } = second;
    assert.deepEqual(await store.listAuditEvents(), [denied, first]);
    assert.equal(first.at, '2025-01-01T00:00:00.000Z');
  });

  test('filters by principal, decision, time and address prefix', async () => {
    const store = await open();
    await store.appendAuditEvent(event());
    await store.appendAuditEvent(event({ principal: 'mia@acme.example', decision: 'deny', ports: [] }));
    await store.appendAuditEvent(
      event({ ports: ['quanta://customers/customer_profile/profiles@2'], columns: [] }),
    );
    const statements = (events: readonly { principal: string; ports: readonly string[] }[]) =>
      events.map((recorded) => `${recorded.principal} ${recorded.ports.join(',')}`);
    assert.deepEqual(statements(await store.listAuditEvents({ principal: 'mia@acme.example' })), [
      'mia@acme.example ',
    ]);
    assert.equal((await store.listAuditEvents({ decision: 'allow' })).length, 2);
    assert.deepEqual(statements(await store.listAuditEvents({ address: 'quanta://customers' })), [
      'sam@acme.example quanta://customers/customer_profile/profiles@2',
    ]);
    assert.equal((await store.listAuditEvents({ address: 'quanta://customers/customer%' })).length, 0);
    assert.equal((await store.listAuditEvents({ since: '2025-01-01T00:01:00Z' })).length, 2);
    assert.equal((await store.listAuditEvents({ limit: 1 })).length, 1);
  });

  test('summarizes allowed queries and exports per consumer over an address prefix', async () => {
    const store = await open();
    await store.appendAuditEvent(event());
    await store.appendAuditEvent(event({ principal: 'mia@acme.example', action: 'export' }));
    await store.appendAuditEvent(event());
    await store.appendAuditEvent(event({ principal: 'ivy@acme.example', decision: 'deny' }));
    await store.appendAuditEvent(event({ principal: 'ivy@acme.example', action: 'request-access' }));
    await store.appendAuditEvent(
      event({ principal: 'ivy@acme.example', ports: ['quanta://sales-eu/orders/orders@1'] }),
    );
    assert.deepEqual(await store.summarizeUsage({ address: 'quanta://sales/' }), [
      { principal: 'mia@acme.example', queries: 1, lastQueryAt: '2025-01-01T00:01:00.000Z' },
      { principal: 'sam@acme.example', queries: 2, lastQueryAt: '2025-01-01T00:02:00.000Z' },
    ]);
    assert.deepEqual(
      (await store.summarizeUsage({ address: 'quanta://sales/', since: '2025-01-01T00:02:00Z' })).map(
        (usage) => usage.principal,
      ),
      ['sam@acme.example'],
    );
  });
}
