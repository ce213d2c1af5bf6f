import assert from 'node:assert/strict';
import { access, stat } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { QuantaError } from '@quanta/model';
import type { StagedTable } from './data-engine.ts';
import { column, createEngineFixture, type EngineFixture } from './test-fixtures.ts';

const ORDER_COLUMNS = [
  column('order_id', 'string', { required: true, primaryKey: true }),
  column('customer_id', 'string', { required: true }),
  column('status', 'string', { enumValues: ['placed', 'shipped'] }),
  column('amount', 'number', { physicalType: 'decimal(12,2)' }),
];
const CUSTOMER_COLUMNS = [column('customer_id', 'string', { required: true }), column('country', 'string')];

let fixture: EngineFixture;
let orders: StagedTable;
let customers: StagedTable;

before(async () => {
  fixture = await createEngineFixture();
  const ordersFile = await fixture.write(
    'orders.csv',
    'order_id,customer_id,status,amount\nO1,C1,placed,10.00\nO2,C2,shipped,5.50\nO3,C1,placed,1.00\nO4,,placed,2.00\n',
  );
  const customersFile = await fixture.write('customers.csv', 'customer_id,country\nC1,FR\nC2,DE\n');
  orders = await fixture.engine.ingest({
    files: [ordersFile],
    format: 'csv',
    columns: ORDER_COLUMNS,
    target: { domain: 'sales', runId: 'run-1', name: 'orders' },
  });
  customers = await fixture.engine.ingest({
    files: [customersFile],
    format: 'csv',
    columns: CUSTOMER_COLUMNS,
    target: { domain: 'sales', runId: 'run-1', name: 'customers' },
  });
});
after(async () => {
  await fixture.dispose();
});

test('transform joins two inputs by name and carries staged quarantines along', async () => {
  const staged = await fixture.engine.transform({
    sql: `SELECT c.country, count(*) AS orders, sum(o.amount) AS revenue
          FROM orders o JOIN customers c USING (customer_id) GROUP BY c.country ORDER BY c.country;`,
    inputs: { orders: { path: orders.path }, customers: { path: customers.path } },
    target: { domain: 'sales', runId: 'run-1', name: 'by-country' },
  });
  assert.deepEqual(staged.columns, [
    { name: 'country', type: 'VARCHAR' },
    { name: 'orders', type: 'BIGINT' },
    { name: 'revenue', type: 'DECIMAL(38,2)' },
  ]);
  assert.equal(staged.rowCount, 2);
  assert.equal(staged.quarantinedRows, 1);
  assert.equal(staged.rowsIn, 5);
  const session = await fixture.engine.openReadSession({ attachments: [{ alias: 's', path: staged.path }] });
  try {
    const result = await session.query('SELECT * FROM s.main.data ORDER BY country');
    // DECIMAL comes back as exact text (ADR 017).
    assert.deepEqual(result.rows, [
      ['DE', 1, '5.50'],
      ['FR', 2, '11.00'],
    ]);
  } finally {
    await session.close();
  }
});

test('transform refuses anything but one SELECT and reports bad SQL', async () => {
  const target = { domain: 'sales', runId: 'run-1', name: 'bad' };
  await assert.rejects(
    fixture.engine.transform({ sql: 'DROP TABLE orders', inputs: {}, target }),
    (error: unknown) => error instanceof QuantaError && error.code === 'QUANTA_SQL_FORBIDDEN',
  );
  await assert.rejects(
    fixture.engine.transform({
      sql: 'SELECT nope FROM orders',
      inputs: { orders: { path: orders.path } },
      target,
    }),
    (error: unknown) => error instanceof QuantaError && error.code === 'QUANTA_SQL_INVALID',
  );
});

test('audit passes clean data and reports each check', async () => {
  const result = await fixture.engine.audit(orders, ORDER_COLUMNS);
  assert.equal(result.passed, true);
  assert.deepEqual(
    result.checks.map((check) => check.name),
    [
      'schema:order_id',
      'schema:customer_id',
      'schema:status',
      'schema:amount',
      'schema:extra-columns',
      'required:order_id',
      'unique:order_id',
      'required:customer_id',
      'enum:status',
    ],
  );
});

