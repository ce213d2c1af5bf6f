import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { isJsonObject, type JsonValue } from '@quanta/model';
import { MeshService } from '@quanta/services';
import { copyExampleMesh, csvText, type ExampleMeshCopy, generateOrderRows } from './support/example-mesh.ts';
import { stepResult } from './support/run-journal.ts';

const ORDERS = 'quanta://sales/orders/orders';
const BIG_ORDERS = 'quanta://sales/big-orders/big_orders';

/** A row-wise product over sales/orders: the big orders that were neither cancelled nor returned. */
const BIG_ORDERS_SQL = `-- Orders of 100 or more that were neither cancelled nor returned.
select order_id, customer_id, order_date, channel, amount
from orders
where status not in ('cancelled', 'returned') and amount >= 100
`;

const PRODUCT = `apiVersion: v1.0.0
kind: DataProduct
id: sales.big-orders
name: big-orders
domain: sales
status: active
version: 1.0.0
description:
  purpose: The big orders kept, for the key-account team.
  usage: Query sales.big_orders.big_orders.
team:
  name: sales-ops
  members:
    - username: sam@acme.example
      role: owner
inputPorts:
  - name: orders
    version: 1.0.0
    contractId: sales.orders.orders
outputPorts:
  - name: big_orders
    description: One row per big order kept.
    type: table
    version: 1.0.0
    contractId: sales.big-orders.big_orders
`;

const CONTRACT = `apiVersion: v3.1.0
kind: DataContract
id: sales.big-orders.big_orders
name: big-orders big_orders
version: 1.0.0
status: active
domain: sales
dataProduct: big-orders
description:
  purpose: List the big orders kept so that key accounts are followed up.
team:
  name: sales-ops
  members:
    - username: sam@acme.example
      role: owner
schema:
  - name: big_orders
    physicalType: table
    description: One row per big order, app orders quarantined.
    quality:
      - metric: rowCount
        mustBeGreaterThan: 0
        dimension: completeness
        severity: error
    properties:
      - name: order_id
        logicalType: string
        physicalType: varchar
        required: true
        unique: true
        classification: internal
        quality:
          - metric: duplicateValues
            mustBe: 0
            dimension: uniqueness
            severity: error
      - name: customer_id
        logicalType: string
        physicalType: varchar
        required: true
        classification: internal
      - name: order_date
        logicalType: date
        physicalType: date
        required: true
        classification: internal
      - name: channel
        logicalType: string
        physicalType: varchar
        required: true
        classification: internal
        quality:
          - name: not from the app
            metric: invalidValues
            mustBe: 0
            arguments:
              validValues: [web, store]
            dimension: conformity
            severity: error
            customProperties:
              - property: quanta.onFail
                value: quarantine
      - name: amount
        logicalType: number
        physicalType: decimal(12,2)
        required: true
        classification: internal
slaProperties:
  - property: retention
    value: 7
    unit: y
`;

const WORKFLOW = `main:
  steps:
    - build:
        call: quanta.sql
        args:
          query: sql/big_orders.sql
          incremental: true
        result: built
    - publish:
        call: quanta.publish
        args:
          port: big_orders
          from: \${built}
        result: snapshot
    - done:
        return: \${snapshot}
`;

let mesh: ExampleMeshCopy;
let service: MeshService;

/** New orders (another seed, ids prefixed so they never collide with the first ones), as one CSV. */
async function newOrders(prefix: string, seed: number): Promise<string> {
  const { header, rows } = await generateOrderRows({ seed, orders: 1_500, customers: 500 });
  return csvText(
    header,
    rows.map((row) => `${prefix}${row}`),
  );
}

/** The rows of a snapshot or of a query over the current orders snapshot, sorted (a multiset). */
async function sortedRows(
  sql: string,
  attachments: { alias: string; path: string }[],
): Promise<JsonValue[][]> {
  const session = await service.engine.openReadSession({ attachments });
  try {
    return [...(await session.query(`SELECT * FROM (${sql}) ORDER BY ALL`)).rows];
  } finally {
    await session.close();
  }
}

before(async () => {
  mesh = await copyExampleMesh({ orders: 3_000, customers: 500 });
  const folder = path.join(mesh.root, 'domains', 'sales', 'products', 'big-orders');
  await mkdir(path.join(folder, 'sql'), { recursive: true });
  await writeFile(path.join(folder, 'product.odps.yaml'), PRODUCT);
  await writeFile(path.join(folder, 'big_orders.odcs.yaml'), CONTRACT);
  await writeFile(path.join(folder, 'workflow.yaml'), WORKFLOW);
  await writeFile(path.join(folder, 'sql', 'big_orders.sql'), BIG_ORDERS_SQL);
  service = await MeshService.create({ root: mesh.root, env: {} });
  await service.apply({ appliedBy: 'test' });
  const first = await service.runAll({ trigger: 'test' });
  assert.ok(
    first.every((run) => run.state === 'succeeded'),
    JSON.stringify(first.map((run) => [run.product, run.state, run.error])),
  );
});

after(async () => {
  await service?.close();
  await mesh?.remove();
});

test('after new order files land, an incremental quanta.sql computes only their rows and publishes a full recompute', async () => {
  for (const [index, prefix] of ['N', 'M'].entries()) {
    const file = path.join(mesh.root, 'landing', 'sales', 'orders', `orders-${prefix}.csv`);
    await writeFile(file, await newOrders(prefix, 40 + index));
    const orders = await service.run('sales/orders', { trigger: 'test' });
    assert.equal(orders.state, 'succeeded', JSON.stringify(orders.error));
    const before = await service.store.getCurrentSnapshot(BIG_ORDERS);
    const run = await service.run('sales/big-orders', { trigger: 'test' });
    assert.equal(run.state, 'succeeded', JSON.stringify(run.error));

    const built = stepResult(await service.store.listStepEvents(run.id), 'build');
    assert.ok(isJsonObject(built.incremental), JSON.stringify(built));
    assert.equal(built.incremental.mode, 'delta', String(built.incremental.reason));
    assert.equal(built.incremental.baseVersion, before?.version);
    assert.ok(Number(built.incremental.deltaRows) > 0);

    const current = await service.store.getCurrentSnapshot(BIG_ORDERS);
    const input = await service.store.getCurrentSnapshot(ORDERS);
    assert.ok(current && input && before);
    assert.deepEqual(current.appendedTo, { version: before.version, rows: before.rowCount });
    const published = await sortedRows('SELECT * FROM big.main.data', [
      { alias: 'big', path: service.engine.resolveStoragePath(current.storagePath) },
    ]);
    const orderRows = [{ alias: 'orders', path: service.engine.resolveStoragePath(input.storagePath) }];
    const query = BIG_ORDERS_SQL.replace('from orders', 'from orders.main.data');
    const full = await sortedRows(`SELECT * FROM (${query}) WHERE channel <> 'app'`, orderRows);
    const quarantined = await sortedRows(`SELECT * FROM (${query}) WHERE channel = 'app'`, orderRows);
    assert.ok(quarantined.length > 0, 'app orders are quarantined');
    assert.deepEqual(published, full);
    assert.equal(current.rowCount, full.length);
    assert.equal(current.quarantinedRows, quarantined.length);
  }
});
