import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { readFunctionKinds } from './append-distributive.ts';
import type { QualityRequest as EngineQualityRequest } from './data-engine.ts';
import { DuckDbDatabase } from './duckdb-database.ts';
import { column, createEngineFixture, type EngineFixture, metricRule, readRows } from './test-fixtures.ts';

let fixture: EngineFixture;

before(async () => {
  fixture = await createEngineFixture();
});

after(async () => {
  await fixture.dispose();
});

describe('append distributivity from the parse tree', () => {
  const distributive: readonly [string, string][] = [
    [
      'a filter and projection',
      "SELECT order_id, amount * 2 AS doubled FROM orders WHERE status <> 'cancelled'",
    ],
    ['SELECT * with a trailing semicolon', 'SELECT * FROM orders;'],
    ['a join with a dimension', 'SELECT o.*, c.segment FROM orders o JOIN customers c USING (customer_id)'],
    [
      'the input on the preserved side of a LEFT JOIN',
      'SELECT o.order_id, c.segment FROM orders o LEFT JOIN customers c ON c.customer_id = o.customer_id',
    ],
    [
      'the input on the preserved side of a RIGHT JOIN',
      'SELECT o.order_id, c.segment FROM customers c RIGHT JOIN orders o ON c.customer_id = o.customer_id',
    ],
    ['a semi join against a dimension', 'SELECT * FROM orders SEMI JOIN customers USING (customer_id)'],
    ['a cross join with a dimension', 'SELECT * FROM orders, customers'],
    [
      'a CTE and a derived table',
      'WITH kept AS (SELECT * FROM orders WHERE amount > 0) SELECT k.order_id FROM (SELECT * FROM kept) k',
    ],
    [
      'a constant subquery (aggregating a dimension)',
      'SELECT * FROM orders WHERE amount > (SELECT avg(budget) FROM customers) AND customer_id IN (SELECT customer_id FROM customers)',
    ],
    [
      'a join with an aggregated dimension',
      'SELECT o.*, c.n FROM orders o JOIN (SELECT customer_id, count(*) AS n FROM customers GROUP BY 1) c USING (customer_id)',
    ],
    [
      'a UNION ALL whose branches each read the input once',
      'SELECT order_id FROM orders WHERE amount > 0 UNION ALL SELECT order_id FROM orders WHERE amount < 0',
    ],
    [
      'a scalar function and CASE',
      "SELECT upper(status) AS s, CASE WHEN amount > 10 THEN 'big' END AS size FROM orders",
    ],
  ];
  for (const [shape, sql] of distributive) {
    test(`distributive: ${shape}`, async () => {
      assert.deepEqual(await fixture.engine.checkAppendDistributive(sql, { relation: 'orders' }), {
        isDistributive: true,
      });
    });
  }

  const refused: readonly [string, string, RegExp][] = [
    [
      'an aggregate',
      'SELECT customer_id, sum(amount) FROM orders GROUP BY customer_id',
      /GROUP BY|aggregate sum/,
    ],
    ['an aggregate without GROUP BY', 'SELECT count(*) FROM orders', /aggregate count/],
    [
      'a window function',
      'SELECT order_id, row_number() OVER (ORDER BY order_id) FROM orders',
      /window function row_number/,
    ],
    [
      'an aggregate used as a window',
      'SELECT order_id, sum(amount) OVER () FROM orders',
      /window function sum/,
    ],
    ['DISTINCT', 'SELECT DISTINCT customer_id FROM orders', /DISTINCT/],
    ['ORDER BY', 'SELECT * FROM orders ORDER BY amount', /ORDER BY/],
    ['LIMIT', 'SELECT * FROM orders LIMIT 10', /LIMIT/],
    ['OFFSET', 'SELECT * FROM orders OFFSET 10', /LIMIT\/OFFSET/],
    ['a sample', 'SELECT * FROM orders USING SAMPLE 10%', /samples rows/],
    ['HAVING', 'SELECT customer_id FROM orders GROUP BY ALL HAVING count(*) > 1', /HAVING/],
    ['QUALIFY', 'SELECT * FROM orders QUALIFY amount > 1', /QUALIFY/],
    [
      'a self-join',
      'SELECT a.order_id FROM orders a JOIN orders b USING (customer_id)',
      /twice \(a self-join\)/,
    ],
    ['a CTE read twice', 'WITH o AS (SELECT * FROM orders) SELECT * FROM o a, o b', /twice/],
    [
      'the input on the right of a LEFT JOIN',
      'SELECT c.customer_id, o.amount FROM customers c LEFT JOIN orders o USING (customer_id)',
      /null-supplying side of a LEFT JOIN/,
    ],
    [
      'the input on the left of a RIGHT JOIN',
      'SELECT c.customer_id, o.amount FROM orders o RIGHT JOIN customers c USING (customer_id)',
      /null-supplying side of a RIGHT JOIN/,
    ],
    [
      'a FULL JOIN',
      'SELECT * FROM orders o FULL JOIN customers c USING (customer_id)',
      /null-supplying side of a FULL JOIN/,
    ],
    [
      'the input on the right of an anti join',
      'SELECT * FROM customers ANTI JOIN orders USING (customer_id)',
      /null-supplying side of a ANTI JOIN/,
    ],
    ['a positional join', 'SELECT * FROM orders POSITIONAL JOIN customers', /POSITIONAL JOIN/],
    [
      'a subquery reading the input',
      'SELECT * FROM orders WHERE amount > (SELECT avg(amount) FROM orders)',
      /inside a subquery expression/,
    ],
    [
      'EXISTS over the input',
      'SELECT * FROM customers c WHERE EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = c.customer_id)',
      /inside a subquery expression/,
    ],
    ['a UNION (not ALL)', 'SELECT order_id FROM orders UNION SELECT customer_id FROM customers', /UNION/],
    [
      'a UNION ALL branch without the input',
      'SELECT order_id FROM orders UNION ALL SELECT customer_id FROM customers',
      /branch does not read orders/,
    ],
    ['EXCEPT', 'SELECT customer_id FROM orders EXCEPT SELECT customer_id FROM customers', /EXCEPT/],
    ['random()', 'SELECT *, random() AS r FROM orders', /random\(\)/],
    ['now()', 'SELECT * FROM orders WHERE order_date > now() - INTERVAL 30 DAY', /now\(\)/],
    ['current_date', 'SELECT * FROM orders WHERE order_date > current_date - 30', /current_date/],
    ['a time-dependent macro', 'SELECT * FROM orders WHERE order_date > ago(INTERVAL 1 DAY)', /ago\(\)/],
    ['rowid', 'SELECT rowid, * FROM orders', /rowid/],
    ['a table function', "SELECT * FROM orders JOIN read_csv('x.csv') USING (order_id)", /table function/],
    ['a query not reading the input', 'SELECT * FROM customers', /does not read orders/],
    ['two statements', 'SELECT * FROM orders; SELECT 1', /single query/],
    ['SQL that does not parse', 'SELEKT * FROM orders', /single query/],
  ];
  for (const [shape, sql, reason] of refused) {
    test(`not distributive: ${shape}`, async () => {
      const verdict = await fixture.engine.checkAppendDistributive(sql, { relation: 'orders' });
      assert.equal(verdict.isDistributive, false, shape);
      assert.match(verdict.isDistributive ? '' : verdict.reason, reason);
    });
  }

  test('names are matched case-insensitively, and a CTE named after the input hides it', async () => {
    const shadowed = 'WITH orders AS (SELECT * FROM customers) SELECT * FROM orders';
    assert.equal(
      (await fixture.engine.checkAppendDistributive(shadowed, { relation: 'orders' })).isDistributive,
      false,
    );
    assert.equal(
      (await fixture.engine.checkAppendDistributive('SELECT * FROM Orders', { relation: 'ORDERS' }))
        .isDistributive,
      true,
    );
  });

  test("DuckDB's catalog gives the aggregates and the non-deterministic functions", async () => {
    const database = await DuckDbDatabase.create(':memory:', { settings: { threads: 1 } });
    try {
      const kinds = await readFunctionKinds(database);
      for (const name of ['sum', 'count_star', 'string_agg', 'approx_count_distinct'])
        assert.ok(kinds.aggregates.has(name), name);
      for (const name of ['random', 'now', 'gen_random_uuid', 'today', 'ago'])
        assert.ok(kinds.nondeterministic.has(name), name);
      for (const name of ['upper', 'abs', 'coalesce', 'sum'])
        assert.ok(!kinds.nondeterministic.has(name), name);
    } finally {
      database.close();
    }
  });
});

