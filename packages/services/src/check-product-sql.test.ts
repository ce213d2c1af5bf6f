import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { DuckDbEngine } from '@quanta/engine';
import { formatFinding, type JsonObject, type ProductSpec } from '@quanta/model';
import { checkProductSql } from './check-product-sql.ts';

const DIR = 'domains/sales/products/segment-revenue';
let dir: string;
let engine: DuckDbEngine;

before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'quanta-product-sql-'));
  engine = await DuckDbEngine.create({ storageRoot: dir, threads: 1 });
});
after(async () => {
  await engine.close();
  await rm(dir, { recursive: true, force: true });
});

/** A product declaring the inputs `orders` and `profiles`, with one SQL file and an optional workflow. */
function productWith(sql: string, workflow?: JsonObject): ProductSpec {
  const input = (name: string) => ({
    name,
    contractId: `x.${name}`,
    version: '1.0.0',
    location: { file: `${DIR}/product.odps.yaml`, line: 1, col: 1 },
  });
  return {
    inputPorts: [input('orders'), input('profiles')],
    sqlFiles: [{ file: `${DIR}/sql/revenue.sql`, name: 'sql/revenue.sql', text: sql }],
    ...(workflow ? { workflow: { file: `${DIR}/workflow.yaml`, source: workflow } } : {}),
  } as unknown as ProductSpec;
}

async function findingsOf(product: ProductSpec): Promise<string[]> {
  return (await checkProductSql(product, engine)).map((finding) => formatFinding(finding));
}

test('SQL reading only declared inputs, through joins, CTEs and subqueries, has no finding', async () => {
  const sql = `-- revenue per segment
with recent as (select * from orders where amount > 0)
select p.segment, sum(r.amount) as revenue
from recent as r
join profiles as p on p.customer_id = r.customer_id
where r.customer_id in (select customer_id from profiles)
group by all
`;
  assert.deepEqual(await findingsOf(productWith(sql)), []);
});

test('SQL reading an input the product does not declare is a finding at the table name (not a comment or a column), with the declared inputs', async () => {
  const sql = `-- campaigns give each order its segment
select o.amount, c.segment, o.campaigns
from orders as o
join campaigns as c on c.id = o.campaign_id
`;
  assert.deepEqual(await findingsOf(productWith(sql)), [
    `${DIR}/sql/revenue.sql:4:6 error QUANTA_REFERENCE_UNRESOLVED reads 'campaigns', which the product does not declare as an input. Fix: declare an input port for it in product.odps.yaml, or read one of: orders, profiles`,
  ]);
});

test('a qualified name, even of a declared input, and a table function are findings', async () => {
  const sql = `select *
from sales.orders.orders
union all
select * from read_csv('/etc/passwd')
`;
  assert.deepEqual(await findingsOf(productWith(sql)), [
    `${DIR}/sql/revenue.sql:2:6 error QUANTA_REFERENCE_UNRESOLVED reads 'sales.orders.orders', which the product does not declare as an input. Fix: declare an input port for it in product.odps.yaml, or read one of: orders, profiles`,
    `${DIR}/sql/revenue.sql:4:15 error QUANTA_REFERENCE_UNRESOLVED calls the table function read_csv(), which reads outside the product's inputs. Fix: read one of the declared inputs instead: orders, profiles`,
  ]);
});

test('the results a workflow passes in quanta.sql inputs count as declared', async () => {
  const workflow = {
    main: {
      steps: [
        {
          build: {
            call: 'quanta.sql',
            args: { query: 'sql/revenue.sql', inputs: { staged: '${ingested}' } },
          },
        },
      ],
    },
  };
  const sql = 'select * from staged join orders using (order_id)\n';
  assert.deepEqual(await findingsOf(productWith(sql, workflow)), []);
  assert.equal((await findingsOf(productWith(sql))).length, 1);
});

test('SQL that does not parse, or is not one SELECT, is a finding at the file', async () => {
  const findings = await findingsOf(productWith('selec * from orders\n'));
  assert.equal(findings.length, 1);
  assert.match(
    findings[0] ?? '',
    /^domains\/sales\/products\/segment-revenue\/sql\/revenue\.sql:1:1 error QUANTA_REFERENCE_UNRESOLVED the SQL does not parse: /,
  );
  assert.deepEqual(await findingsOf(productWith('delete from orders\n')), [
    `${DIR}/sql/revenue.sql:1:1 error QUANTA_REFERENCE_UNRESOLVED a transform must be a single SELECT statement. Fix: remove other statements; Quanta writes the result`,
  ]);
});
