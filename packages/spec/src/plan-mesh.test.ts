import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type CatalogState, formatLocation, type MeshSpec } from '@quanta/model';
import { catalogStateOf } from './catalog-state-of.ts';
import { loadMesh } from './load-mesh.ts';
import { planMesh } from './plan-mesh.ts';
import { contractYaml, productFiles, twoDomainMesh, writeMesh } from './testing/write-mesh.ts';

const EMPTY: CatalogState = { domains: [], products: [], ports: [] };
const ORDERS_CONTRACT = 'domains/sales/products/orders/orders.odcs.yaml';

async function meshOf(files: Record<string, string>): Promise<MeshSpec> {
  const { mesh } = await loadMesh(await writeMesh(files));
  assert.ok(mesh);
  return mesh;
}

function actions(plan: ReturnType<typeof planMesh>): string[] {
  return plan.items.map((item) => `${item.action} ${item.kind} ${item.address}`);
}

function ordersContract(
  version: string,
  edit: (text: string) => string = (text) => text,
): Record<string, string> {
  return {
    [ORDERS_CONTRACT]: edit(contractYaml({ domain: 'sales', name: 'orders', port: 'orders', version })),
  };
}

const WITHOUT_EMAIL = (text: string) => text.replace(/ {6}- name: email\n(?: {8}.*\n)+/, '');

test('a mesh never deployed: everything is created', async () => {
  const plan = planMesh(await meshOf(twoDomainMesh()), EMPTY);
  assert.deepEqual(actions(plan), [
    'create domain quanta://customers',
    'create domain quanta://sales',
    'create product quanta://customers/customer-profile',
    'create product quanta://sales/orders',
    'create port quanta://customers/customer-profile/profiles',
    'create port quanta://sales/orders/orders',
  ]);
  assert.deepEqual(plan.items.at(-1)?.affectedConsumers, ['quanta://customers/customer-profile']);
  assert.deepEqual(plan.findings, []);
});

test('the same files again: everything is unchanged (equal content gives equal hashes)', async () => {
  const deployed = catalogStateOf(await meshOf(twoDomainMesh()));
  const plan = planMesh(await meshOf(twoDomainMesh()), deployed);
  assert.ok(plan.items.every((item) => item.action === 'unchanged'));
  assert.equal(plan.items.find((item) => item.kind === 'port')?.diff?.verdict, 'none');
});

test('a breaking change with a major bump: update, no finding', async () => {
  const deployed = catalogStateOf(await meshOf(twoDomainMesh()));
  const plan = planMesh(
    await meshOf({ ...twoDomainMesh(), ...ordersContract('2.0.0', WITHOUT_EMAIL) }),
    deployed,
  );
  const port = plan.items.find((item) => item.address === 'quanta://sales/orders/orders');
  assert.equal(port?.action, 'update');
  assert.equal(port?.declaredBump, 'major');
  assert.deepEqual(port?.diff?.changes, [
    { breaking: true, message: "column 'email' is removed", column: 'email', level: 'major' },
  ]);
  assert.deepEqual(port?.affectedConsumers, ['quanta://customers/customer-profile']);
  assert.deepEqual(plan.findings, []);
});

test('a breaking change with a minor bump: QUANTA_VERSION_BUMP_TOO_SMALL at the version line', async () => {
  const deployed = catalogStateOf(await meshOf(twoDomainMesh()));
  const plan = planMesh(
    await meshOf({ ...twoDomainMesh(), ...ordersContract('1.1.0', WITHOUT_EMAIL) }),
    deployed,
  );
  assert.equal(plan.findings.length, 1);
  const [tooSmall] = plan.findings;
  assert.equal(tooSmall?.code, 'QUANTA_VERSION_BUMP_TOO_SMALL');
  assert.equal(tooSmall?.severity, 'error');
  assert.equal(
    formatLocation(tooSmall?.location ?? { file: '', line: 0, col: 0 }),
    `${ORDERS_CONTRACT}:4:10`,
  );
  assert.equal(
    tooSmall?.message,
    "contract 'sales.orders.orders' goes from 1.0.0 to 1.1.0 (minor) but its changes are major: " +
      "column 'email' is removed. Consumers affected: quanta://customers/customer-profile",
  );
  assert.equal(tooSmall?.fix, 'declare `version: 2.0.0` (a major bump) and tell the consumers');
});

