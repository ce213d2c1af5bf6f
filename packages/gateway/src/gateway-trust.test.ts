import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTestMesh, type TestMesh } from './test-mesh.ts';

let mesh: TestMesh;
before(async () => {
  mesh = await createTestMesh();
});
after(async () => {
  await mesh.dispose();
});

const PROFILES =
  'SELECT port, column_name, top_value, min, max, profile FROM quanta_catalog.profiles ORDER BY 1, 2';

describe('quality and profiles in quanta_catalog', () => {
  test('the owner sees the quality results and full profiles of its port', async () => {
    const quality = await mesh.gateway.query(
      "SELECT count(*) FROM quanta_catalog.quality WHERE port = 'quanta://customers/crm/customers'",
      { principal: 'ada' },
    );
    assert.deepEqual(quality.rows, [[1]]);
    const profiles = await mesh.gateway.query(PROFILES, { principal: 'ada' });
    const email = profiles.rows.find(
      (row) => row[0] === 'quanta://customers/crm/customers' && row[1] === 'email',
    );
    assert.ok(String(email?.[2]).includes('@example.com'), 'the owner sees the top email');
  });

  test('an analyst sees counts only for masked or row-filtered columns, nothing of hidden ones', async () => {
    const profiles = await mesh.gateway.query(PROFILES, { principal: 'sam' });
    const customers = profiles.rows.filter((row) => row[0] === 'quanta://customers/crm/customers');
    assert.ok(customers.length > 0);
    assert.ok(!customers.some((row) => row[1] === 'secret_score'));
    const text = JSON.stringify(customers);
    for (const secret of ['secret@example.com', 'VIP-NOTE', 'DE-Hidden', '99171', '40444'])
      assert.ok(!text.includes(secret), `leaked ${secret}`);
    const orders = profiles.rows.filter((row) => row[0] === 'quanta://sales/orders/orders');
    assert.ok(
      orders.some((row) => row[2] !== null),
      'own-domain raw columns keep their top values',
    );
  });

  test('a principal denied a port sees none of its quality or profile rows', async () => {
    for (const table of ['quality', 'profiles']) {
      const result = await mesh.gateway.query(
        `SELECT count(*) FROM quanta_catalog.${table} WHERE port LIKE 'quanta://customers/%'`,
        { principal: 'ivy' },
      );
      assert.deepEqual(result.rows, [[0]], table);
    }
  });
});
