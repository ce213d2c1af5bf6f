import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import type { Incident } from '@quanta/model';
import type { IncidentStore } from './incident-store.ts';

/** A backend under test: opens a fresh incident store (a fresh database). */
export interface IncidentStoreBackend {
  open(): Promise<IncidentStore>;
}

function incident(overrides: Partial<Incident> = {}): Incident {
  return {
    id: 'inc-1',
    rootPort: 'quanta://customers/crm/customers',
    state: 'open',
    severity: 'warning',
    title: 'volume drop on quanta://customers/crm/customers',
    ports: ['quanta://customers/crm/customers', 'quanta://sales/orders/orders'],
    findings: [
      {
        kind: 'volume',
        severity: 'warning',
        port: 'quanta://customers/crm/customers',
        version: 4,
        message: '10 rows against a median of 1000 on the same weekday',
        measured: 10,
        baseline: 1000,
      },
    ],
    openedAt: '2025-01-06T10:00:00.000Z',
    updatedAt: '2025-01-06T10:00:00.000Z',
    ...overrides,
  };
}

/** The behaviour every IncidentStore backend must have (embedded and PostgreSQL). */
export function describeIncidentStoreBehaviour(backend: IncidentStoreBackend): void {
  const opened: IncidentStore[] = [];
  const open = async (): Promise<IncidentStore> => {
    const store = await backend.open();
    opened.push(store);
    return store;
  };
  after(async () => {
    for (const store of opened) await store.close();
  });

  test('saves incidents losslessly and replaces one by id', async () => {
    const store = await open();
    await store.saveIncident(incident());
    assert.deepEqual(await store.getIncident('inc-1'), incident());
    const resolved = incident({
      state: 'resolved',
      updatedAt: '2025-01-07T09:00:00.000Z',
      resolvedAt: '2025-01-07T09:00:00.000Z',
      note: "ada: the supplier's file was re-sent",
    });
    await store.saveIncident(resolved);
    assert.deepEqual(await store.getIncident('inc-1'), resolved);
    assert.equal(await store.getIncident('nope'), undefined);
  });

  test('lists by state and by any port reached, most recently updated first', async () => {
    const store = await open();
    await store.saveIncident(incident());
    await store.saveIncident(
      incident({
        id: 'inc-2',
        rootPort: 'quanta://sales/orders/orders',
        ports: ['quanta://sales/orders/orders'],
        state: 'acknowledged',
        updatedAt: '2025-01-08T00:00:00.000Z',
      }),
    );
    assert.deepEqual(
      (await store.listIncidents()).map((item) => item.id),
      ['inc-2', 'inc-1'],
    );
    assert.deepEqual(
      (await store.listIncidents({ state: 'open' })).map((item) => item.id),
      ['inc-1'],
    );
    assert.deepEqual(
      (await store.listIncidents({ port: 'quanta://sales/orders/orders' })).map((item) => item.id),
      ['inc-2', 'inc-1'],
    );
    assert.deepEqual(await store.listIncidents({ port: 'quanta://sales/orders' }), []);
    assert.equal((await store.listIncidents({ limit: 1 })).length, 1);
  });
}
