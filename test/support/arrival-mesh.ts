import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createDomain, createProduct, initMesh } from '@quanta/services';

/**
 * A one-product mesh fed by file arrival: `sales/orders` ingests new files of
 * `landing/sales/orders/` incrementally and publishes them, triggered by `files`. `readiness`
 * is the trigger's readiness map in YAML flow form (`{ quiet: 10 }`), none by default.
 */
export async function createArrivalMesh(options: { prefix: string; readiness?: string }): Promise<string> {
  const root = path.join(await mkdtemp(path.join(os.tmpdir(), options.prefix)), 'mesh');
  await initMesh(root, { name: 'arrivals' });
  await createDomain(root, { name: 'sales', owner: 'sam@example.com' });
  await createProduct(root, { name: 'sales/orders' });
  const dir = path.join(root, 'domains/sales/products/orders');
  await writeFile(
    path.join(dir, 'workflow.yaml'),
    `main:
  steps:
    - ingest:
        call: quanta.ingest
        args: { source: landing/sales/orders/*.csv, port: orders, incremental: true }
        result: staged
    - publish:
        call: quanta.publish
        args:
          port: orders
          from: \${staged}
        result: snapshot
    - done:
        return: \${snapshot}
`,
  );
  const readiness = options.readiness ? `  readiness: ${options.readiness}\n` : '';
  await writeFile(
    path.join(dir, 'triggers.yaml'),
    `files:\n  source: landing/sales/orders/*.csv\n${readiness}`,
  );
  await mkdir(path.join(root, 'landing/sales/orders'), { recursive: true });
  return root;
}
