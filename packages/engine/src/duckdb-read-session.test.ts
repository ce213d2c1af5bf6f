import assert from 'node:assert/strict';
import { access } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { QuantaError } from '@quanta/model';
import type { ReadSession } from './data-engine.ts';
import { column, createEngineFixture, type EngineFixture } from './test-fixtures.ts';

let fixture: EngineFixture;
let session: ReadSession;
let snapshot: string;

before(async () => {
  fixture = await createEngineFixture();
  const staged = await fixture.engine.ingest({
    files: [await fixture.write('o.csv', 'order_id,amount\nO1,10.50\nO2,3.25\n')],
    format: 'csv',
    columns: [
      column('order_id', 'string', { required: true }),
      column('amount', 'number', { physicalType: 'decimal(12,2)' }),
    ],
    target: { domain: 'sales', runId: 'r', name: 'orders' },
  });
  const promoted = await fixture.engine.promote(staged, {
    domain: 'sales',
    product: 'orders',
    port: 'orders',
    snapshotId: 's1',
  });
  snapshot = fixture.engine.resolveStoragePath(promoted.storagePath);
  session = await fixture.engine.openReadSession({
    attachments: [{ alias: 'port_1', path: snapshot }],
    tables: [
      {
        schema: 'quanta_catalog',
        name: 'ports',
        columns: [
          { name: 'address', type: 'VARCHAR' },
          { name: 'rows', type: 'BIGINT' },
          { name: 'published_at', type: 'TIMESTAMP' },
        ],
        rows: [
          ['quanta://sales/orders/orders', 2, '2025-01-02T03:04:05'],
          ["quanta://it's/quoted/port", null, null],
        ],
      },
    ],
  });
});
after(async () => {
  await session.close();
  await fixture.dispose();
});

function refused(code: 'QUANTA_SQL_FORBIDDEN' | 'QUANTA_SQL_INVALID') {
  return (error: unknown) => error instanceof QuantaError && error.code === code;
}

test('reads attached snapshots and catalog tables with a rewritten query', async () => {
  const sql = await fixture.engine.rewriteTableReferences(
    'SELECT orders.order_id, p.address FROM sales.orders.orders, quanta_catalog.ports p WHERE p.rows = 2 ORDER BY 1',
    (reference) =>
      reference.schema === 'quanta_catalog'
        ? reference
        : { catalog: 'port_1', schema: 'main', table: 'data' },
  );
  const result = await session.query(sql);
  assert.deepEqual(result.columns, [
    { name: 'order_id', type: 'VARCHAR' },
    { name: 'address', type: 'VARCHAR' },
  ]);
  assert.deepEqual(result.rows, [
    ['O1', 'quanta://sales/orders/orders'],
    ['O2', 'quanta://sales/orders/orders'],
  ]);
  const catalog = await session.query('SELECT * FROM quanta_catalog.ports ORDER BY address');
  assert.deepEqual(catalog.rows, [
    ["quanta://it's/quoted/port", null, null],
    ['quanta://sales/orders/orders', 2, '2025-01-02T03:04:05'],
  ]);
});

test('the session refuses file access, ATTACH, COPY, extensions and settings', async () => {
  const outside = path.join(fixture.dir, 'leak.csv');
  const forbidden = [
    "SELECT * FROM read_csv('/etc/passwd')",
    `ATTACH '${path.join(fixture.dir, 'other.duckdb')}' AS other`,
    `COPY (SELECT 1) TO '${outside}'`,
    `COPY port_1.main.data TO '${outside}'`,
    'INSTALL httpfs',
    'LOAD httpfs',
    'SET enable_external_access = true',
    'SET lock_configuration = false',
    "SET memory_limit = '100GB'",
    'SET threads = 64',
    "SELECT * FROM glob('/etc/*')",
  ];
  for (const sql of forbidden) await assert.rejects(session.query(sql), refused('QUANTA_SQL_FORBIDDEN'), sql);
  await assert.rejects(access(outside));
});

test('the session cannot write to an attached snapshot', async () => {
  for (const sql of [
    "INSERT INTO port_1.main.data VALUES ('O3', 1)",
    'DELETE FROM port_1.main.data',
    'DROP TABLE port_1.main.data',
  ]) {
    await assert.rejects(session.query(sql), refused('QUANTA_SQL_FORBIDDEN'), sql);
  }
  assert.deepEqual((await session.query('SELECT count(*) FROM port_1.main.data')).rows, [[2]]);
});

test('the session runs exactly one statement and reports bad SQL', async () => {
  await assert.rejects(session.query('SELECT 1; SELECT 2'), refused('QUANTA_SQL_FORBIDDEN'));
  await assert.rejects(session.query('SELECT nope FROM port_1.main.data'), refused('QUANTA_SQL_INVALID'));
});

test('values come back JSON-safe', async () => {
  const result = await session.query(`SELECT
      42::BIGINT AS small, 9007199254740993::BIGINT AS big, 170141183460469231731687303715884105727::HUGEINT AS huge,
      12.34::DECIMAL(12,2) AS money, DATE '2025-01-02' AS day,
      TIMESTAMP '2025-01-02 03:04:05.123456' AS at, TIMESTAMPTZ '2025-01-02 03:04:05+00' AS at_zone,
      '\\x00\\xFF'::BLOB AS bytes, [1, 2]::INTEGER[] AS list, {'a': 1::BIGINT, 'b': [DATE '2025-01-03']} AS object,
      NULL AS nothing, true AS flag, 1.5::DOUBLE AS ratio`);
  assert.deepEqual(result.rows, [
    [
      42,
      '9007199254740993',
      '170141183460469231731687303715884105727',
      '12.34',
      '2025-01-02',
      '2025-01-02T03:04:05.123456',
      '2025-01-02T03:04:05.000Z',
      'AP8=',
      [1, 2],
      { a: 1, b: ['2025-01-03'] },
      null,
      true,
      1.5,
    ],
  ]);
  assert.deepEqual(JSON.parse(JSON.stringify(result.rows)), result.rows);
  assert.deepEqual(result.columns.map((entry) => entry.type).slice(0, 5), [
    'BIGINT',
    'BIGINT',
    'HUGEINT',
    'DECIMAL(12,2)',
    'DATE',
  ]);
});

test('macros are defined before the session is locked', async () => {
  const withMacro = await fixture.engine.openReadSession({
    attachments: [{ alias: 'port_1', path: snapshot }],
    macros: [{ name: 'twice', parameters: ['v'], body: 'v * 2' }],
  });
  try {
    assert.deepEqual((await withMacro.query('SELECT twice(21)')).rows, [[42]]);
    await assert.rejects(
      withMacro.query("SELECT * FROM read_csv('/etc/passwd')"),
      refused('QUANTA_SQL_FORBIDDEN'),
    );
  } finally {
    await withMacro.close();
  }
});
