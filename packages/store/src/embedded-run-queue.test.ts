import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe } from 'node:test';
import { openCatalogStore } from './open-catalog-store.ts';
import { describeRunQueueBehaviour } from './run-queue-store.behaviour.ts';

describe('embedded run queue (node:sqlite)', async () => {
  const folder = await mkdtemp(join(tmpdir(), 'quanta-queue-'));
  after(() => rm(folder, { recursive: true, force: true }));
  let databases = 0;
  describeRunQueueBehaviour({
    createTarget: async () => {
      databases += 1;
      const embeddedPath = join(folder, `catalog-${databases}`, 'catalog.db');
      return { open: (options = {}) => openCatalogStore({ embeddedPath }, options) };
    },
  });
});
