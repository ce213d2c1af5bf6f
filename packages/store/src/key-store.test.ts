import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { openMetadataStores } from './open-metadata-stores.ts';
import type { CatalogStoreLocation } from './open-store-database.ts';
import { describePostgres } from './test-support/postgres-test-server.ts';

/** The same behaviour on both backends: keys are stored wrapped, and re-wrapped all at once. */
function registerKeyStoreBehaviour(location: () => Promise<CatalogStoreLocation>): void {
  test('records one wrapped key per domain and refuses a second', async () => {
    const stores = await openMetadataStores(await location());
    try {
      await stores.keys.addDomainKey({
        domain: 'sales',
        keyId: 'k1',
        wrappedKey: 'w-sales',
        masterKeyId: 'm1',
      });
      await stores.keys.addDomainKey({
        domain: 'customers',
        keyId: 'k2',
        wrappedKey: 'w-cust',
        masterKeyId: 'm1',
      });
      await assert.rejects(
        stores.keys.addDomainKey({ domain: 'sales', keyId: 'k3', wrappedKey: 'w', masterKeyId: 'm1' }),
        { code: 'QUANTA_CONFLICT' },
      );
      const keys = await stores.keys.listDomainKeys();
      assert.deepEqual(
        keys.map((key) => [key.domain, key.keyId, key.wrappedKey, key.masterKeyId]),
        [
          ['customers', 'k2', 'w-cust', 'm1'],
          ['sales', 'k1', 'w-sales', 'm1'],
        ],
      );
    } finally {
      await stores.close();
    }
  });

  test('re-wraps every key in one transaction, or none when one fails', async () => {
    const stores = await openMetadataStores(await location());
    try {
      await stores.keys.addDomainKey({ domain: 'a', keyId: 'ka', wrappedKey: 'wa', masterKeyId: 'm1' });
      await stores.keys.addDomainKey({ domain: 'b', keyId: 'kb', wrappedKey: 'wb', masterKeyId: 'm1' });
      await assert.rejects(
        stores.keys.rewrapDomainKeys((record) => {
          if (record.domain === 'b') throw new Error('cannot unwrap b');
          return { wrappedKey: `${record.wrappedKey}-2`, masterKeyId: 'm2' };
        }),
        /cannot unwrap b/,
      );
      assert.deepEqual(
        (await stores.keys.listDomainKeys()).map((key) => key.masterKeyId),
        ['m1', 'm1'],
      );
      const count = await stores.keys.rewrapDomainKeys((record) => ({
        wrappedKey: `${record.wrappedKey}-2`,
        masterKeyId: 'm2',
      }));
      assert.equal(count, 2);
      assert.deepEqual(
        (await stores.keys.listDomainKeys()).map((key) => [key.wrappedKey, key.masterKeyId, key.keyId]),
        [
          ['wa-2', 'm2', 'ka'],
          ['wb-2', 'm2', 'kb'],
        ],
      );
    } finally {
      await stores.close();
    }
  });
}

describe('key store (embedded)', () => {
  const folders: string[] = [];
  after(async () => {
    for (const folder of folders) await rm(folder, { recursive: true, force: true });
  });
  registerKeyStoreBehaviour(async () => {
    const folder = await mkdtemp(path.join(os.tmpdir(), 'quanta-keys-'));
    folders.push(folder);
    return { embeddedPath: path.join(folder, 'catalog.sqlite') };
  });
});

describePostgres('key store (PostgreSQL)', (server) => {
  registerKeyStoreBehaviour(async () => ({ databaseUrl: server.createSchemaUrl() }));
});
