import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe } from 'node:test';
import { describeAccessStoreBehaviour } from './access-store.behaviour.ts';
import { openAccessStore } from './open-access-store.ts';

describe('embedded access store (node:sqlite)', async () => {
  const folder = await mkdtemp(join(tmpdir(), 'quanta-access-'));
  after(() => rm(folder, { recursive: true, force: true }));
  let databases = 0;
  describeAccessStoreBehaviour({
    open: (options) => {
      databases += 1;
      return openAccessStore({ embeddedPath: join(folder, `access-${databases}`, 'catalog.db') }, options);
    },
  });
});
