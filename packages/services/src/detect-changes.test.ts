import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ClauseResult, ColumnProfile, QualityReport, QualityRule, SnapshotRecord } from '@quanta/model';
import {
  detectChanges,
  histogramPsi,
  type ObservedSnapshot,
  qualityFindings,
  robustStats,
} from './detect-changes.ts';

const PORT = 'quanta://sales/orders/orders';

function observed(
  version: number,
  fields: {
    at: string;
    rows?: number;
    columns?: ColumnProfile[];
    hash?: string;
    state?: 'succeeded' | 'failed' | 'blocked';
  },
): ObservedSnapshot {
  const snapshot: SnapshotRecord = {
    port: PORT,
    version,
    schemaHash: fields.hash ?? 'h1',
    columns:
      fields.hash === 'h2' ? [{ name: 'amount', type: 'VARCHAR' }] : [{ name: 'amount', type: 'DOUBLE' }],
    rowCount: fields.rows ?? 1000,
    quarantinedRows: 0,
    inputVersions: [],
    runId: `run-${version}`,
    createdAt: fields.at,
    storagePath: `x/${version}.duckdb`,
    bytes: 1,
  };
  return {
    snapshot,
    runState: fields.state ?? 'succeeded',
    ...(fields.columns
      ? { profile: { rowCount: snapshot.rowCount, scans: 2, columns: fields.columns } }
      : {}),
  };
}

function amount(fields: Partial<ColumnProfile> & { shift?: number }): ColumnProfile {
  const shift = fields.shift ?? 0;
  return {
    name: 'amount',
    type: 'DOUBLE',
    count: 1000,
    nulls: 0,
    distinct: 500,
    topValues: [],
    histogram: [0, 1, 2, 3].map((index) => ({
      lower: index * 10 + shift,
      upper: (index + 1) * 10 + shift,
      count: 250,
    })),
    ...fields,
  };
}

/** Daily snapshots at 06:00 UTC, newest first, ending the day before `day`. */
function daily(days: number, rows: (day: Date) => number): ObservedSnapshot[] {
  return Array.from({ length: days }, (_, index) => {
    const at = new Date(Date.UTC(2025, 2, 31 - index, 6));
    return observed(days - index, { at: at.toISOString(), rows: rows(at), columns: [amount({})] });
  });
}

test('PSI is 0 for the same distribution, even binned differently, and large for a shift', () => {
  const coarse = [{ lower: 0, upper: 40, count: 100 }];
  const fine = [0, 1, 2, 3].map((index) => ({ lower: index * 10, upper: (index + 1) * 10, count: 25 }));
  assert.ok((histogramPsi(coarse, fine) ?? 1) < 1e-9);
  const shifted = fine.map((bin) => ({ ...bin, lower: bin.lower + 30, upper: bin.upper + 30 }));
  assert.ok((histogramPsi(fine, shifted) ?? 0) > 1);
  assert.equal(histogramPsi(undefined, fine), undefined);
});

test('robust statistics ignore an outlier', () => {
  assert.deepEqual(robustStats([10, 11, 9, 10, 1000]), { median: 10, mad: 1.4826 });
});

test('schema, null-rate, distinct and distribution changes against the previous snapshot', () => {
  const history = daily(3, () => 1000);
  const current = observed(4, {
    at: '2025-04-01T06:00:00Z',
    hash: 'h2',
    columns: [amount({ nulls: 300, count: 700, distinct: 100, shift: 35 })],
  });
  const findings = detectChanges(current, history);
  assert.deepEqual(
    findings.map((found) => [found.kind, found.severity]),
    [
      ['schemaChange', 'critical'],
      ['nullRate', 'critical'],
      ['distinctCount', 'warning'],
      ['distribution', 'warning'],
    ],
  );
  assert.match(findings[0]?.message ?? '', /amount DOUBLE → VARCHAR/);
  assert.deepEqual(
    detectChanges(observed(4, { at: '2025-04-01T06:00:00Z', columns: [amount({})] }), history),
    [],
  );
});

test('volume follows weekly seasonality: a quiet Sunday is normal, a quiet Tuesday is not', () => {
  // Five weeks of daily loads: 100 rows on Sundays, 1000 on other days.
  const history = daily(35, (day) => (day.getUTCDay() === 0 ? 100 : 1000));
  const sunday = observed(36, { at: '2025-04-06T06:00:00Z', rows: 100, columns: [amount({})] });
  const volumeOf = (current: ObservedSnapshot) =>
    detectChanges(current, history).filter((found) => found.kind === 'volume');
  assert.deepEqual(volumeOf(sunday), []);
  const tuesday = observed(36, { at: '2025-04-01T06:00:00Z', rows: 100, columns: [amount({})] });
  const [volume] = volumeOf(tuesday);
  assert.equal(volume?.kind, 'volume');
  assert.equal(volume?.baseline, 1000);
});

test('the baseline ignores failed and blocked runs; a late publish is a freshness anomaly', () => {
  const history = daily(10, () => 1000).map((item, index) =>
    index < 3 ? { ...item, snapshot: { ...item.snapshot, rowCount: 5 }, runState: 'blocked' as const } : item,
  );
  const normal = observed(11, { at: '2025-04-01T06:00:00Z', rows: 1000, columns: [amount({})] });
  assert.deepEqual(
    detectChanges(normal, history).filter((found) => found.kind === 'volume'),
    [],
  );
  const late = observed(11, { at: '2025-04-03T06:00:00Z', rows: 1000, columns: [amount({})] });
  const [freshness] = detectChanges(
    late,
    daily(10, () => 1000),
  );
  assert.equal(freshness?.kind, 'freshness');
  assert.equal(freshness?.measured, 72);
  assert.equal(freshness?.baseline, 24);
});

test('a failed frequency SLA clause is a freshness finding; other failed clauses are quality findings', () => {
  const failed = (id: string, name: string): ClauseResult => ({
    id,
    name,
    kind: 'sla',
    status: 'failed',
    severity: 'warning',
    measured: 2.5,
    detail: 'late',
    samples: [],
  });
  const report: QualityReport = {
    checkedAt: '2025-04-01T06:00:00Z',
    schema: [],
    clauses: [
      failed('/slaProperties/0', 'sla:frequency'),
      failed('/slaProperties/1', 'sla:completeness'),
      { ...failed('/slaProperties/2', 'sla:latency'), status: 'passed' },
    ],
    enforced: 3,
    total: 3,
    isBlocking: false,
    scans: 1,
    rowCount: 1,
    quarantinedRows: 0,
  };
  const rules: QualityRule[] = [
    {
      id: '/slaProperties/0',
      name: 'sla:frequency',
      severity: 'warning',
      kind: 'sla',
      property: 'frequency',
      limitDays: 1,
    },
    {
      id: '/slaProperties/1',
      name: 'sla:completeness',
      severity: 'warning',
      kind: 'sla',
      property: 'completeness',
      minimum: 0.99,
    },
  ];
  const snapshot = { port: 'quanta://sales/orders/orders', version: 3 };
  assert.deepEqual(
    qualityFindings(snapshot, { report, rules }).map((found) => [found.kind, found.severity, found.message]),
    [
      ['freshness', 'warning', 'sla:frequency: late'],
      ['quality', 'warning', 'sla:completeness: late'],
    ],
  );
  assert.deepEqual(
    qualityFindings(snapshot, { report }).map((found) => found.kind),
    ['quality', 'quality'],
  );
});
