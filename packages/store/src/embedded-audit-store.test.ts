import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe } from 'node:test';
import { describeAuditStoreBehaviour } from './audit-store.behaviour.ts';
import { openAuditStore } from './open-audit-store.ts';

describe('embedded audit store (node:sqlite)', async () => {
  const folder = await mkdtemp(join(tmpdir(), 'quanta-audit-'));
  after(() => rm(folder, { recursive: true, force: true }));
  let databases = 0;
  describeAuditStoreBehaviour({
    open: (options) => {
      databases += 1;
      return openAuditStore({ embeddedPath: join(folder, `audit-${databases}`, 'catalog.db') }, options);
    },
  });
});
