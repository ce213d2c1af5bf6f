import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { encodeBinary, encodeText, PG_OID, pgTypeOf } from './pg-types.ts';

describe('pg types', () => {
  test('maps DuckDB type names to PostgreSQL OIDs', () => {
    const oids = [
      'VARCHAR',
      'SMALLINT',
      'INTEGER',
      'BIGINT',
      'FLOAT',
      'DOUBLE',
      'BOOLEAN',
      'DATE',
      'TIMESTAMP',
    ]
      .concat([
        'TIMESTAMP WITH TIME ZONE',
        'STRUCT("a" INTEGER)',
        'INTEGER[]',
        'MAP(VARCHAR, INTEGER)',
        'UUID',
        'INTERVAL',
      ])
      .map((type) => pgTypeOf(type).oid);
    assert.deepEqual(oids, [25, 21, 23, 20, 700, 701, 16, 1082, 1114, 1184, 114, 114, 114, 25, 25]);
    assert.deepEqual(pgTypeOf('DECIMAL(12,2)'), {
      oid: PG_OID.numeric,
      size: -1,
      modifier: (12 << 16) + 2 + 4,
    });
  });

  test('writes text values as PostgreSQL prints them', () => {
    const text = (value: Parameters<typeof encodeText>[0], type: string): string | undefined =>
      encodeText(value, pgTypeOf(type))?.toString();
    assert.equal(text(true, 'BOOLEAN'), 't');
    assert.equal(text(null, 'VARCHAR'), undefined);
    assert.equal(text('2024-01-02T03:04:05.120', 'TIMESTAMP'), '2024-01-02 03:04:05.12');
    assert.equal(text('2024-01-02T03:04:05.000Z', 'TIMESTAMP WITH TIME ZONE'), '2024-01-02 03:04:05+00');
    assert.equal(text({ a: [1, 'x'] }, 'STRUCT(a INTEGER[])'), '{"a":[1,"x"]}');
    assert.equal(text('quoted', 'JSON'), '"quoted"');
  });

  test('writes binary values in network order from the PostgreSQL epoch', () => {
    const hex = (value: Parameters<typeof encodeBinary>[0], type: string): string | undefined =>
      encodeBinary(value, pgTypeOf(type))?.toString('hex');
    assert.equal(hex(1.5, 'DOUBLE'), '3ff8000000000000');
    assert.equal(hex(-2, 'INTEGER'), 'fffffffe');
    assert.equal(hex('9007199254740993', 'BIGINT'), '0020000000000001');
    assert.equal(hex('2000-01-02', 'DATE'), '00000001');
    assert.equal(hex('2000-01-01T00:00:01.000001', 'TIMESTAMP'), '00000000000f4241');
    assert.equal(hex('2000-01-01T01:00:00+01:00', 'TIMESTAMP WITH TIME ZONE'), '0000000000000000');
  });
});
