import {
  commitStagedMasterKey,
  generateDataKey,
  keyIdOf,
  loadMasterKey,
  loadStagedMasterKey,
  stageMasterKey,
  unwrapKey,
  wrapKey,
} from '@quanta/governance';
import { QuantaError } from '@quanta/model';
import type { DomainKeyRecord, KeyStore } from '@quanta/store';

/** What is shown of a domain's key: its identifiers, never the key. */
export interface DomainKeyView {
  readonly domain: string;
  readonly keyId: string;
  readonly masterKeyId: string;
  readonly createdAt: string;
}

/** Where the keys are: the store of wrapped keys and the mesh root holding the embedded master key. */
export interface KeyContext {
  readonly keys: KeyStore;
  readonly root: string;
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/**
 * Gives every domain its own data key (the security heritage of `quanta domain create` +
 * `apply`): a fresh 256-bit key, wrapped under the mesh's master key and bound to the domain.
 * Domains that already have one keep it.
 */
export async function ensureDomainKeys(
  context: KeyContext,
  domains: readonly string[],
): Promise<DomainKeyView[]> {
  const master = await currentMasterKey(context);
  const existing = new Set((await context.keys.listDomainKeys()).map((record) => record.domain));
  for (const domain of domains.filter((name) => !existing.has(name))) {
    const dataKey = generateDataKey();
    await context.keys.addDomainKey({
      domain,
      keyId: keyIdOf(dataKey),
      wrappedKey: wrapKey(dataKey, { wrappingKey: master, context: domain }),
      masterKeyId: keyIdOf(master),
    });
  }
  return listDomainKeys(context);
}

/** Every domain's key identifiers. */
export async function listDomainKeys(context: KeyContext): Promise<DomainKeyView[]> {
  return (await context.keys.listDomainKeys()).map(({ wrappedKey: _wrapped, ...view }) => view);
}

/** A domain's data key, unwrapped under the current master key (for the protection work that uses it). */
export async function unwrapDomainKey(context: KeyContext, domain: string): Promise<Buffer> {
  const record = (await context.keys.listDomainKeys()).find((candidate) => candidate.domain === domain);
  if (!record) {
    throw new QuantaError('QUANTA_NOT_FOUND', `domain ${domain} has no key`, { fix: 'run `quanta apply`' });
  }
  return unwrapKey(record.wrappedKey, { wrappingKey: await currentMasterKey(context), context: domain });
}

/**
 * Rotates the master key without rewriting any data: every domain key is unwrapped with the
 * old master key and wrapped under the new one, in one transaction. With `QUANTA_MASTER_KEY`
 * (shared deployments) the new key comes from `QUANTA_NEW_MASTER_KEY` and the operator then
 * swaps the secrets; the embedded key file is replaced crash-safely (staged, re-wrapped, renamed).
 */
export async function rotateMasterKey(
  context: KeyContext,
): Promise<{ rewrapped: number; masterKeyId: string }> {
  const old = await currentMasterKey(context);
  const isFromEnv = Boolean(context.env?.QUANTA_MASTER_KEY);
  const next = isFromEnv ? newKeyFromEnv(context.env) : generateDataKey();
  if (!isFromEnv) await stageMasterKey(context.root, next);
  const masterKeyId = keyIdOf(next);
  const rewrapped = await context.keys.rewrapDomainKeys((record) => ({
    wrappedKey: wrapKey(unwrapKey(record.wrappedKey, { wrappingKey: old, context: record.domain }), {
      wrappingKey: next,
      context: record.domain,
    }),
    masterKeyId,
  }));
  if (!isFromEnv) await commitStagedMasterKey(context.root);
  return { rewrapped, masterKeyId };
}

/** The master key the stored keys are wrapped under, finishing an interrupted rotation if needed. */
async function currentMasterKey(context: KeyContext): Promise<Buffer> {
  const master = await loadMasterKey(context.root, context.env);
  const records: readonly DomainKeyRecord[] = await context.keys.listDomainKeys();
  if (records.every((record) => record.masterKeyId === keyIdOf(master))) return master;
  const staged = await loadStagedMasterKey(context.root);
  if (staged && records.every((record) => record.masterKeyId === keyIdOf(staged))) {
    await commitStagedMasterKey(context.root);
    return staged;
  }
  throw new QuantaError(
    'QUANTA_CONFLICT',
    'the domain keys are wrapped under another master key than this one',
    {
      fix: 'provide the master key they were wrapped with (QUANTA_MASTER_KEY, or .quanta/keys/master.key)',
    },
  );
}

function newKeyFromEnv(env: KeyContext['env']): Buffer {
  const text = env?.QUANTA_NEW_MASTER_KEY ?? '';
  if (!/^[0-9a-f]{64}$/i.test(text)) {
    throw new QuantaError(
      'QUANTA_USAGE',
      'QUANTA_NEW_MASTER_KEY must hold the new master key (64 hex digits)',
      {
        fix: 'set QUANTA_NEW_MASTER_KEY, rotate, then make it the QUANTA_MASTER_KEY of every process',
      },
    );
  }
  return Buffer.from(text, 'hex');
}
