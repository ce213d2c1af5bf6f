import assert from 'node:assert/strict';
import { appendFile, cp, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type CatalogState, formatLocation, QuantaError } from '@quanta/model';
import { createDomain, createProduct, initMesh, MeshService } from '@quanta/services';

/**
 * Every kind of bad input gives a precise error (code and file:line:col) and changes nothing:
 * the catalog deployed before stays exactly as it was.
 */
describe('bad input is refused precisely and changes nothing', () => {
  let workspace: string;
  let pristine: string;
  let deployed: CatalogState;

  before(async () => {
    workspace = await mkdtemp(path.join(os.tmpdir(), 'quanta-bad-input-'));
    pristine = path.join(workspace, 'pristine');
    await initMesh(pristine, { name: 'bad' });
    await createDomain(pristine, { name: 'customers', owner: 'ada@example.com' });
    await createDomain(pristine, { name: 'sales', owner: 'sam@example.com' });
    await createProduct(pristine, { name: 'customers/customer-profile' });
    await createProduct(pristine, { name: 'sales/orders' });
    await createProduct(pristine, { name: 'sales/order-report' });
    await addInput(pristine, {
      product: 'sales/order-report',
      name: 'orders',
      contractId: 'sales.orders.orders',
    });
    deployed = await withService(pristine, async (service) => {
      await service.apply({ appliedBy: 'test' });
      return service.store.loadCatalog();
    });
  });

  after(async () => {
    await rm(workspace, { recursive: true, force: true });
  });

  /** Copies the deployed mesh (state included), breaks it, and checks apply's refusal. */
  async function expectRefusal(
    name: string,
    options: { breakIt: (root: string) => Promise<void>; code: string; at: RegExp },
  ): Promise<void> {
    const root = path.join(workspace, name);
    await cp(pristine, root, { recursive: true, verbatimSymlinks: true });
    await options.breakIt(root);
    await withService(root, async (service) => {
      const error = await service.apply({ appliedBy: 'test' }).then(
        () => assert.fail('apply accepted bad input'),
        (caught: unknown) => caught,
      );
      assert.ok(error instanceof QuantaError, String(error));
      const findings = error.details.findings ?? [];
      const finding = findings.find((candidate) => candidate.code === options.code);
      assert.ok(
        finding,
        `expected ${options.code}, got ${findings.map((f) => `${f.code} ${f.message}`).join('; ')}`,
      );
      assert.ok(finding.location, 'the finding has a location');
      assert.match(formatLocation(finding.location), options.at);
      assert.ok(finding.fix, 'the finding says how to fix it');
      assert.deepEqual(await service.store.loadCatalog(), deployed);
    });
  }

  test('malformed YAML', () =>
    expectRefusal('malformed', {
      breakIt: (root) =>
        replaceIn(
          productFile(root, 'sales/orders', 'product.odps.yaml'),
          '\nname: orders',
          '\n\tname: orders',
        ),
      code: 'QUANTA_YAML_MALFORMED',
      at: /^domains\/sales\/products\/orders\/product\.odps\.yaml:4:1$/,
    }));

  test('a contract violating the ODCS schema', () =>
    expectRefusal('schema', {
      breakIt: (root) =>
        replaceIn(productFile(root, 'sales/orders', 'orders.odcs.yaml'), 'status: draft', 'status: [draft]'),
      code: 'QUANTA_SCHEMA_VIOLATION',
      at: /^domains\/sales\/products\/orders\/orders\.odcs\.yaml:6:9$/,
    }));

  test('an unknown input port', () =>
    expectRefusal('unknown-input', {
      breakIt: (root) =>
        replaceIn(
          productFile(root, 'sales/order-report', 'product.odps.yaml'),
          'contractId: sales.orders.orders',
          'contractId: sales.ordres.orders',
        ),
      code: 'QUANTA_REFERENCE_UNRESOLVED',
      at: /^domains\/sales\/products\/order-report\/product\.odps\.yaml:\d+:17$/,
    }));

  test('a cyclic product dependency', () =>
    expectRefusal('cycle', {
      breakIt: (root) =>
        addInput(root, { product: 'sales/orders', name: 'report', contractId: 'sales.order-report.reports' }),
      code: 'QUANTA_DEPENDENCY_CYCLE',
      at: /^domains\/sales\/products\/(orders|order-report)\/product\.odps\.yaml:\d+:\d+$/,
    }));

  test('a duplicate address', () =>
    expectRefusal('duplicate', {
      breakIt: async (root) => {
        const file = productFile(root, 'sales/order-report', 'product.odps.yaml');
        await replaceIn(file, 'contractId: sales.order-report.reports', 'contractId: sales.orders.orders');
      },
      code: 'QUANTA_DUPLICATE_ADDRESS',
      at: /^domains\/sales\/products\/(orders|order-report)\/(product\.odps|orders\.odcs|reports\.odcs)\.yaml:\d+:\d+$/,
    }));

  test('a path escaping the mesh root', () =>
    expectRefusal('escape', {
      breakIt: (root) =>
        replaceIn(
          productFile(root, 'sales/orders', 'workflow.yaml'),
          'source: landing/sales/orders/*.csv',
          'source: ../../etc/*.csv',
        ),
      code: 'QUANTA_PATH_ESCAPE',
      at: /^domains\/sales\/products\/orders\/workflow\.yaml:\d+:\d+$/,
    }));

  test('a symlink escaping the mesh root', () =>
    expectRefusal('symlink', {
      breakIt: (root) => symlink('/etc', path.join(root, 'domains/sales/products/orders/sql')),
      code: 'QUANTA_PATH_ESCAPE',
      at: /^domains\/sales\/products\/orders\/sql/,
    }));

  test('a workflow reading a variable before assigning it', () =>
    expectRefusal('workflow-variable', {
      breakIt: (root) =>
        replaceIn(productFile(root, 'sales/orders', 'workflow.yaml'), 'from: ${staged}', 'from: ${stagde}'),
      code: 'QUANTA_SPEC_INVALID',
      at: /^domains\/sales\/products\/orders\/workflow\.yaml:\d+:\d+$/,
    }));

  test('a domain weakening the global heritage', () =>
    expectRefusal('heritage', {
      breakIt: (root) =>
        replaceIn(
          path.join(root, 'domains/sales/domain.yaml'),
          'retentionClass: standard',
          'retentionClass: standard\n  maxRetentionDays: 99999',
        ),
      code: 'QUANTA_HERITAGE_WEAKENED',
      at: /^domains\/sales\/domain\.yaml:13:\d+$/,
    }));
});

async function withService<T>(root: string, work: (service: MeshService) => Promise<T>): Promise<T> {
  const service = await MeshService.create({ root });
  try {
    return await work(service);
  } finally {
    await service.close();
  }
}

function productFile(root: string, product: string, file: string): string {
  const [domain = '', name = ''] = product.split('/');
  return path.join(root, 'domains', domain, 'products', name, file);
}

async function replaceIn(file: string, search: string, replacement: string): Promise<void> {
  const text = await readFile(file, 'utf8');
  assert.ok(text.includes(search), `${file} holds '${search}'`);
  await writeFile(file, text.replace(search, replacement));
}

async function addInput(
  root: string,
  input: { product: string; name: string; contractId: string },
): Promise<void> {
  await appendFile(
    productFile(root, input.product, 'product.odps.yaml'),
    `inputPorts:\n  - name: ${input.name}\n    version: 0.1.0\n    contractId: ${input.contractId}\n`,
  );
}
