import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { QualityReport, TableProfile } from '@quanta/model';
import type { CatalogStore } from './catalog-store.ts';
import { newSnapshot } from './test-support/catalog-fixtures.ts';

/** A quality report with one passed, one failed (warning, with a sample) and one unenforceable clause. */
export function qualityReport(options: { isBlocking: boolean; checkedAt: string }): QualityReport {
  return {
    checkedAt: options.checkedAt,
    schema: [{ name: 'schema:id', column: 'id', passed: true, detail: 'BIGINT fits BIGINT' }],
    clauses: [
      {
        id: '/schema/0/properties/0/required',
        name: 'required:id',
        kind: 'metric',
        status: 'passed',
        severity: 'error',
        measured: 0,
        threshold: '= 0',
        unit: 'rows',
        detail: '0 null value(s); must be = 0',
        samples: [],
      },
      {
        id: '/schema/0/properties/1/quality/0',
        name: 'email pattern',
        kind: 'metric',
        status: 'failed',
        severity: options.isBlocking ? 'error' : 'warning',
        measured: 12.5,
        threshold: '< 10',
        unit: 'percent',
        detail: '12.5% invalid',
        samples: [{ id: 7, email: 'émile@@x', amount: 1.5, tags: ['a', 'b'] }],
      },
      {
        id: '/slaProperties/2',
        name: 'sla:frequency',
        kind: 'unenforceable',
        status: 'cannotEnforce',
        severity: 'warning',
        detail: 'cannot enforce: frequency promises a schedule',
        samples: [],
      },
    ],
    enforced: 2,
    total: 3,
    isBlocking: options.isBlocking,
    scans: 2,
    rowCount: 8,
    quarantinedRows: 0,
  };
}

const PROFILE: TableProfile = {
  rowCount: 3,
  scans: 2,
  columns: [
    {
      name: 'id',
      type: 'BIGINT',
      count: 3,
      nulls: 0,
      distinct: 3,
      min: 1,
      max: 3,
      mean: 2,
      stddev: 1,
      quantiles: { p25: 1, p50: 2, p75: 3, p95: 3 },
      topValues: [],
      histogram: [
        { lower: 1, upper: 2, count: 1 },
        { lower: 2, upper: 3, count: 2 },
      ],
    },
  ],
};

/** The quality store's behaviour, registered into the catalog store suite of every backend. */
export function registerQualityTests(openStore: () => Promise<CatalogStore>): void {
  test('a snapshot is published with its quality report and profile, in one transaction', async () => {
    const store = await openStore();
    const quality = qualityReport({ isBlocking: false, checkedAt: '2025-01-02T03:04:05.000Z' });
    const first = await store.publishSnapshot({
      ...newSnapshot('q.p.port', 'run-a'),
      quality,
      profile: PROFILE,
    });
    const second = await store.publishSnapshot(newSnapshot('q.p.port', 'run-b'));
    assert.deepEqual(await store.getQualityReport('q.p.port', first.version), {
      runId: 'run-a',
      port: 'q.p.port',
      version: 1,
      report: quality,
    });
    assert.deepEqual(await store.getProfile('q.p.port', 1), PROFILE);
    assert.equal(await store.getQualityReport('q.p.port', second.version), undefined);
    assert.equal(await store.getProfile('q.p.port', 2), undefined);
  });

  test("a blocked run's report is recorded without a version and listed newest first", async () => {
    const store = await openStore();
    const blocked = qualityReport({ isBlocking: true, checkedAt: '2025-01-03T00:00:00.000Z' });
    const passed = qualityReport({ isBlocking: false, checkedAt: '2025-01-02T00:00:00.000Z' });
    await store.publishSnapshot({ ...newSnapshot('q.p.port', 'run-1'), quality: passed });
    await store.recordQualityReport({ runId: 'run-2', port: 'q.p.port', report: blocked });
    await store.recordQualityReport({ runId: 'run-3', port: 'q.p.other', report: blocked });
    const listed = await store.listQualityReports({ port: 'q.p.port' });
    assert.deepEqual(
      listed.map((record) => [record.runId, record.version, record.report.isBlocking]),
      [
        ['run-2', undefined, true],
        ['run-1', 1, false],
      ],
    );
    assert.deepEqual(
      (await store.listQualityReports({ runId: 'run-3' })).map((record) => record.port),
      ['q.p.other'],
    );
    assert.equal((await store.listQualityReports({ limit: 1 })).length, 1);
    await assert.rejects(store.recordQualityReport({ runId: 'run-2', port: 'q.p.port', report: blocked }));
  });
}
