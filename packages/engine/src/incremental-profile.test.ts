import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DuckDBInstance } from '@duckdb/node-api';
import type { ColumnProfile, TableProfile } from '@quanta/model';
import type { StagedTable } from './data-engine.ts';
import { PROFILE_SAMPLE_ROWS } from './table-profile.ts';
import { createEngineFixture, type EngineFixture } from './test-fixtures.ts';

/**
 * Seeded generated rows `first .. first + count - 1`: DuckDB's `hash` of the row number and the
 * seed drives every value, so a seed always gives the same rows.
 */
function rowsSql(input: { seed: number; first: number; count: number }): string {
  const h = (salt: number) => `hash(range * 7919 + ${input.seed * 1000 + salt})`;
  return `SELECT
      printf('K%07d', ${h(1)} % 40000) AS k,
      CASE WHEN ${h(2)} % 50 = 0 THEN NULL ELSE (${h(3)} % 100000) / 100.0 END::DOUBLE AS x,
      (${h(4)} % 500)::INTEGER - 250 AS n,
      (${h(5)} % 90000)::DECIMAL(12,2) / 100 AS price,
      ['red', 'green', 'blue', 'cyan'][(1 + ${h(6)} % 4)::INTEGER] || CASE WHEN ${h(7)} % 9 = 0 THEN '-x' ELSE '' END AS colour,
      DATE '2025-01-01' + (${h(8)} % 200)::INTEGER AS day,
      TIMESTAMP '2025-01-01 00:00:00' + to_seconds((${h(9)} % 9000000)::BIGINT) AS seen,
      ${h(10)} % 3 = 0 AS flag
    FROM range(${input.first}, ${input.first + input.count})`;
}

/** The delta's extra rows: a null in every column, and values past the base's min and max. */
const EDGES = `SELECT * FROM (VALUES
    (NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
    ('A0', -5.5, -999, 0.01, 'a', DATE '2024-12-01', TIMESTAMP '2024-12-01 10:00:00.123456', true),
    ('Z9', 9999.25, 999, 99999.99, 'zzzzzzzzzz', DATE '2025-12-31', TIMESTAMP '2026-01-01 00:00:00', false)
  ) AS t(k, x, n, price, colour, day, seen, flag)`;

let fixture: EngineFixture;

/** The previous snapshot's rows then the delta's, as an incremental ingest stages them. */
async function append(input: { base: number; delta: number; name: string }) {
  const base = await fixture.stage(rowsSql({ seed: 3, first: 0, count: input.base }), `${input.name}-base`);
  const baseProfile = await fixture.engine.profile(base);
  const previous = await fixture.publish(base, `${input.name}-base`);
  const delta = await fixture.stage(
    `${rowsSql({ seed: 5, first: input.base, count: input.delta })} UNION ALL ${EDGES}`,
    `${input.name}-delta`,
  );
  const appended = (name: string) => fixture.stageAppended({ previous, delta }, name);
  return {
    baseProfile,
    forFull: await appended(`${input.name}-full`),
    forMerge: await appended(`${input.name}-merge`),
  };
}

async function exactDistinct(table: StagedTable, columns: readonly string[]): Promise<number[]> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    await connection.run(`ATTACH '${table.path}' AS t (READ_ONLY)`);
    const reader = await connection.runAndReadAll(
      `SELECT ${columns.map((name) => `count(DISTINCT ${name})`).join(', ')} FROM t.main.data`,
    );
    return (reader.getRowsJson()[0] ?? []).map(Number);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/** Everything but the moments, compared exactly; the moments to 1e-9 relative. */
function assertMergedEqualsFull(merged: ColumnProfile, full: ColumnProfile): void {
  const { mean, stddev, ...exact } = merged;
  const { mean: fullMean, stddev: fullStddev, ...fullExact } = full;
  assert.deepEqual(exact, fullExact, `column ${full.name}`);
  for (const [value, expected] of [
    [mean, fullMean],
    [stddev, fullStddev],
  ] as const) {
    assert.equal(value === undefined, expected === undefined, `column ${full.name}`);
    if (value !== undefined && expected !== undefined)
      assert.ok(Math.abs(value - expected) <= 1e-9 * Math.max(1, Math.abs(expected)), `column ${full.name}`);
  }
}

before(async () => {
  fixture = await createEngineFixture();
});
after(() => fixture.dispose());

describe('an incremental profile of an appended snapshot', () => {
  for (const [label, base, delta] of [
    ['a small table (its own sample)', 8_000, 900],
    ['a sampled table', PROFILE_SAMPLE_ROWS + 20_000, 4_000],
  ] as const) {
    test(`merges the base profile with the delta's into the full profile: ${label}`, async () => {
      const name = base > PROFILE_SAMPLE_ROWS ? 'big' : 'small';
      const tables = await append({ base, delta, name });
      const full = await fixture.engine.profile(tables.forFull);
      const merged = await fixture.engine.profile(tables.forMerge, {
        incremental: { baseRows: base, baseProfile: tables.baseProfile },
      });
      assert.deepEqual(merged.incremental, { baseRows: base, deltaRows: delta + 3 });
      assert.equal(full.incremental, undefined);
      const { incremental: _merged, columns: mergedColumns, ...mergedTable } = merged;
      const { columns: fullColumns, ...fullTable } = full;
      assert.deepEqual(mergedTable, fullTable);
      assert.equal(mergedColumns.length, 8);
      for (const [index, column] of mergedColumns.entries()) {
        const expected = fullColumns[index];
        assert.ok(expected);
        assertMergedEqualsFull(column, expected);
      }
      // The delta's edges moved min and max; its null row counts in every column.
      const byName = new Map(mergedColumns.map((column) => [column.name, column]));
      assert.deepEqual([byName.get('n')?.min, byName.get('n')?.max], [-999, 999]);
      assert.deepEqual([byName.get('seen')?.min], ['2024-12-01 10:00:00.123456']);
      assert.ok((byName.get('flag')?.nulls ?? 0) >= 1);
      // Distinct is approximate: within 6 % (above 2.5 standard errors) of the exact count.
      const names = mergedColumns.map((column) => column.name);
      const exact = await exactDistinct(tables.forFull, names);
      for (const [index, column] of mergedColumns.entries()) {
        const truth = exact[index] ?? 0;
        assert.ok(
          Math.abs(column.distinct - truth) <= Math.max(1, 0.06 * truth),
          `${column.name}: ${column.distinct} vs ${truth}`,
        );
      }
    });
  }

  test('a base profile that cannot be merged gives a full profile', async () => {
    const tables = await append({ base: 500, delta: 50, name: 'unmergeable' });
    const withoutSketches: TableProfile = {
      ...tables.baseProfile,
      columns: tables.baseProfile.columns.map(({ sketch: _sketch, ...column }) => column),
    };
    const profile = await fixture.engine.profile(tables.forMerge, {
      incremental: { baseRows: 500, baseProfile: withoutSketches },
    });
    assert.equal(profile.incremental, undefined);
    assert.equal(profile.rowCount, 553);
    const wrongRows = await fixture.engine.profile(tables.forFull, {
      incremental: { baseRows: 400, baseProfile: tables.baseProfile },
    });
    assert.equal(wrongRows.incremental, undefined);
  });
});
