import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  generateDataKey,
  keyIdOf,
  loadMasterKey,
  stageMasterKey,
  unwrapKey,
  wrapKey,
} from '@quanta/governance';
import { MeshService, unwrapDomainKey } from '@quanta/services';
import { copyExampleMesh, type ExampleMeshCopy } from './support/example-mesh.ts';
import { jsonOf, runCli } from './support/run-cli.ts';

/** Each domain's own key, wrapped under the master key, rotated without rewriting data. */
describe('domain keys', () => {
  let mesh: ExampleMeshCopy;

  before(async () => {
    mesh = await copyExampleMesh({ orders: 200, customers: 40 });
    const service = await MeshService.create({ root: mesh.root });
    try {
      await service.apply({ appliedBy: 'test' });
      await service.run('customers/crm-customers');
    } finally {
      await service.close();
    }
  });

  after(async () => {
    await mesh?.remove();
  });

  test('apply gives every domain its own key, stored wrapped; the master key file is owner-only', async () => {
    const listed = jsonOf<{ keys: { domain: string; keyId: string; masterKeyId: string }[] }>(
      await runCli(['--json', 'keys', 'list'], { cwd: mesh.root }),
    );
    assert.deepEqual(
      listed.keys.map((key) => key.domain),
      ['customers', 'marketing', 'sales'],
    );
    assert.equal(new Set(listed.keys.map((key) => key.keyId)).size, 3);
    const master = await loadMasterKey(mesh.root, {});
    assert.ok(listed.keys.every((key) => key.masterKeyId === keyIdOf(master)));
    const file = await stat(path.join(mesh.root, '.quanta/keys/master.key'));
    assert.equal(file.mode & 0o777, 0o600);
  });

  test('rotating the master key re-wraps every domain key: same keys, new wrapping, data untouched', async () => {
    const service = await MeshService.create({ root: mesh.root });
    const before = await unwrapDomainKey(service.keys, 'sales');
    const [snapshot] = await service.store.listSnapshots('quanta://customers/crm-customers/customers');
    assert.ok(snapshot);
    const snapshotFile = service.engine.resolveStoragePath(snapshot.storagePath);
    const fingerprint = createHash('sha256')
      .update(await readFile(snapshotFile))
      .digest('hex');
    const wrappedBefore = (await service.keys.keys.listDomainKeys()).find((key) => key.domain === 'sales');
    await service.close();

    const rotated = await runCli(['--json', 'keys', 'rotate-master'], { cwd: mesh.root });
    assert.equal(jsonOf<{ rewrapped: number }>(rotated).rewrapped, 3);

    const after = await MeshService.create({ root: mesh.root });
    try {
      assert.deepEqual(await unwrapDomainKey(after.keys, 'sales'), before);
      const wrappedAfter = (await after.keys.keys.listDomainKeys()).find((key) => key.domain === 'sales');
      assert.notEqual(wrappedAfter?.wrappedKey, wrappedBefore?.wrappedKey);
      assert.throws(
        () => unwrapKey(wrappedBefore?.wrappedKey ?? '', { wrappingKey: Buffer.alloc(32), context: 'sales' }),
        { code: 'QUANTA_CONFLICT' },
      );
      const unchanged = createHash('sha256')
        .update(await readFile(snapshotFile))
        .digest('hex');
      assert.equal(unchanged, fingerprint);
    } finally {
      await after.close();
    }
  });

  test('a rotation interrupted after the re-wrap is finished on the next use of the keys', async () => {
    const service = await MeshService.create({ root: mesh.root });
    try {
      const before = await unwrapDomainKey(service.keys, 'customers');
      const old = await loadMasterKey(mesh.root, {});
      const next = generateDataKey();
      await stageMasterKey(mesh.root, next);
      await service.keys.keys.rewrapDomainKeys((record) => ({
        wrappedKey: wrapKey(unwrapKey(record.wrappedKey, { wrappingKey: old, context: record.domain }), {
          wrappingKey: next,
          context: record.domain,
        }),
        masterKeyId: keyIdOf(next),
      }));
      // The process dies here, before the staged key replaces the current one.
      assert.deepEqual(await unwrapDomainKey(service.keys, 'customers'), before);
      assert.deepEqual(await loadMasterKey(mesh.root, {}), next);
    } finally {
      await service.close();
    }
  });

  test('a domain key is bound to its domain: it does not unwrap as another', async () => {
    const service = await MeshService.create({ root: mesh.root });
    try {
      const master = await loadMasterKey(mesh.root, {});
      const sales = (await service.keys.keys.listDomainKeys()).find((key) => key.domain === 'sales');
      assert.ok(sales);
      assert.throws(() => unwrapKey(sales.wrappedKey, { wrappingKey: master, context: 'marketing' }), {
        code: 'QUANTA_CONFLICT',
      });
    } finally {
      await service.close();
    }
  });
});
