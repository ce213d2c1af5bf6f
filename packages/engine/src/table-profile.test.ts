import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { TableProfile } from '@quanta/model';
import { PROFILE_SAMPLE_ROWS } from './table-profile.ts';
import { createEngineFixture, type EngineFixture } from './test-fixtures.ts';

let fixture: EngineFixture;
let profile: TableProfile;

before(async () => {
  fixture = await createEngineFixture();
  const staged = await fixture.engine.transform({
    sql: `SELECT range::INTEGER + 1 AS n,
                 CASE WHEN range < 6 THEN 'AB-12' WHEN range < 9 THEN 'cd' ELSE NULL END AS code,
                 DATE '2025-01-01' + range::INTEGER AS day
          FROM range(10)`,
    inputs: {},
    target: { domain: 'd', runId: 'r', name: 'p' },
  });
  profile = await fixture.engine.profile(staged);
});
after(() => fixture.dispose());

test('profiles every column of a small table exactly: it is its own sample', () => {
  assert.equal(profile.rowCount, 10);
  // Exact aggregate, top values, then histograms and exact counts: three passes over 10 rows.
  assert.equal(profile.scans, 3);
  assert.equal(profile.sampleRows, undefined);
  assert.deepEqual(
    profile.columns.map((column) => column.name),
    ['n', 'code', 'day'],
  );
});

test('a numeric column has range, moments, quantiles and an equi-width histogram', () => {
  const n = profile.columns[0];
  assert.ok(n);
  assert.deepEqual(
    { count: n.count, nulls: n.nulls, distinct: n.distinct, min: n.min, max: n.max, mean: n.mean },
    // distinct is HyperLogLog's estimate; linear counting over 2,048 registers is exact here.
    { count: 10, nulls: 0, distinct: 10, min: 1, max: 10, mean: 5.5 },
  );
  assert.equal(Math.round((n.stddev ?? 0) * 1000) / 1000, 3.028);
  // approx_quantile (t-digest) keeps the column's type; on 1..10 it answers 6 for the median.
  assert.deepEqual(n.quantiles, { p25: 3, p50: 6, p75: 8, p95: 10 });
  assert.equal(n.histogram?.length, 10);
  assert.deepEqual(
    n.histogram?.map((bin) => bin.count),
    [1, 1, 1, 1, 1, 1, 1, 1, 1, 1],
  );
  assert.deepEqual([n.histogram?.[0]?.lower, n.histogram?.at(-1)?.upper], [1, 10]);
});

test('a text column has lengths, exact top values and pattern classes', () => {
  const code = profile.columns[1];
  assert.ok(code);
  assert.deepEqual(
    { count: code.count, nulls: code.nulls, distinct: code.distinct },
    { count: 9, nulls: 1, distinct: 2 },
  );
  assert.deepEqual(code.length, { min: 2, max: 5, mean: 4 });
  assert.deepEqual(code.topValues, [
    { value: 'AB-12', count: 6 },
    { value: 'cd', count: 3 },
  ]);
  assert.deepEqual(code.patterns, [
    { value: 'AA-99', count: 6 },
    { value: 'aa', count: 3 },
  ]);
  assert.equal(code.histogram, undefined);
});

test('a date column has ISO bounds and a histogram by day', () => {
  const day = profile.columns[2];
  assert.ok(day);
  assert.deepEqual([day.min, day.max], ['2025-01-01', '2025-01-10']);
  assert.equal(day.histogram?.length, 10);
  assert.deepEqual([day.histogram?.[0]?.lower, day.histogram?.at(-1)?.upper], ['2025-01-01', '2025-01-10']);
  // approx_quantile (t-digest) on dates.
  assert.equal(day.quantiles?.p50, '2025-01-06');
});

test('a large table takes top values, histograms and patterns from a sample, counts scaled', async () => {
  const rows = PROFILE_SAMPLE_ROWS * 3;
  const staged = await fixture.engine.transform({
    sql: `SELECT range::INTEGER AS n, CASE WHEN range % 4 = 0 THEN 'X1' ELSE 'yy' END AS code FROM range(${rows})`,
    inputs: {},
    target: { domain: 'd', runId: 'r', name: 'large' },
  });
  const large = await fixture.engine.profile(staged);
  assert.equal(large.rowCount, rows);
  assert.equal(large.scans, 2);
  assert.equal(large.sampleRows, PROFILE_SAMPLE_ROWS);
  const [n, code] = large.columns;
  // Exact statistics stay exact.
  assert.deepEqual([n?.count, n?.min, n?.max, n?.mean], [rows, 0, rows - 1, (rows - 1) / 2]);
  const binned = (n?.histogram ?? []).reduce((sum, bin) => sum + bin.count, 0);
  assert.ok(Math.abs(binned - rows) <= 16, `the scaled histogram holds ${binned} rows`);
  const shareOf = (value: string): number =>
    (code?.topValues.find((top) => top.value === value)?.count ?? 0) / rows;
  assert.ok(Math.abs(shareOf('X1') - 0.25) < 0.02, `X1 share ${shareOf('X1')}`);
  assert.ok(Math.abs(shareOf('yy') - 0.75) < 0.02, `yy share ${shareOf('yy')}`);
  assert.deepEqual(
    code?.patterns?.map((pattern) => pattern.value),
    ['aa', 'A9'],
  );
});
