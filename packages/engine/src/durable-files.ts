import { access, chmod, open } from 'node:fs/promises';
import { QuantaError } from '@quanta/model';

/** True when the file exists. */
export async function fileExists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}

/**
 * Flushes a closed DuckDB file to disk and makes it read-only (0444), as every published file
 * is; refuses one its closing left a write-ahead log beside (`fix` says what to do then).
 */
export async function sealReadOnly(file: string, fix: string): Promise<void> {
  if (await fileExists(`${file}.wal`)) {
    throw new QuantaError('QUANTA_INTERNAL', `${file} still has a write-ahead log after closing`, { fix });
  }
  await syncPath(file);
  await chmod(file, 0o444);
}

/** Flushes a file or a folder (after a rename into it) to disk. */
export async function syncPath(file: string): Promise<void> {
  const handle = await open(file, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
