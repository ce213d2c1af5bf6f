import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { QuantaError } from '@quanta/model';
import type { TableReference } from './data-engine.ts';
import { SqlParser } from './sql-parser.ts';

let parser: SqlParser;
before(async () => {
  parser = await SqlParser.create({ threads: 1 });
});
after(() => {
  parser.close();
});

/** The gateway's rewrite: every port to `port_<n>.main.data`, the catalog kept. */
function toAttachment(reference: TableReference): TableReference {
  if (reference.schema === 'quanta_catalog') return { schema: 'quanta_catalog', table: reference.table };
  const version = /@(\d+)$/.exec(reference.table)?.[1] ?? 'current';
  return { catalog: `port_${reference.schema}_${version}`, schema: 'main', table: 'data' };
}

test('finds references across joins, subqueries, UNION and nested FROM, leaving CTEs out', async () => {
  const parsed = await parser.parse(`
    WITH recent AS (SELECT * FROM sales.orders.orders WHERE order_date > DATE '2025-01-01')
    SELECT r.order_id, c.name
    FROM recent r
    JOIN customers.customer_profile.profiles c ON c.id = r.customer_id
    WHERE r.customer_id IN (SELECT id FROM customers.customer_profile.profiles WHERE vip)
    UNION ALL
    SELECT o.order_id, NULL FROM (SELECT * FROM (SELECT * FROM sales.orders."orders@2")) o`);
  assert.equal(parsed.isSingleSelect, true);
  assert.deepEqual(parsed.tableReferences, [
    { catalog: 'sales', schema: 'orders', table: 'orders' },
    { catalog: 'customers', schema: 'customer_profile', table: 'profiles' },
    { catalog: 'sales', schema: 'orders', table: 'orders@2' },
  ]);
  assert.deepEqual(parsed.tableFunctions, []);
});

test('a CTE name shadows a table only inside its scope', async () => {
  const parsed = await parser.parse('SELECT * FROM (WITH t AS (SELECT 1 AS x) SELECT * FROM t) s, t');
  assert.deepEqual(parsed.tableReferences, [{ table: 't' }]);
});

test('lists table functions and schema-qualified references', async () => {
  const parsed = await parser.parse(
    "SELECT * FROM read_csv('/etc/passwd'), range(3), quanta_catalog.ports, glob('*')",
  );
  assert.deepEqual(parsed.tableFunctions, ['read_csv', 'range', 'glob']);
  assert.deepEqual(parsed.tableReferences, [{ schema: 'quanta_catalog', table: 'ports' }]);
});

test('anything but one SELECT is not a single select', async () => {
  for (const sql of [
    'SELECT 1; SELECT 2',
    'INSERT INTO t VALUES (1)',
    'DROP TABLE t',
    "COPY t TO 'x.csv'",
    '',
  ]) {
    assert.equal((await parser.parse(sql)).isSingleSelect, false, sql);
  }
});

test('invalid SQL is QUANTA_SQL_INVALID with the position', async () => {
  await assert.rejects(
    parser.parse('SELECT 1\nFROM t WHERE WHERE'),
    (error: unknown) =>
      error instanceof QuantaError &&
      error.code === 'QUANTA_SQL_INVALID' &&
      /syntax error at or near "WHERE" at line 2, column 14/.test(error.message),
  );
});

test('rewrites references, keeping aliases and naming unaliased tables after themselves', async () => {
  const sql = await parser.rewrite(
    'SELECT orders.amount, o2.amount FROM sales.orders.orders JOIN sales.orders."orders@2" AS o2 ON o2.id = orders.id',
    toAttachment,
  );
  assert.equal(
    sql,
    'SELECT orders.amount, o2.amount FROM port_orders_current.main."data" AS orders INNER JOIN port_orders_2.main."data" AS o2 ON ((o2.id = orders.id))',
  );
});

