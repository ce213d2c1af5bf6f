import { mkdir, rename, stat } from 'node:fs/promises';
import path from 'node:path';
import { QuantaError } from '@quanta/model';
import type { PromotedSnapshot } from './data-engine.ts';
import { type DatabaseSettings, DuckDbDatabase } from './duckdb-database.ts';
import { fileExists, sealReadOnly, syncPath } from './durable-files.ts';
import { CREATE_QUARANTINE_SQL } from './quarantine.ts';
import type { SnapshotLocation } from './storage-layout.ts';

/**
 * Turns a staging file into an immutable snapshot: makes sure it carries its quarantine,
 * checkpoints and closes it, flushes it to disk, makes it read-only (0444), then renames it into
 * place (atomic within the domain's space) and flushes the folder. A crash before the rename
 * leaves no snapshot; after it, a complete one. Promoting again after the rename (a resumed run)
 * returns the existing snapshot.
 */
export async function promoteStagingFile(
  stagingFile: string,
  options: { location: SnapshotLocation; settings: DatabaseSettings },
): Promise<PromotedSnapshot> {
  const { absolutePath, storagePath } = options.location;
  const hasStaging = await fileExists(stagingFile);
  const hasSnapshot = await fileExists(absolutePath);
  if (!hasStaging && hasSnapshot) return { storagePath, bytes: (await stat(absolutePath)).size };
  if (!hasStaging) {
    throw new QuantaError('QUANTA_NOT_FOUND', `staging file ${stagingFile} does not exist`, {
      fix: 'run the step that stages the table again',
    });
  }
  if (hasSnapshot) {
    throw new QuantaError('QUANTA_CONFLICT', `snapshot file ${storagePath} already exists`, {
      fix: 'publish under a new snapshot id; snapshots are never overwritten',
    });
  }
  await sealStagingFile(stagingFile, options.settings);
  await mkdir(path.dirname(absolutePath), { recursive: true });
  await rename(stagingFile, absolutePath);
  await syncPath(path.dirname(absolutePath));
  await syncPath(path.dirname(stagingFile));
  return { storagePath, bytes: (await stat(absolutePath)).size };
}

async function sealStagingFile(file: string, settings: DatabaseSettings): Promise<void> {
  const database = await DuckDbDatabase.create(file, { settings });
  try {
    await database.run(CREATE_QUARANTINE_SQL);
    await database.run('CHECKPOINT');
  } finally {
    database.close();
  }
  await sealReadOnly(file, 'retry the publish; the staging file is left as it was');
}
