import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import { hashMaskMacro } from '@quanta/governance';
import { buildCustomersMaskSidecar, createTestMesh, TEST_SECRET, type TestMesh } from './test-mesh.ts';

const C = 'customers.crm.customers';

let mesh: TestMesh;
before(async () => {
  mesh = await createTestMesh();
  // A stand-in for the keyed hash, so that values read from the sidecar are told from computed ones.
  await buildCustomersMaskSidecar(mesh, {
    macro: { name: 'marker', parameters: ['v'], body: "'precomputed:' || md5(v)" },
  });
});
after(async () => {
  await mesh.dispose();
});

test('a hashed column is read from the sidecar, other masks and the row filter are computed', async () => {
  const result = await mesh.gateway.query(`SELECT customer_id, email, phone, notes FROM ${C} ORDER BY 1`, {
    principal: 'sam',
  });
  const marker = (value: string) => `precomputed:${createHash('md5').update(value).digest('hex')}`;
  assert.deepEqual(result.rows, [
    ['C1', marker('alice.secret@example.com'), '********3344', '[REDACTED]'],
    ['C3', marker('carol.secret@example.com'), '********3346', '[REDACTED]'],
  ]);
});

test('principals who see the column raw never read the sidecar', async () => {
  const owner = await mesh.gateway.query(`SELECT email FROM ${C} ORDER BY customer_id LIMIT 1`, {
    principal: 'ada',
  });
  assert.deepEqual(owner.rows, [['alice.secret@example.com']]);
});

test('the sidecar holds hashes only: not the key, nor the macro that holds it', async () => {
  const real = await createTestMesh();
  try {
    const file = await readFile(await buildCustomersMaskSidecar(real));
    const { body } = hashMaskMacro(TEST_SECRET);
    for (const pad of body.match(/[0-9a-f]{128}/g) ?? assert.fail('no pad in the macro')) {
      assert.ok(!file.includes(pad), 'the sidecar holds a key pad');
    }
    assert.ok(!file.includes('alice.secret@example.com'), 'the sidecar holds a raw value');
  } finally {
    await real.dispose();
  }
});
