import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { columnSpec } from '@quanta/model/test-support';
import {
  hashMaskMacro,
  maskKeyFingerprint,
  maskSidecarColumns,
  maskSidecarPlan,
  PRECOMPUTED_HASH_PREFIX,
} from './column-masks.ts';

const column = columnSpec;

const PORT_COLUMNS = [
  column('id'),
  column('notes', { classification: 'confidential' }),
  column('email', { classification: 'restricted', tags: ['email'] }),
  column('phone', { classification: 'internal', tags: ['PII'] }),
  column('country', { classification: 'public' }),
  column('ghost', { classification: 'restricted' }),
];
const SNAPSHOT_COLUMNS = ['id', 'email', 'phone', 'notes', 'country'].map((name) => ({ name }));
const KEY = Buffer.alloc(32, 1);

test('a sidecar covers restricted, confidential and pii columns the snapshot has, in its order', () => {
  assert.deepEqual(maskSidecarColumns(PORT_COLUMNS, SNAPSHOT_COLUMNS), ['email', 'phone', 'notes']);
  assert.deepEqual(maskSidecarColumns([column('id')], SNAPSHOT_COLUMNS), []);
  assert.deepEqual(
    maskSidecarColumns(PORT_COLUMNS, [...SNAPSHOT_COLUMNS, { name: `${PRECOMPUTED_HASH_PREFIX}email` }]),
    [],
  );
  assert.equal(
    maskSidecarPlan(KEY, { portColumns: [column('id')], snapshotColumns: SNAPSHOT_COLUMNS }),
    undefined,
  );
});

test('the key fingerprint is short, domain-separated and tells keys apart', () => {
  const fingerprint = maskKeyFingerprint(KEY);
  assert.match(fingerprint, /^[0-9a-f]{16}$/);
  assert.notEqual(fingerprint, createHash('sha256').update(KEY).digest('hex').slice(0, 16));
  assert.notEqual(fingerprint, maskKeyFingerprint(Buffer.alloc(32, 2)));
  assert.equal(fingerprint, maskKeyFingerprint(Buffer.alloc(32, 1)));
});

test("a sidecar's fingerprint changes with the key and with the columns it covers", () => {
  const plan = maskSidecarPlan(KEY, { portColumns: PORT_COLUMNS, snapshotColumns: SNAPSHOT_COLUMNS });
  assert.ok(plan);
  assert.match(plan.fingerprint, /^[0-9a-f]{16}$/);
  assert.deepEqual(plan.macro, hashMaskMacro(KEY));
  assert.equal(plan.columnPrefix, '__quanta_hash__');
  const rotated = maskSidecarPlan(Buffer.alloc(32, 2), {
    portColumns: PORT_COLUMNS,
    snapshotColumns: SNAPSHOT_COLUMNS,
  });
  assert.notEqual(rotated?.fingerprint, plan.fingerprint);
  const reclassified = maskSidecarPlan(KEY, {
    portColumns: [...PORT_COLUMNS, column('country', { classification: 'confidential' })],
    snapshotColumns: SNAPSHOT_COLUMNS,
  });
  assert.deepEqual(reclassified?.columns, ['email', 'phone', 'notes', 'country']);
  assert.notEqual(reclassified?.fingerprint, plan.fingerprint);
});
