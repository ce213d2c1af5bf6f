import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe } from 'node:test';
import { openCatalogStore } from './open-catalog-store.ts';
import { describeSchedulerLeaseBehaviour } from './scheduler-lease.behaviour.ts';

describe('embedded scheduler lease (node:sqlite)', async () => {
  const folder = await mkdtemp(join(tmpdir(), 'quanta-lease-'));
  after(() => rm(folder, { recursive: true, force: true }));
  let databases = 0;
  describeSchedulerLeaseBehaviour({
    open: () => {
      databases += 1;
      return openCatalogStore({ embeddedPath: join(folder, `lease-${databases}`, 'catalog.db') });
    },
  });
});
