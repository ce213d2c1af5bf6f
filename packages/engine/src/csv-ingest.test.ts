import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { QuantaError } from '@quanta/model';
import { column, createEngineFixture, type EngineFixture, readRows } from './test-fixtures.ts';

const ORDER_COLUMNS = [
  column('order_id', 'string', { required: true, primaryKey: true }),
  column('customer_id', 'string', { required: true }),
  column('order_date', 'date'),
  column('quantity', 'integer', { physicalType: 'integer' }),
  column('amount', 'number', { physicalType: 'decimal(12,2)' }),
];

const HEADER = 'order_id,customer_id,order_date,quantity,amount';

let fixture: EngineFixture;
before(async () => {
  fixture = await createEngineFixture();
});
after(async () => {
  await fixture.dispose();
});

test('ingests a clean CSV with the contract types', async () => {
  const file = await fixture.write(
    'clean.csv',
    `${HEADER}\nO1,C1,2025-01-02,3,10.50\nO2,C2,2025-01-03,1,4.00\n"O3","C,3",2025-01-04,2,1.25\n`,
  );
  const staged = await fixture.engine.ingest({
    files: [file],
    format: 'csv',
    columns: ORDER_COLUMNS,
    target: { domain: 'sales', runId: 'run-1', name: 'clean' },
  });
  assert.equal(staged.rowCount, 3);
  assert.equal(staged.quarantinedRows, 0);
  assert.equal(staged.rowsIn, 3);
  assert.match(staged.path, /sales\/\.staging\/run-1\/clean\.duckdb$/);
  assert.deepEqual(staged.columns, [
    { name: 'order_id', type: 'VARCHAR' },
    { name: 'customer_id', type: 'VARCHAR' },
    { name: 'order_date', type: 'DATE' },
    { name: 'quantity', type: 'INTEGER' },
    { name: 'amount', type: 'DECIMAL(12,2)' },
  ]);
  assert.match(staged.schemaHash, /^[0-9a-f]{64}$/);
  const rows = await readRows(staged.path, 'SELECT customer_id, amount FROM data ORDER BY order_id');
  assert.deepEqual(rows, [
    ['C1', '10.50'],
    ['C2', '4.00'],
    ['C,3', '1.25'],
  ]);
});

test('quarantines ragged rows, wrong types and missing required values with reasons', async () => {
  const lines = [
    HEADER,
    'O1,C1,2025-01-02,3,10.50',
    'O2,C2,2025-01-03,abc,4.00',
    'O3,C3,2025-01-04,2,1.25,extra',
    'O4,C4,2025-01-05',
    'O5,,2025-01-06,1,1.00',
    'O6,C6,not-a-date,zz,1.00',
    'O7,C7,2025-01-07,7,7.00',
  ];
  const first = await fixture.write('dirty-1.csv', `${lines.join('\n')}\n`);
  const second = await fixture.write(
    'dirty-2.csv',
    `${HEADER}\n,C9,2025-02-01,1,1.00\nO10,C10,2025-02-02,1,1.00\n`,
  );
  const staged = await fixture.engine.ingest({
    files: [first, second],
    format: 'csv',
    columns: ORDER_COLUMNS,
    target: { domain: 'sales', runId: 'run-1', name: 'dirty' },
  });
  assert.equal(staged.rowCount, 3);
  assert.equal(staged.quarantinedRows, 6);
  assert.equal(staged.rowsIn, 9);
  assert.equal(staged.rowsIn, staged.rowCount + staged.quarantinedRows);
  const quarantine = await readRows(
    staged.path,
    "SELECT reason, regexp_extract(source_file, '[^/]+$'), line, raw FROM quarantine ORDER BY source_file, line NULLS LAST, raw",
  );
  assert.deepEqual(quarantine, [
    [
      "line 3: column quantity: could not convert 'abc' to INTEGER",
      'dirty-1.csv',
      '3',
      'O2,C2,2025-01-03,abc,4.00',
    ],
    ['line 4: expected 5 fields, found 6', 'dirty-1.csv', '4', 'O3,C3,2025-01-04,2,1.25,extra'],
    ['line 5: expected 5 fields, found 3', 'dirty-1.csv', '5', 'O4,C4,2025-01-05'],
    [
      "line 7: column order_date: could not convert 'not-a-date' to DATE; column quantity: could not convert 'zz' to INTEGER",
      'dirty-1.csv',
      '7',
      'O6,C6,not-a-date,zz,1.00',
    ],
    ['missing required value for customer_id', 'dirty-1.csv', null, 'O5,,2025-01-06,1,1.00'],
    ['missing required value for order_id', 'dirty-2.csv', null, ',C9,2025-02-01,1,1.00'],
  ]);
  const published = await readRows(staged.path, 'SELECT order_id FROM data ORDER BY order_id');
  assert.deepEqual(published, [['O1'], ['O10'], ['O7']]);
});

test('reads columns by header name, in any order, ignoring extra columns', async () => {
  const file = await fixture.write(
    'reordered.csv',
    'amount,note,quantity,order_date,customer_id,order_id\n1.00,hello,2,2025-01-01,C1,O1\n',
  );
  const staged = await fixture.engine.ingest({
    files: [file],
    format: 'csv',
    columns: ORDER_COLUMNS,
    target: { domain: 'sales', runId: 'run-1', name: 'reordered' },
  });
  assert.deepEqual(await readRows(staged.path, 'SELECT * FROM data'), [
    ['O1', 'C1', '2025-01-01', 2, '1.00'],
  ]);
});

test('a file without a contract column fails with its location', async () => {
  const file = await fixture.write(
    'no-amount.csv',
    'order_id,customer_id,order_date,quantity\nO1,C1,2025-01-01,1\n',
  );
  await assert.rejects(
    fixture.engine.ingest({
      files: [file],
      format: 'csv',
      columns: ORDER_COLUMNS,
      target: { domain: 'sales', runId: 'run-1', name: 'broken' },
    }),
    (error: unknown) =>
      error instanceof QuantaError &&
      error.code === 'QUANTA_INGEST_FAILED' &&
      error.details.location?.line === 1 &&
      /no column amount/.test(error.message),
  );
});

test('CRLF, a BOM, blank lines, quoted newlines and an unterminated quote keep every row accounted for', async () => {
  const columns = [column('a', 'integer', { required: true }), column('b', 'string')];
  const cases = [
    { name: 'crlf', content: 'a,b\r\n1,x\r\nq,y\r\n', published: 1, quarantined: 1 },
    { name: 'bom', content: '\uFEFFa,b\n1,x\n', published: 1, quarantined: 0 },
    { name: 'blank', content: 'a,b\n1,x\n\n2,y', published: 2, quarantined: 0 },
    { name: 'quoted', content: 'a,b\n1,"two\nlines"\n2,"say ""hi"""\n', published: 2, quarantined: 0 },
    { name: 'unterminated', content: 'a,b\n1,"open\n2,y\n', published: 0, quarantined: 1 },
    { name: 'header-only', content: 'a,b\n', published: 0, quarantined: 0 },
    { name: 'empty', content: '', published: 0, quarantined: 0 },
  ];
  for (const { name, content, published, quarantined } of cases) {
    const staged = await fixture.engine.ingest({
      files: [await fixture.write(`${name}.csv`, content)],
      format: 'csv',
      columns,
      target: { domain: 'edge', runId: 'r', name },
    });
    assert.deepEqual([staged.rowCount, staged.quarantinedRows], [published, quarantined], name);
  }
});