test('products and ports gone from the files are removed; a port still read is a major change', async () => {
  const files = twoDomainMesh();
  const deployed = catalogStateOf(
    await meshOf({ ...files, ...productFiles({ domain: 'sales', name: 'returns', port: 'returns' }) }),
  );
  const withoutOrders = Object.fromEntries(
    Object.entries(files).filter(([file]) => !file.startsWith('domains/sales/products/orders/')),
  );
  const plan = planMesh(await meshOf(withoutOrders), deployed);
  const removed = plan.items.filter((item) => item.action === 'remove');
  assert.deepEqual(
    removed.map(
      (item) =>
        `${item.kind} ${item.address} ${item.diff?.verdict ?? '-'} ${item.affectedConsumers.join(',')}`,
    ),
    [
      'product quanta://sales/orders - ',
      'product quanta://sales/returns - ',
      'port quanta://sales/orders/orders major quanta://customers/customer-profile',
      'port quanta://sales/returns/returns - ',
    ],
  );
});

test('catalogStateOf: records with resolved inputs, columns and stable hashes', async () => {
  const state = catalogStateOf(await meshOf(twoDomainMesh()));
  const profile = state.products.find((product) => product.name === 'customer-profile');
  assert.deepEqual(profile?.inputs, ['quanta://sales/orders/orders']);
  const port = state.ports.find((candidate) => candidate.name === 'orders');
  assert.equal(port?.contractId, 'sales.orders.orders');
  assert.equal(port?.contractVersion, '1.0.0');
  assert.deepEqual(
    port?.columns.map((item) => item.name),
    ['id', 'email'],
  );
  assert.equal(port?.columns[0]?.location, undefined);
  assert.equal(port?.contract.kind, 'DataContract');
  assert.match(port?.hash ?? '', /^[0-9a-f]{64}$/);
  const again = catalogStateOf(await meshOf(twoDomainMesh()));
  assert.deepEqual(
    again.ports.map((item) => item.hash),
    state.ports.map((item) => item.hash),
  );
});

const TEMPLATE = 'governance/templates/workflows/publish-port/v1.yaml';

/** twoDomainMesh where sales/orders calls the template `publish-port.v1`, whose text is given. */
function meshCallingTemplate(templateText: string): Record<string, string> {
  return {
    ...twoDomainMesh(),
    [TEMPLATE]: templateText,
    'domains/sales/products/orders/workflow.yaml':
      'main:\n  steps:\n    - pipeline:\n        call: templates.publish-port.v1\n        args:\n          port: orders\n',
  };
}

const TEMPLATE_V1 =
  'main:\n  params: [args]\n  steps:\n    - publish:\n        call: quanta.publish\n        args:\n          port: ${args.port}\n';

test('a changed workflow template updates the products calling it, and the plan lists them', async () => {
  const deployed = catalogStateOf(await meshOf(meshCallingTemplate(TEMPLATE_V1)));
  const unchanged = planMesh(await meshOf(meshCallingTemplate(TEMPLATE_V1)), deployed);
  assert.deepEqual(
    unchanged.templates.map((use) => [use.ref, use.file, use.products, use.affectedProducts]),
    [['templates.publish-port.v1', TEMPLATE, ['quanta://sales/orders'], []]],
  );
  const edited = TEMPLATE_V1.replace(
    'steps:\n',
    'steps:\n    - log:\n        call: sys.log\n        args:\n          text: publishing\n',
  );
  const plan = planMesh(await meshOf(meshCallingTemplate(edited)), deployed);
  assert.deepEqual(
    actions(plan).filter((line) => !line.startsWith('unchanged')),
    ['update product quanta://sales/orders'],
  );
  const [use] = plan.templates;
  assert.deepEqual(
    [use?.ref, use?.affectedProducts],
    ['templates.publish-port.v1', ['quanta://sales/orders']],
  );
  assert.notEqual(use?.hash, unchanged.templates[0]?.hash);
  assert.match(use?.hash ?? '', /^[0-9a-f]{64}$/);
});
