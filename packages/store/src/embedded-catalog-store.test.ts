import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { describeCatalogStoreBehaviour } from './catalog-store.behaviour.ts';
import { openCatalogStore } from './open-catalog-store.ts';

describe('embedded catalog store (node:sqlite)', async () => {
  const folder = await mkdtemp(join(tmpdir(), 'quanta-store-'));
  after(() => rm(folder, { recursive: true, force: true }));
  let databases = 0;

  describeCatalogStoreBehaviour({
    createTarget: async () => {
      databases += 1;
      const embeddedPath = join(folder, `catalog-${databases}`, 'catalog.db');
      return { open: (options = {}) => openCatalogStore({ embeddedPath }, options) };
    },
  });

  test('opens and migrates a fresh catalog file in well under a second', async () => {
    const started = performance.now();
    const store = await openCatalogStore({ embeddedPath: join(folder, 'fresh', 'nested', 'catalog.db') });
    const elapsed = performance.now() - started;
    await store.close();
    assert.equal(store.kind, 'embedded');
    assert.ok(elapsed < 300, `opening took ${elapsed.toFixed(0)} ms`);
  });
});