test('audit fails on nulls, duplicates, values outside the set and schema drift, with samples', async () => {
  const staged = await fixture.engine.transform({
    sql: `SELECT * FROM (VALUES ('O1', 'C1', 'placed', 1.5), ('O1', NULL, 'lost', 2.0), (NULL, 'C3', 'shipped', 3.0))
          AS t(order_id, customer_id, status, note)`,
    inputs: {},
    target: { domain: 'sales', runId: 'run-1', name: 'bad-data' },
  });
  const result = await fixture.engine.audit(staged, ORDER_COLUMNS);
  assert.equal(result.passed, false);
  const failed = Object.fromEntries(
    result.checks.filter((check) => !check.passed).map((check) => [check.name, check.detail]),
  );
  assert.deepEqual(failed, {
    'schema:amount': 'column amount is missing',
    'schema:extra-columns': 'columns outside the contract: note',
    'required:order_id': '1 null value(s) in 3 row(s)',
    'unique:order_id': "1 duplicate row(s), e.g. 'O1'",
    'required:customer_id': '1 null value(s) in 3 row(s)',
    'enum:status': "1 value(s) outside [placed, shipped], e.g. 'lost'",
  });
});

test('promote moves the staging file to a read-only snapshot atomically', async () => {
  const staged = await fixture.engine.ingest({
    files: [await fixture.write('o.csv', 'order_id,customer_id,status,amount\nO9,C9,placed,9.00\n')],
    format: 'csv',
    columns: ORDER_COLUMNS,
    target: { domain: 'sales', runId: 'run-2', name: 'orders' },
  });
  const target = { domain: 'sales', product: 'orders', port: 'orders', snapshotId: 'run-2-orders' };
  const promoted = await fixture.engine.promote(staged, target);
  assert.equal(promoted.storagePath, 'sales/orders/orders/run-2-orders.duckdb');
  const snapshot = fixture.engine.resolveStoragePath(promoted.storagePath);
  assert.equal(snapshot, path.join(fixture.storageRoot, 'sales', 'orders', 'orders', 'run-2-orders.duckdb'));
  const info = await stat(snapshot);
  assert.equal(info.size, promoted.bytes);
  assert.equal(info.mode & 0o777, 0o444);
  await assert.rejects(access(staged.path));
  await assert.rejects(access(`${snapshot}.wal`));
  const session = await fixture.engine.openReadSession({ attachments: [{ alias: 'p', path: snapshot }] });
  try {
    assert.deepEqual((await session.query('SELECT order_id FROM p.main.data')).rows, [['O9']]);
    assert.deepEqual((await session.query('SELECT count(*) FROM p.main.quarantine')).rows, [[0]]);
  } finally {
    await session.close();
  }
  assert.deepEqual(await fixture.engine.promote(staged, target), promoted, 'promoting again is idempotent');
});

test('promote refuses another domain and existing snapshots', async () => {
  await assert.rejects(
    fixture.engine.promote(customers, { domain: 'marketing', product: 'p', port: 'q', snapshotId: 's' }),
    (error: unknown) => error instanceof QuantaError && error.code === 'QUANTA_PATH_ESCAPE',
  );
  const again = await fixture.engine.ingest({
    files: [await fixture.write('o2.csv', 'order_id,customer_id,status,amount\nO9,C9,placed,9.00\n')],
    format: 'csv',
    columns: ORDER_COLUMNS,
    target: { domain: 'sales', runId: 'run-3', name: 'orders' },
  });
  await assert.rejects(
    fixture.engine.promote(again, {
      domain: 'sales',
      product: 'orders',
      port: 'orders',
      snapshotId: 'run-2-orders',
    }),
    (error: unknown) => error instanceof QuantaError && error.code === 'QUANTA_CONFLICT',
  );
});

test('storage paths cannot escape the storage root', async () => {
  for (const storagePath of ['../secret.duckdb', '/etc/passwd', 'sales/../../x.duckdb', '']) {
    assert.throws(
      () => fixture.engine.resolveStoragePath(storagePath),
      (error: unknown) => error instanceof QuantaError && error.code === 'QUANTA_PATH_ESCAPE',
      storagePath,
    );
  }
  await assert.rejects(
    fixture.engine.discardStaging({ domain: '..', runId: 'x' }),
    (error: unknown) => error instanceof QuantaError && error.code === 'QUANTA_PATH_ESCAPE',
  );
});

test("discardStaging removes a run's staging files", async () => {
  const staged = await fixture.engine.ingest({
    files: [await fixture.write('o3.csv', 'order_id,customer_id,status,amount\nO1,C1,placed,1.00\n')],
    format: 'csv',
    columns: ORDER_COLUMNS,
    target: { domain: 'sales', runId: 'run-4', name: 'orders' },
  });
  await access(staged.path);
  await fixture.engine.discardStaging({ domain: 'sales', runId: 'run-4' });
  await assert.rejects(access(path.dirname(staged.path)));
});
