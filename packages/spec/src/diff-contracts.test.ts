import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ColumnSpec, ContractSpec, JsonObject } from '@quanta/model';
import { columnSpec } from '@quanta/model/test-support';
import { diffContracts } from './diff-contracts.ts';
import { versionBump } from './version-bump.ts';

const column = columnSpec;

function contract(
  columns: ColumnSpec[],
  extra: { retentionDays?: number; odcs?: JsonObject } = {},
): ContractSpec {
  return {
    file: 'c.odcs.yaml',
    id: 'c',
    version: '1.0.0',
    apiVersion: 'v3.1.0',
    table: { name: 't', columns },
    quality: [],
    ...(extra.retentionDays === undefined ? {} : { retentionDays: extra.retentionDays }),
    odcs: extra.odcs ?? {},
  };
}

function verdictOf(before: ColumnSpec, after: ColumnSpec): string {
  const diff = diffContracts(contract([before]), contract([after]));
  return `${diff.verdict}: ${diff.changes.map((item) => item.message).join('; ')}`;
}

test('no change is verdict none', () => {
  assert.deepEqual(diffContracts(contract([column('a')]), contract([column('a')])), {
    verdict: 'none',
    changes: [],
  });
});

test('removing a column is breaking', () => {
  const diff = diffContracts(contract([column('a'), column('b')]), contract([column('a')]));
  assert.deepEqual(diff, {
    verdict: 'major',
    changes: [{ breaking: true, message: "column 'b' is removed", column: 'b', level: 'major' }],
  });
});

test('narrowing a type is breaking; widening it is minor', () => {
  const cases: [string, string, string][] = [
    ['bigint', 'integer', "major: column 'a' narrows its type from bigint to integer"],
    ['double', 'float', "major: column 'a' narrows its type from double to float"],
    ['varchar', 'integer', "major: column 'a' narrows its type from varchar to integer"],
    ['timestamp', 'date', "major: column 'a' narrows its type from timestamp to date"],
    ['integer', 'bigint', "minor: column 'a' widens its type from integer to bigint"],
    ['date', 'timestamp', "minor: column 'a' widens its type from date to timestamp"],
    ['integer', 'varchar', "minor: column 'a' widens its type from integer to varchar"],
  ];
  for (const [from, to, expected] of cases) {
    assert.equal(verdictOf(column('a', { physicalType: from }), column('a', { physicalType: to })), expected);
  }
});

test('decimal precision and maximum length: shrinking is breaking, growing is minor', () => {
  assert.equal(
    verdictOf(
      column('a', { physicalType: 'decimal(12,2)', precision: 12, scale: 2 }),
      column('a', { physicalType: 'decimal(10,2)', precision: 10, scale: 2 }),
    ),
    "major: column 'a' narrows its type from decimal(12,2) to decimal(10,2)",
  );
  assert.equal(
    verdictOf(
      column('a', { physicalType: 'decimal(10,2)', precision: 10, scale: 2 }),
      column('a', { physicalType: 'decimal(14,4)', precision: 14, scale: 4 }),
    ),
    "minor: column 'a' widens its type from decimal(10,2) to decimal(14,4)",
  );
  assert.equal(
    verdictOf(column('a', { maxLength: 100 }), column('a', { maxLength: 50 })),
    "major: column 'a' lowers its maxLength from 100 to 50",
  );
  assert.equal(
    verdictOf(column('a', { maxLength: 50 }), column('a', { maxLength: 100 })),
    "minor: column 'a' raises its maxLength from 50 to 100",
  );
});

test('making a column required is breaking; relaxing it is minor', () => {
  assert.equal(verdictOf(column('a'), column('a', { required: true })), "major: column 'a' becomes required");
  assert.equal(
    verdictOf(column('a', { required: true }), column('a')),
    "minor: column 'a' is no longer required",
  );
});

test('adding columns: optional is minor, required is breaking', () => {
  const optional = diffContracts(contract([column('a')]), contract([column('a'), column('b')]));
  assert.equal(optional.verdict, 'minor');
  const required = diffContracts(
    contract([column('a')]),
    contract([column('a'), column('b', { required: true })]),
  );
  assert.equal(required.verdict, 'major');
});