describe('the rows an appended snapshot gained', () => {
  const BASE = 130_000; // more than one DuckDB row group (122,880 rows)
  const DELTA = 20_000;
  const columns = [column('order_id', 'string'), column('email', 'string'), column('n', 'integer')];
  const quarantineBadEmails = metricRule('email', {
    metric: 'invalidValues',
    columns: ['email'],
    validity: { pattern: 'u[0-9]+@x[.]org' },
    onFail: 'quarantine',
  });
  const request: EngineQualityRequest = {
    columns,
    rules: [quarantineBadEmails],
    tableName: 'orders',
    now: '2025-07-01T00:00:00.000Z',
  };

  /** Orders numbered from `first`; every 97th has a bad email (quarantined at publish). */
  function csv(first: number, count: number): string {
    const lines = ['order_id,email,n'];
    for (let n = first; n < first + count; n += 1) {
      lines.push(`O${n},${n % 97 === 0 ? 'bad' : `u${n}@x.org`},${n}`);
    }
    return `${lines.join('\n')}\n`;
  }

  test('are read by rowid from a snapshot Quanta appended, checked and published, in order', async () => {
    const { engine } = fixture;
    const target = (name: string) => ({ domain: 'sales', runId: 'run-rows', name });
    const snapshot = (id: string) => ({ domain: 'sales', product: 'orders', port: 'orders', snapshotId: id });
    // Version 1: ingested whole, its bad rows routed to quarantine (deleted from `data`).
    const first = await engine.ingest({
      files: [await fixture.write('a.csv', csv(0, BASE))],
      format: 'csv',
      columns,
      target: target('a'),
    });
    const firstReport = await engine.checkQuality(first, request);
    const v1 = engine.resolveStoragePath((await engine.promote(first, snapshot('v1'))).storagePath);
    // Version 2: version 1 followed by new rows, checked incrementally (only new rows are routed).
    const delta = await engine.ingest({
      files: [await fixture.write('b.csv', csv(BASE, DELTA))],
      format: 'csv',
      columns,
      target: target('b'),
    });
    const appended = await engine.append({
      base: { path: v1 },
      delta: { path: delta.path },
      target: target('ab'),
    });
    const secondReport = await engine.checkQuality(appended, {
      ...request,
      incremental: { baseRows: firstReport.rowCount, baseReport: firstReport },
    });
    assert.ok(secondReport.incremental, 'the check routed the new rows only');
    const v2 = engine.resolveStoragePath((await engine.promote(appended, snapshot('v2'))).storagePath);

    const rows = await engine.stageAppendedRows({
      source: { path: v2 },
      baseRows: firstReport.rowCount,
      target: target('new'),
    });
    assert.equal(rows.kind, 'staged');
    const expected = Array.from({ length: DELTA }, (_, index) => BASE + index).filter((n) => n % 97 !== 0);
    assert.equal(rows.table.rowCount, expected.length);
    assert.equal(rows.table.quarantinedRows, 0, 'the source quarantine is not carried');
    const staged = await readRows(rows.table.path, 'SELECT n FROM data ORDER BY rowid');
    assert.deepEqual(
      staged.map(([n]) => Number(n)),
      expected,
    );

    // Version 1 had rows deleted among its first rows: it does not start with them intact.
    const notAppended = await engine.stageAppendedRows({
      source: { path: v1 },
      baseRows: BASE,
      target: target('none'),
    });
    assert.equal(notAppended.kind, 'notAppended');
    assert.match(notAppended.kind === 'notAppended' ? notAppended.reason : '', /not an append/);
  });
});
