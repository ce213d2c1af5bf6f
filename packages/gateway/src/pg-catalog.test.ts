import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { toQuantaError } from '@quanta/model';
import { createTestMesh, type TestMesh } from './test-mesh.ts';

/** Quanta's own pg_catalog and information_schema: each principal sees exactly what it may read. */
let mesh: TestMesh;
before(async () => {
  mesh = await createTestMesh();
});
after(async () => {
  await mesh.dispose();
});

async function rows(sql: string, principal: string): Promise<readonly unknown[][]> {
  return (await mesh.gateway.query(sql, { principal })).rows;
}

describe('pg_catalog and information_schema follow the policies', () => {
  test('pg_class lists only the ports a principal may read, under <domain>__<product>', async () => {
    const sql = `SELECT n.nspname, c.relname FROM pg_catalog.pg_class c
      JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'r' ORDER BY 1, 2`;
    assert.deepEqual(await rows(sql, 'sam'), [
      ['customers__crm', 'customers'],
      ['sales__orders', 'orders'],
    ]);
    assert.deepEqual(await rows(sql, 'ivy'), []);
  });

  test('pg_attribute and information_schema.columns never list a hidden column; masked ones carry their served type', async () => {
    const attributes = await rows(
      `SELECT a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_catalog.pg_attribute a
       JOIN pg_catalog.pg_class c ON c.oid = a.attrelid WHERE c.relname = 'customers' ORDER BY a.attnum`,
      'sam',
    );
    const names = attributes.map(([name]) => name);
    assert.ok(!names.includes('secret_score'), JSON.stringify(names));
    assert.ok(names.includes('email'));
    assert.deepEqual(
      attributes.find(([name]) => name === 'email'),
      ['email', 'text'],
    );
    const columns = await rows(
      "SELECT column_name FROM information_schema.columns WHERE table_name = 'customers' ORDER BY ordinal_position",
      'sam',
    );
    assert.deepEqual(
      columns.map(([name]) => name),
      names,
    );
    const everything = JSON.stringify(await rows('SELECT * FROM pg_catalog.pg_attribute', 'sam'));
    assert.ok(!everything.includes('secret_score'));
    assert.ok(JSON.stringify(await rows('SELECT * FROM pg_attribute', 'gus')).includes('secret_score'));
  });

  test('information_schema.tables and schemata of an intern hold no customers object', async () => {
    const text = JSON.stringify([
      await rows('SELECT * FROM information_schema.tables', 'ivy'),
      await rows('SELECT * FROM information_schema.schemata', 'ivy'),
      await rows('SELECT * FROM pg_catalog.pg_namespace', 'ivy'),
      await rows('SELECT * FROM pg_catalog.pg_description', 'ivy'),
    ]);
    assert.ok(!text.includes('customers'), text);
  });

  test('catalog functions answer from the emulated catalog', async () => {
    const [row] = await rows(
      `SELECT pg_get_userbyid(c.relowner), pg_table_is_visible(c.oid), obj_description(c.oid, 'pg_class'),
        to_regclass('pg_class'), pg_encoding_to_char(6), has_table_privilege(c.oid, 'SELECT')
       FROM pg_catalog.pg_class c WHERE c.relname = 'orders'`,
      'sam',
    );
    assert.deepEqual(row, ['quanta', true, null, 1259, 'UTF8', true]);
  });
});

describe('the <domain>__<product> schema is an alias of the port', () => {
  test('"sales__orders"."orders" and mesh.sales__orders.orders read sales.orders.orders', async () => {
    const expected = await rows('SELECT count(*) FROM sales.orders.orders', 'sam');
    assert.deepEqual(await rows('SELECT count(*) FROM "sales__orders"."orders"', 'sam'), expected);
    assert.deepEqual(await rows('SELECT count(*) FROM mesh.sales__orders.orders', 'sam'), expected);
  });

  test('the alias carries the same masks, filters and denials', async () => {
    assert.deepEqual(
      await rows('SELECT count(*) FROM customers__crm.customers', 'sam'),
      await rows('SELECT count(*) FROM customers.crm.customers', 'sam'),
    );
    await assert.rejects(
      mesh.gateway.query('SELECT secret_score FROM customers__crm.customers', { principal: 'sam' }),
      {
        code: 'QUANTA_POLICY_DENIED',
      },
    );
    await assert.rejects(mesh.gateway.query('SELECT * FROM customers__crm.customers', { principal: 'ivy' }), {
      code: 'QUANTA_POLICY_DENIED',
    });
  });

  test('an unknown table suggests only ports the principal may read', async () => {
    const error = await mesh.gateway.query('SELECT * FROM nowhere.crm.customers', { principal: 'ivy' }).then(
      () => assert.fail('answered'),
      (caught: unknown) => toQuantaError(caught),
    );
    assert.equal(error.code, 'QUANTA_NOT_FOUND');
    assert.ok(!`${error.message} ${error.details.fix ?? ''}`.includes('customers.crm'), error.details.fix);
  });
});