test('rewrites inside CTEs, subqueries and UNION but not CTE references', async () => {
  const sql = await parser.rewrite(
    `WITH big AS (SELECT * FROM sales.orders.orders WHERE amount > 100)
     SELECT count(*) FROM big WHERE id IN (SELECT id FROM sales.orders."orders@3")
     UNION ALL SELECT count(*) FROM quanta_catalog.ports`,
    toAttachment,
  );
  assert.equal(
    sql,
    'WITH big AS (SELECT * FROM port_orders_current.main."data" AS orders WHERE (amount > 100))(SELECT count_star() FROM big WHERE (id = ANY(SELECT id FROM port_orders_3.main."data" AS "orders@3"))) UNION ALL (SELECT count_star() FROM quanta_catalog.ports AS ports)',
  );
});

test('rewriting keeps big integer constants exact', async () => {
  const sql = await parser.rewrite('SELECT 9007199254740993 AS big FROM sales.orders.orders', toAttachment);
  assert.equal(sql, 'SELECT 9007199254740993 AS big FROM port_orders_current.main."data" AS orders');
});

test('rewriting keeps fractions and doubles as DuckDB wrote them', async () => {
  const sql = await parser.rewrite(
    'SELECT 2.50 AS n, 1e3 AS e FROM sales.orders.orders USING SAMPLE 100%',
    toAttachment,
  );
  assert.equal(
    sql,
    'SELECT 2.50 AS n, 1000.0 AS e FROM port_orders_current.main."data" AS orders USING SAMPLE 100.0% (System)',
  );
});

test('a text parsed once is rewritten from a fresh copy of its tree each time', async () => {
  const text = 'SELECT id FROM sales.orders.orders';
  await parser.parse(text);
  const first = await parser.rewrite(text, () => ({ subquery: 'SELECT 1 AS id FROM port_1.main.data' }));
  const second = await parser.rewrite(text, toAttachment);
  assert.equal(first, 'SELECT id FROM (SELECT 1 AS id FROM port_1.main."data") AS orders');
  assert.equal(second, 'SELECT id FROM port_orders_current.main."data" AS orders');
  assert.equal((await parser.parse(text)).tableReferences.length, 1);
});

test('rewriting refuses anything but a single SELECT', async () => {
  await assert.rejects(
    parser.rewrite('DELETE FROM sales.orders.orders', toAttachment),
    (error: unknown) => error instanceof QuantaError && error.code === 'QUANTA_SQL_FORBIDDEN',
  );
});

test('lists the scalar and aggregate functions a query calls, lower-cased', async () => {
  const parsed = await parser.parse('SELECT LOWER(x), count(*), Quanta_Mask_Hash(y) FROM t');
  assert.deepEqual(parsed.functions, ['lower', 'count_star', 'quanta_mask_hash']);
});

test('replaces every reference by its own copy of a derived table, keeping aliases', async () => {
  const sql = await parser.rewrite(
    'WITH c AS (SELECT * FROM sales.orders.orders) SELECT o.id FROM sales.orders.orders o JOIN c ON c.id = o.id',
    () => ({ subquery: "SELECT id, NULL AS secret FROM port_1.main.data WHERE country = 'FR'" }),
  );
  assert.equal(
    sql,
    'WITH c AS (SELECT * FROM (SELECT id, NULL AS "secret" FROM port_1.main."data" WHERE (country = \'FR\')) AS orders)' +
      'SELECT o.id FROM (SELECT id, NULL AS "secret" FROM port_1.main."data" WHERE (country = \'FR\')) AS o INNER JOIN c ON ((c.id = o.id))',
  );
});

test('a derived table must itself be a single SELECT', async () => {
  await assert.rejects(
    parser.rewrite('SELECT * FROM a.b.c', () => ({ subquery: 'SELECT 1; DROP TABLE x' })),
    { code: 'QUANTA_SQL_FORBIDDEN' },
  );
});
