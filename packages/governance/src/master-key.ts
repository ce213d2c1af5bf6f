import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** Where the embedded master key lives: local state, owner-only, never in git. */
export const MASTER_KEY_FILE = '.quanta/keys/master.key';

/**
 * The mesh's master key (key-encryption key, 32 bytes) that wraps every domain's data key.
 * `QUANTA_MASTER_KEY` (64 hex digits) supplies it on shared deployments, from a secret store;
 * otherwise it is created on first use in `.quanta/keys/` with owner-only permissions.
 */
export async function loadMasterKey(root: string, env: NodeJS.ProcessEnv = process.env): Promise<Buffer> {
  const fromEnv = env.QUANTA_MASTER_KEY;
  if (fromEnv && /^[0-9a-f]{64}$/i.test(fromEnv)) return Buffer.from(fromEnv, 'hex');
  const file = path.join(root, MASTER_KEY_FILE);
  const existing = await readFile(file, 'utf8').catch(() => undefined);
  if (existing && /^[0-9a-f]{64}$/i.test(existing.trim())) return Buffer.from(existing.trim(), 'hex');
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  await writeFile(file, randomBytes(32).toString('hex'), { mode: 0o600, flag: 'wx' }).catch(
    (error: unknown) => {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    },
  );
  return Buffer.from((await readFile(file, 'utf8')).trim(), 'hex');
}

/**
 * Rotation of the embedded master key happens in three steps so that a crash never loses the
 * domain keys: the new key is staged beside the current one, the store re-wraps every domain
 * key under it in one transaction, then the staged key replaces the current one. A crash between
 * the last two leaves the staged key, which {@link loadStagedMasterKey} finds again.
 */
export async function stageMasterKey(root: string, key: Buffer): Promise<void> {
  const file = path.join(root, MASTER_KEY_FILE);
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  await writeFile(`${file}.next`, key.toString('hex'), { mode: 0o600 });
}

/** The staged master key of an interrupted rotation, if any. */
export async function loadStagedMasterKey(root: string): Promise<Buffer | undefined> {
  const text = await readFile(`${path.join(root, MASTER_KEY_FILE)}.next`, 'utf8').catch(() => undefined);
  return text && /^[0-9a-f]{64}$/i.test(text.trim()) ? Buffer.from(text.trim(), 'hex') : undefined;
}

/** Makes the staged master key the current one (an atomic rename). */
export async function commitStagedMasterKey(root: string): Promise<void> {
  const file = path.join(root, MASTER_KEY_FILE);
  await rename(`${file}.next`, file);
}
