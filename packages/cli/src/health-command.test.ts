import assert from 'node:assert/strict';
import { test } from 'node:test';
import { stripVTControlCharacters } from 'node:util';
import type { HealthDay, PortHealth } from '@quanta/services';
import { healthSparkline, renderHealth } from './health-command.ts';

function days(count: number, day: Omit<HealthDay, 'day'>): HealthDay[] {
  return Array.from({ length: count }, (_, index) => ({
    day: `2025-06-${String(index + 1).padStart(2, '0')}`,
    ...day,
  }));
}

const ORDERS: PortHealth = {
  port: 'quanta://sales/orders/orders',
  status: 'failing',
  current: { version: 2, publishedAt: '2025-06-28T08:00:00.000Z', rowCount: 90 },
  freshness: { limitHours: 24, ageHours: 52, isFresh: false },
  lastQuality: {
    runId: 'r',
    checkedAt: '2025-06-29T09:00:00.000Z',
    isBlocking: true,
    enforced: 27,
    total: 29,
    failed: 1,
  },
  slo: { freshness: 0.182, quality: 0.333, completeness: 0.95 },
  days: [
    ...days(19, { checks: 0, passed: 0 }),
    { day: '2025-06-20', isFresh: true, checks: 1, passed: 1 },
    ...days(7, { isFresh: false, checks: 0, passed: 0 }),
    { day: '2025-06-28', isFresh: true, checks: 1, passed: 0 },
    { day: '2025-06-29', isFresh: false, checks: 1, passed: 0 },
    { day: '2025-06-30', isFresh: false, checks: 0, passed: 0 },
  ],
  openIncidents: [
    {
      id: 'inc-1',
      state: 'open',
      severity: 'critical',
      title: 't',
      rootPort: 'quanta://sales/orders/orders',
    },
  ],
};

const STAFF: PortHealth = {
  port: 'quanta://hr/people/staff',
  status: 'unknown',
  freshness: {},
  slo: {},
  days: days(30, { checks: 0, passed: 0 }),
  openIncidents: [],
};

test('the sparkline is one character per day: no data, then the day score as a bar', () => {
  assert.equal(healthSparkline(ORDERS.days), `${'·'.repeat(19)}█▁▁▁▁▁▁▁▅▁▁`);
  assert.equal(healthSparkline([{ day: 'd', checks: 4, passed: 3 }]), '▆');
});

test('one row per port under a header', () => {
  assert.equal(
    stripVTControlCharacters(renderHealth([ORDERS, STAFF])),
    [
      'port                 status   fresh         last check     slo f q c    incidents  last 30 days',
      `sales/orders/orders  failing  52h/24h late  blocked 27/29  18% 33% 95%  inc-1      ${'·'.repeat(19)}█▁▁▁▁▁▁▁▅▁▁`,
      `hr/people/staff      unknown  never         -              - - -        -          ${'·'.repeat(30)}`,
    ].join('\n'),
  );
  assert.equal(renderHealth([]), 'no deployed ports');
});