test('dropping an enum value is breaking; adding one is minor', () => {
  assert.equal(
    verdictOf(column('a', { enumValues: ['x', 'y'] }), column('a', { enumValues: ['x'] })),
    "major: column 'a' drops allowed value(s) y",
  );
  assert.equal(
    verdictOf(column('a', { enumValues: ['x'] }), column('a', { enumValues: ['x', 'z'] })),
    "minor: column 'a' allows new value(s) z",
  );
});

test('weakening a classification is breaking; tightening it is minor', () => {
  assert.equal(
    verdictOf(column('a', { classification: 'restricted' }), column('a', { classification: 'internal' })),
    "major: column 'a' classification goes from restricted to internal (weakened)",
  );
  assert.equal(
    verdictOf(column('a', { classification: 'public' }), column('a', { classification: 'confidential' })),
    "minor: column 'a' classification goes from public to confidential (tightened)",
  );
});

test('shortening retention is breaking; lengthening it is minor', () => {
  assert.equal(
    diffContracts(contract([], { retentionDays: 365 }), contract([], { retentionDays: 30 })).verdict,
    'major',
  );
  assert.equal(
    diffContracts(contract([], { retentionDays: 30 }), contract([], { retentionDays: 365 })).verdict,
    'minor',
  );
});

test('weakening an SLA is breaking; tightening it is minor', () => {
  const sla = (entries: JsonObject[]) => contract([], { odcs: { slaProperties: entries } });
  const cases: [JsonObject, JsonObject, string][] = [
    [{ property: 'latency', value: 4, unit: 'h' }, { property: 'latency', value: 1, unit: 'd' }, 'major'],
    [{ property: 'latency', value: 1, unit: 'd' }, { property: 'latency', value: 4, unit: 'h' }, 'minor'],
    [{ property: 'freshness', value: 1, unit: 'd' }, { property: 'freshness', value: 2, unit: 'd' }, 'major'],
    [{ property: 'availability', value: '99.9%' }, { property: 'availability', value: '99%' }, 'major'],
    [{ property: 'availability', value: 99 }, { property: 'availability', value: 99.9 }, 'minor'],
    [{ property: 'frequency', value: 1, unit: 'd' }, { property: 'frequency', value: 1, unit: 'w' }, 'major'],
    [{ property: 'frequency', value: 1, unit: 'd' }, { property: 'frequency', value: 1, unit: 'h' }, 'minor'],
  ];
  for (const [before, after, expected] of cases) {
    const diff = diffContracts(sla([before]), sla([after]));
    assert.equal(diff.verdict, expected, `${JSON.stringify(before)} → ${JSON.stringify(after)}`);
  }
  assert.deepEqual(diffContracts(sla([{ property: 'latency', value: 4, unit: 'h' }]), sla([])).changes, [
    { breaking: true, message: 'SLA latency is dropped', level: 'major' },
  ]);
});

test('descriptions, tags and other documentation are a patch', () => {
  assert.equal(
    verdictOf(column('a', { description: 'old' }), column('a', { description: 'new', tags: ['x'] })),
    "patch: column 'a' description changes; column 'a' tags change",
  );
  const docs = diffContracts(
    contract([], { odcs: { version: '1.0.0', description: { usage: 'old' } } }),
    contract([], { odcs: { version: '1.0.1', description: { usage: 'new' } } }),
  );
  assert.deepEqual(docs, {
    verdict: 'patch',
    changes: [{ breaking: false, message: 'contract description change(s)', level: 'patch' }],
  });
});

test('versionBump compares declared semantic versions', () => {
  assert.equal(versionBump('1.0.0', '2.0.0'), 'major');
  assert.equal(versionBump('1.0.0', '1.1.0'), 'minor');
  assert.equal(versionBump('1.0.0', '1.0.1'), 'patch');
  assert.equal(versionBump('v1.2.3', '1.2.3'), 'none');
  assert.equal(versionBump('1.2.0', '1.1.9'), 'downgrade');
});
