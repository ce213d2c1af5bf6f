import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ColumnLineage, RelationFile } from './data-engine.ts';
import { createEngineFixture, type EngineFixture } from './test-fixtures.ts';

let fixture: EngineFixture;
let inputs: Record<string, RelationFile>;

before(async () => {
  fixture = await createEngineFixture();
  const stage = (name: string, sql: string) =>
    fixture.engine.transform({ sql, inputs: {}, target: { domain: 'd', runId: 'r', name } });
  const orders = await stage(
    'orders',
    `SELECT i AS order_id, 'C' || (i % 5) AS customer_id, i * 2.5 AS amount, DATE '2025-01-01' + i::INTEGER AS order_date
     FROM range(20) AS t(i)`,
  );
  const customers = await stage(
    'customers',
    `SELECT 'C' || i AS customer_id, 'seg' || (i % 2) AS segment, 'x' || i AS email FROM range(5) AS t(i)`,
  );
  inputs = { orders: { path: orders.path }, customers: { path: customers.path } };
});
after(() => fixture.dispose());

let runs = 0;
async function lineageOf(sql: string): Promise<ColumnLineage | undefined> {
  runs += 1;
  const staged = await fixture.engine.transform({
    sql,
    inputs,
    target: { domain: 'd', runId: 'r', name: `l${runs}` },
  });
  return staged.columnLineage;
}

/** `relation.column:SUBTYPE` per output column, and the dataset's INDIRECT inputs, compactly. */
function compact(lineage: ColumnLineage | undefined): {
  fields: Record<string, string[]>;
  dataset: string[];
} {
  assert.ok(lineage, 'lineage was derived');
  const text = (field: ColumnLineage['dataset'][number]) =>
    `${field.relation}.${field.column}:${field.transformations.map((t) => t.subtype).join('+')}`;
  return {
    fields: Object.fromEntries(
      Object.entries(lineage.fields).map(([name, fields]) => [name, fields.map(text).sort()]),
    ),
    dataset: lineage.dataset.map(text).sort(),
  };
}

describe('column lineage of a transform, from DuckDB parse tree', () => {
  test('SELECT * and aliases are IDENTITY; expressions TRANSFORMATION; a filter is INDIRECT', async () => {
    assert.deepEqual(compact(await lineageOf('SELECT * FROM orders')).fields, {
      order_id: ['orders.order_id:IDENTITY'],
      customer_id: ['orders.customer_id:IDENTITY'],
      amount: ['orders.amount:IDENTITY'],
      order_date: ['orders.order_date:IDENTITY'],
    });
    assert.deepEqual(
      compact(
        await lineageOf(
          "SELECT o.order_id AS id, amount * 2 AS doubled, 1 AS one FROM orders AS o WHERE o.order_date > DATE '2025-01-05'",
        ),
      ),
      {
        fields: { id: ['orders.order_id:IDENTITY'], doubled: ['orders.amount:TRANSFORMATION'] },
        dataset: ['orders.order_date:FILTER'],
      },
    );
  });

  test('a join and an aggregation through a CTE', async () => {
    const lineage = await lineageOf(`
      WITH spend AS (
        SELECT customer_id, sum(amount) AS total FROM orders GROUP BY customer_id
      )
      SELECT c.segment, s.* EXCLUDE (customer_id), upper(c.email) AS contact
      FROM spend AS s JOIN customers AS c ON c.customer_id = s.customer_id
      ORDER BY total DESC`);
    assert.deepEqual(compact(lineage), {
      fields: {
        segment: ['customers.segment:IDENTITY'],
        total: ['orders.amount:AGGREGATION'],
        contact: ['customers.email:TRANSFORMATION'],
      },
      dataset: ['customers.customer_id:JOIN', 'orders.amount:SORT', 'orders.customer_id:GROUP_BY+JOIN'],
    });
  });

  test('set operations combine both sides; GROUP BY a position', async () => {
    assert.deepEqual(
      compact(await lineageOf('SELECT customer_id FROM orders UNION ALL SELECT customer_id FROM customers'))
        .fields,
      { customer_id: ['customers.customer_id:IDENTITY', 'orders.customer_id:IDENTITY'] },
    );
    assert.deepEqual(compact(await lineageOf('SELECT segment, count(*) AS n FROM customers GROUP BY 1')), {
      fields: { segment: ['customers.segment:IDENTITY'] },
      dataset: ['customers.segment:GROUP_BY'],
    });
  });

  test('what cannot be resolved is left out, never guessed', async () => {
    // An ambiguous bare name (customer_id is in both inputs) and a scalar subquery.
    assert.deepEqual(
      compact(
        await lineageOf(`SELECT o.order_id, (SELECT max(amount) FROM orders) AS top
          FROM orders AS o JOIN customers AS c USING (customer_id)`),
      ).fields,
      { order_id: ['orders.order_id:IDENTITY'] },
    );
    // A table function's columns are unknown: its star cannot be lined up with the output.
    assert.equal(await lineageOf('SELECT * FROM range(3) AS r, orders'), undefined);
  });
});
