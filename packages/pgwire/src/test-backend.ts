import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createDomain, createProduct, initMesh, MeshService } from '@quanta/services';
import type { PgWireBackend } from './pg-wire-backend.ts';
import { PgWireServer } from './pg-wire-server.ts';

/** Logins of the test mesh: user → password (the token). */
export const TEST_PASSWORDS: Readonly<Record<string, string>> = {
  ada: 'ada-token',
  sam: "sam's token",
};

const USERS = `apiVersion: quanta/v1
kind: Users
users:
  - { id: ada, domain: customers, country: FR, role: analyst, clearance: 2 }
  - { id: sam, domain: sales, country: FR, role: analyst, clearance: 2 }
`;

/** A PostgreSQL front door over a real mesh: one published product, two users. */
export interface TestPgWire {
  readonly server: PgWireServer;
  readonly service: MeshService;
  readonly backend: PgWireBackend;
  dispose(): Promise<void>;
}

/**
 * Builds a small real mesh in a temp dir (customers/customer-profile, three rows) with the
 * Quanta services, runs it, and serves it on a free port. Tests only: the pgwire package
 * itself never imports the services.
 */
export async function startTestPgWire(): Promise<TestPgWire> {
  const workspace = await mkdtemp(path.join(tmpdir(), 'quanta-pgwire-'));
  const root = path.join(workspace, 'mesh');
  await initMesh(root, { name: 'pg' });
  await writeFile(path.join(root, 'governance', 'users.yaml'), USERS);
  await createDomain(root, { name: 'customers', owner: 'ada@example.com' });
  await createProduct(root, { name: 'customers/customer-profile' });
  const service = await MeshService.create({ root });
  await service.apply({ appliedBy: 'test' });
  const run = await service.run('customers/customer-profile');
  if (run.state !== 'succeeded') throw new Error(`the test product did not publish: ${run.state}`);
  const backend: PgWireBackend = {
    authenticate: async ({ user, password }) => (TEST_PASSWORDS[user] === password ? user : undefined),
    query: (sql, { principal }) => service.query(sql, { principal }),
  };
  const server = await PgWireServer.create({ backend, port: 0 });
  return {
    server,
    service,
    backend,
    dispose: async () => {
      await server.close();
      await service.close();
      await rm(workspace, { recursive: true, force: true });
    },
  };
}
