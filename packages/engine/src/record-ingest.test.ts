import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { column, createEngineFixture, type EngineFixture, readRows } from './test-fixtures.ts';

const COLUMNS = [
  column('id', 'integer', { required: true }),
  column('name', 'string', { required: true }),
  column('score', 'number', { physicalType: 'decimal(6,2)' }),
  column('seen', 'date'),
];

let fixture: EngineFixture;
before(async () => {
  fixture = await createEngineFixture();
});
after(async () => {
  await fixture.dispose();
});

test('ingests NDJSON, quarantining invalid lines, bad values and missing required values', async () => {
  const file = await fixture.write(
    'people.ndjson',
    [
      '{"id": 1, "name": "Ada", "score": 9.5, "seen": "2025-01-02"}',
      '',
      '{"id": "two", "name": "Bob"}',
      'not json',
      '{"id": 3}',
      '[1, 2]',
      '{"id": 4, "name": "Cy", "extra": true}',
    ].join('\n'),
  );
  const staged = await fixture.engine.ingest({
    files: [file],
    format: 'ndjson',
    columns: COLUMNS,
    target: { domain: 'people', runId: 'r', name: 'ndjson' },
  });
  assert.equal(staged.rowCount, 2);
  assert.equal(staged.quarantinedRows, 4);
  assert.equal(staged.rowsIn, 6);
  assert.deepEqual(await readRows(staged.path, 'SELECT reason, line FROM quarantine ORDER BY line'), [
    ["line 3: column id: could not convert 'two' to BIGINT", '3'],
    ['line 4: invalid JSON', '4'],
    ['line 5: missing required value for name', '5'],
    ['line 6: not a JSON object', '6'],
  ]);
  assert.deepEqual(await readRows(staged.path, 'SELECT id, name, score, seen FROM data ORDER BY id'), [
    ['1', 'Ada', '9.50', '2025-01-02'],
    ['4', 'Cy', null, null],
  ]);
});

test('ingests a JSON array document record by record', async () => {
  const file = await fixture.write(
    'people.json',
    JSON.stringify([
      { id: 1, name: 'Ada', seen: '2025-01-02' },
      { id: 2, name: 'Bob', seen: 'yesterday' },
    ]),
  );
  const staged = await fixture.engine.ingest({
    files: [file],
    format: 'json',
    columns: COLUMNS,
    target: { domain: 'people', runId: 'r', name: 'json' },
  });
  assert.deepEqual([staged.rowCount, staged.quarantinedRows, staged.rowsIn], [1, 1, 2]);
  assert.deepEqual(await readRows(staged.path, 'SELECT reason FROM quarantine'), [
    ["record 2: column seen: could not convert 'yesterday' to DATE"],
  ]);
});

test('ingests Parquet, casting to the contract types', async () => {
  const file = path.join(fixture.dir, 'landing', 'people.parquet');
  await mkdir(path.dirname(file), { recursive: true });
  await readRows(
    path.join(fixture.dir, 'scratch.duckdb'),
    `COPY (SELECT * FROM (VALUES (1, 'Ada', 9.25, '2025-01-02'), (2, NULL, 1.0, '2025-01-03'), (3, 'Cy', 2.5, 'soon'))
       AS t(id, name, score, seen)) TO '${file}' (FORMAT parquet)`,
    { isWritable: true },
  );
  const staged = await fixture.engine.ingest({
    files: [file],
    format: 'parquet',
    columns: COLUMNS,
    target: { domain: 'people', runId: 'r', name: 'parquet' },
  });
  assert.deepEqual([staged.rowCount, staged.quarantinedRows, staged.rowsIn], [1, 2, 3]);
  assert.deepEqual(await readRows(staged.path, 'SELECT reason FROM quarantine ORDER BY line'), [
    ['row 2: missing required value for name'],
    ["row 3: column seen: could not convert 'soon' to DATE"],
  ]);
  assert.deepEqual(
    staged.columns.map((entry) => entry.type),
    ['BIGINT', 'VARCHAR', 'DECIMAL(6,2)', 'DATE'],
  );
});
