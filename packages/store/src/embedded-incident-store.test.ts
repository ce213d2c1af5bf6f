import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe } from 'node:test';
import { describeIncidentStoreBehaviour } from './incident-store.behaviour.ts';
import { openIncidentStore } from './open-incident-store.ts';

describe('embedded incident store (node:sqlite)', async () => {
  const folder = await mkdtemp(join(tmpdir(), 'quanta-incidents-'));
  after(() => rm(folder, { recursive: true, force: true }));
  let databases = 0;
  describeIncidentStoreBehaviour({
    open: () => {
      databases += 1;
      return openIncidentStore({ embeddedPath: join(folder, `incidents-${databases}`, 'catalog.db') });
    },
  });
});
