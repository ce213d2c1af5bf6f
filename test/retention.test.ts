import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { enforceRetention, MeshService } from '@quanta/services';
import { copyExampleMesh, type ExampleMeshCopy } from './support/example-mesh.ts';

const ORDERS = 'quanta://sales/orders/orders';
const YEAR_MS = 365 * 86_400_000;

/** Earlier snapshots stay readable until the contract's retention removes them. */
describe('snapshot retention from the contract', () => {
  let mesh: ExampleMeshCopy;
  let service: MeshService;

  before(async () => {
    mesh = await copyExampleMesh({ orders: 300, customers: 60 });
    service = await MeshService.create({ root: mesh.root });
    await service.apply({ appliedBy: 'test' });
    await service.run('customers/crm-customers');
    await service.run('sales/orders');
    await service.run('sales/orders');
  });

  after(async () => {
    await service?.close();
    await mesh?.remove();
  });

  const inEightYears = { now: () => new Date(Date.now() + 8 * YEAR_MS) };

  test('within retention every version stays readable', async () => {
    assert.deepEqual(await enforceRetention({ store: service.store, engine: service.engine }), []);
    const first = await service.query('select count(*) from sales.orders."orders@1"', {
      principal: 'local-admin',
    });
    assert.equal(Number(first.rows[0]?.[0]), 300);
  });

  test('a dry run lists what is past retention and removes nothing', async () => {
    const listed = await enforceRetention({
      store: service.store,
      engine: service.engine,
      clock: inEightYears,
      isDryRun: true,
      ports: [ORDERS],
    });
    assert.deepEqual(
      listed.map((snapshot) => [snapshot.address, snapshot.retentionDays]),
      [[`${ORDERS}@1`, 2555]],
    );
    assert.equal((await service.store.listSnapshots(ORDERS)).length, 2);
  });

  test('past retention the old version goes, file included, and the current one stays', async () => {
    const [first] = await service.store.listSnapshots(ORDERS).then((history) => history.slice(-1));
    assert.ok(first);
    const file = service.engine.resolveStoragePath(first.storagePath);
    assert.ok(existsSync(file));
    const removed = await enforceRetention({
      store: service.store,
      engine: service.engine,
      clock: inEightYears,
      ports: [ORDERS],
    });
    assert.deepEqual(
      removed.map((snapshot) => snapshot.address),
      [`${ORDERS}@1`],
    );
    assert.equal(existsSync(file), false);
    await assert.rejects(
      service.query('select count(*) from sales.orders."orders@1"', { principal: 'local-admin' }),
      {
        code: 'QUANTA_NOT_FOUND',
      },
    );
    const current = await service.query('select count(*) from sales.orders.orders', {
      principal: 'local-admin',
    });
    assert.equal(Number(current.rows[0]?.[0]), 300);
  });
});
