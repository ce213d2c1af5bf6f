import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';

/**
 * Makes way for a new staging file: creates its folder and removes what an earlier, interrupted
 * attempt of the same step left (the file and its write-ahead log).
 */
export async function prepareStagingFile(file: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await removeStagingFile(file);
}

/** Removes a staging file and its write-ahead log, if present. */
export async function removeStagingFile(file: string): Promise<void> {
  await rm(file, { force: true });
  await rm(`${file}.wal`, { force: true });
}
