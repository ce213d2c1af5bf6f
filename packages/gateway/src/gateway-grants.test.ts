import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { toQuantaError } from '@quanta/model';
import { createTestMesh, type TestMesh } from './test-mesh.ts';

let mesh: TestMesh;
before(async () => {
  mesh = await createTestMesh();
});
after(async () => {
  await mesh.dispose();
});

const CUSTOMERS = 'quanta://customers/crm/customers';

async function deniedCode(sql: string, principal: string): Promise<string | undefined> {
  try {
    await mesh.gateway.query(sql, { principal });
    return undefined;
  } catch (error) {
    return toQuantaError(error).code;
  }
}

describe('grants from approved access requests', () => {
  test('a grant opens exactly its port, and the guardrails still mask and hide', async () => {
    const sql = 'SELECT customer_id, email FROM customers.crm.customers ORDER BY customer_id';
    assert.equal(await deniedCode(sql, 'ivy'), 'QUANTA_POLICY_DENIED');
    mesh.grants.set('ivy', [CUSTOMERS]);
    try {
      const result = await mesh.gateway.query(sql, { principal: 'ivy' });
      assert.equal(result.rows.length, 4);
      assert.ok(
        result.rows.every((row) => /^[0-9a-f]{64}$/.test(String(row[1]))),
        'emails hashed',
      );
      assert.equal(
        await deniedCode('SELECT secret_score FROM customers.crm.customers', 'ivy'),
        'QUANTA_POLICY_DENIED',
      );
      assert.equal(await deniedCode('SELECT * FROM sales.orders.orders', 'ivy'), 'QUANTA_POLICY_DENIED');
    } finally {
      mesh.grants.delete('ivy');
    }
  });

  test('a grant naming a product, a column or another spelling opens nothing', async () => {
    for (const grant of [
      'quanta://customers/crm',
      `${CUSTOMERS}#email`,
      `${CUSTOMERS}@1`,
      'quanta://customers',
    ]) {
      mesh.grants.set('ivy', [grant]);
      assert.equal(
        await deniedCode('SELECT customer_id FROM customers.crm.customers', 'ivy'),
        'QUANTA_POLICY_DENIED',
        grant,
      );
    }
    mesh.grants.delete('ivy');
  });

  test('a principal on leave gets nothing from a grant', async () => {
    mesh.grants.set('lea', [CUSTOMERS]);
    assert.equal(
      await deniedCode('SELECT customer_id FROM customers.crm.customers', 'lea'),
      'QUANTA_POLICY_DENIED',
    );
    mesh.grants.delete('lea');
  });
});

describe('the usage table of quanta_catalog', () => {
  test('counts queries, consumers and consumers from other domains, for administrators only', async () => {
    await mesh.gateway.query('SELECT count(*) FROM sales.orders.orders', { principal: 'sam' });
    await mesh.gateway.query('SELECT count(*) FROM sales.orders.orders', { principal: 'sam' });
    await mesh.gateway.query('SELECT count(*) FROM customers.crm.customers', { principal: 'sam' });
    await mesh.gateway.query('SELECT count(*) FROM customers.crm.customers', { principal: 'ada' });
    const sql =
      'SELECT domain, queries, consumers, cross_domain_consumers FROM quanta_catalog.usage ORDER BY domain';
    const asAdmin = await mesh.gateway.query(sql, { principal: 'gus' });
    const byDomain = Object.fromEntries(asAdmin.rows.map((row) => [row[0], row.slice(1).map(Number)]));
    assert.ok((byDomain.sales?.[0] ?? 0) >= 2);
    assert.deepEqual(byDomain.sales?.slice(1), [1, 0]);
    const [, consumers = 0, crossDomain = 0] = byDomain.customers ?? [];
    assert.ok(consumers >= 2, 'sam and ada at least');
    assert.equal(crossDomain, consumers - 1, 'everyone but ada comes from another domain');
    assert.deepEqual(byDomain.marketing, [0, 0, 0]);
    const asAnalyst = await mesh.gateway.query(sql, { principal: 'sam' });
    assert.deepEqual(asAnalyst.rows, []);
  });
});
