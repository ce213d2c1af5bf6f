import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { LOCAL_ADMINISTRATOR, loadMeshSecret, MESH_SECRET_FILE, maskSidecarPlan } from '@quanta/governance';
import { MeshService } from '@quanta/services';
import { copyExampleMesh, type ExampleMeshCopy } from './support/example-mesh.ts';

const PROFILES = 'quanta://customers/customer-profile/profiles';
const EMAILS = 'select customer_id, email from customers.customer_profile.profiles order by 1 limit 20';

/** Mask sidecars (ADR 019): built by runs, used under the current key only, never failing a run. */
describe('mask sidecars of published snapshots', () => {
  let mesh: ExampleMeshCopy;
  let service: MeshService;
  const progress: string[] = [];

  before(async () => {
    mesh = await copyExampleMesh({ orders: 300, customers: 60 });
    service = await MeshService.create({
      root: mesh.root,
      progress: { update: (line) => progress.push(line) },
    });
    await service.apply({ appliedBy: 'test' });
    await service.runAll();
  });

  after(async () => {
    await service?.close();
    await mesh?.remove();
  });

  /** The sidecar files next to the profiles port's current snapshot. */
  async function sidecarFiles(): Promise<string[]> {
    const snapshot = await service.store.getCurrentSnapshot(PROFILES);
    assert.ok(snapshot);
    const file = service.engine.resolveStoragePath(snapshot.storagePath);
    const names = await readdir(path.dirname(file));
    return names.filter((name) => name.startsWith(`${path.basename(file, '.duckdb')}.masks-`));
  }

  /** The emails an FR sales analyst reads (hashed, filtered), and the hashes they must be under `secret`. */
  async function analystEmails(
    secret: Buffer,
  ): Promise<{ read: readonly unknown[][]; expected: unknown[][] }> {
    const raw = await service.query(EMAILS.replace('order by', "where country = 'FR' order by"), {
      principal: LOCAL_ADMINISTRATOR.id,
    });
    const read = await service.query(EMAILS, { principal: 'sam@acme.example' });
    const hash = (value: unknown) =>
      value === null ? null : createHmac('sha256', secret).update(String(value)).digest('hex');
    return { read: read.rows, expected: raw.rows.map(([id, email]) => [id, hash(email)]) };
  }

  test('a succeeded run builds the sidecar of the port it published, under the mesh secret', async () => {
    const secret = await loadMeshSecret(mesh.root);
    const snapshot = await service.store.getCurrentSnapshot(PROFILES);
    const port = (await service.store.loadCatalog()).ports.find(
      (candidate) => candidate.address === PROFILES,
    );
    assert.ok(snapshot && port);
    const plan = maskSidecarPlan(secret, { portColumns: port.columns, snapshotColumns: snapshot.columns });
    assert.ok(plan);
    assert.ok(plan.columns.includes('email'));
    assert.ok(await service.engine.maskSidecarPath(snapshot.storagePath, plan.fingerprint));
    assert.equal((await sidecarFiles()).length, 1);
    const { read, expected } = await analystEmails(secret);
    assert.ok(read.length > 5);
    assert.deepEqual(read, expected);
  });

  test('a new mesh secret leaves the old sidecar unused until one is built under it', async () => {
    const rotated = Buffer.alloc(32, 5);
    await writeFile(path.join(mesh.root, MESH_SECRET_FILE), rotated.toString('hex'));
    const computed = await analystEmails(rotated);
    assert.deepEqual(computed.read, computed.expected);
    const outcomes = await service.buildMaskSidecars(PROFILES);
    assert.deepEqual(
      outcomes.map((outcome) => [outcome.port, outcome.kind]),
      [[PROFILES, 'built']],
    );
    assert.equal((await sidecarFiles()).length, 2);
    const precomputed = await analystEmails(rotated);
    assert.deepEqual(precomputed.read, computed.read);
  });

  test('a sidecar that cannot be built is reported and the run still succeeds', async () => {
    const secretFile = path.join(mesh.root, MESH_SECRET_FILE);
    // A mesh secret that cannot be read: the run publishes, the sidecar fails.
    await rm(secretFile, { force: true });
    await mkdir(secretFile);
    try {
      const run = await service.run('customers/customer-profile');
      assert.equal(run.state, 'succeeded');
      assert.ok(
        progress.some((line) => line.startsWith(`mask sidecar of ${PROFILES} not built`)),
        progress.join('\n'),
      );
      assert.deepEqual(await sidecarFiles(), []);
    } finally {
      await rm(secretFile, { recursive: true, force: true });
    }
  });
});
