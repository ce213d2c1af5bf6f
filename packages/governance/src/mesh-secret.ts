import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** Where the mesh secret lives: local state, never in git. */
export const MESH_SECRET_FILE = '.quanta/mesh-secret';

/**
 * The mesh's secret key (32 random bytes), used for keyed hashes of masked values. Created on
 * first use with owner-only permissions in `.quanta/`; `QUANTA_MESH_SECRET` (hex) overrides it
 * on shared deployments so that every gateway hashes alike.
 */
export async function loadMeshSecret(root: string, env: NodeJS.ProcessEnv = process.env): Promise<Buffer> {
  const fromEnv = env.QUANTA_MESH_SECRET;
  if (fromEnv && /^[0-9a-f]{32,}$/i.test(fromEnv)) return Buffer.from(fromEnv, 'hex');
  const file = path.join(root, MESH_SECRET_FILE);
  const existing = await readFile(file, 'utf8').catch(() => undefined);
  if (existing && /^[0-9a-f]{64}$/i.test(existing.trim())) return Buffer.from(existing.trim(), 'hex');
  const secret = randomBytes(32);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, secret.toString('hex'), {
    mode: 0o600,
    flag: existing === undefined ? 'wx' : 'w',
  }).catch(async (error: unknown) => {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  });
  const written = (await readFile(file, 'utf8')).trim();
  return Buffer.from(written, 'hex');
}
