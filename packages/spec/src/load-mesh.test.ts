import assert from 'node:assert/strict';
import { mkdir, mkdtemp, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { type Finding, formatLocation } from '@quanta/model';
import { loadMesh } from './load-mesh.ts';
import {
  contractYaml,
  domainYaml,
  MESH_YAML,
  productFiles,
  twoDomainMesh,
  writeMesh,
} from './testing/write-mesh.ts';

function located(findings: readonly Finding[]): string[] {
  return findings.map((item) => `${item.code} ${item.location ? formatLocation(item.location) : '-'}`);
}

const ORDERS_DIR = 'domains/sales/products/orders';
const PROFILE_DIR = 'domains/customers/products/customer-profile';

test('loads a valid two-domain mesh with a cross-domain input', async () => {
  const root = await writeMesh({
    ...twoDomainMesh(),
    'governance/policies/guardrails.cedar': 'forbid (principal, action, resource);\n',
  });
  const { mesh, findings } = await loadMesh(root);
  assert.deepEqual(findings, []);
  assert.ok(mesh);
  assert.equal(mesh.config.name, 'acme');
  assert.deepEqual(
    mesh.domains.map((domain) => domain.name),
    ['customers', 'sales'],
  );
  assert.deepEqual(mesh.globalPolicies, [
    { file: 'governance/policies/guardrails.cedar', text: 'forbid (principal, action, resource);\n' },
  ]);
  const profile = mesh.products.find((product) => product.name === 'customer-profile');
  assert.equal(profile?.address, 'quanta://customers/customer-profile');
  assert.equal(profile?.file, `${PROFILE_DIR}/product.odps.yaml`);
  assert.equal(profile?.inputPorts[0]?.source, 'quanta://sales/orders/orders');
  assert.equal(profile?.owner, 'owner@example.com');
  const contract = profile?.outputPorts[0]?.contract;
  assert.equal(contract?.file, `${PROFILE_DIR}/profiles.odcs.yaml`);
  assert.equal(contract?.retentionDays, 365);
  assert.equal(contract?.owner, 'owner@example.com');
  assert.deepEqual(contract?.versionLocation, {
    file: `${PROFILE_DIR}/profiles.odcs.yaml`,
    line: 4,
    col: 10,
  });
  assert.deepEqual(
    contract?.table.columns.map(({ location: _, ...column }) => column),
    [
      {
        name: 'id',
        logicalType: 'integer',
        physicalType: 'bigint',
        required: true,
        unique: false,
        primaryKey: false,
        classification: 'internal',
        tags: [],
      },
      {
        name: 'email',
        logicalType: 'string',
        physicalType: 'varchar',
        required: false,
        unique: false,
        primaryKey: false,
        classification: 'restricted',
        tags: ['pii'],
      },
    ],
  );
  assert.equal(profile?.workflow?.file, `${PROFILE_DIR}/workflow.yaml`);
  assert.deepEqual(profile?.workflow?.source, {
    main: { steps: [{ publish: { call: 'quanta.publish', args: { port: 'profiles' } } }] },
  });
});

test('reads SQL files and the domain template', async () => {
  const root = await writeMesh({
    ...twoDomainMesh(),
    [`${ORDERS_DIR}/sql/daily.sql`]: 'select 1',
    [`${ORDERS_DIR}/workflow.yaml`]:
      'main:\n  steps:\n    - build:\n        call: quanta.sql\n        args:\n          query: sql/daily.sql\n',
    'governance/templates/domain/domain.yaml': 'name: {{domain}}\n',
    'governance/templates/domain/policies/default.cedar': 'permit (principal, action, resource);\n',
  });
  const { mesh, findings } = await loadMesh(root);
  assert.deepEqual(findings, []);
  const orders = mesh?.products.find((product) => product.name === 'orders');
  assert.deepEqual(orders?.sqlFiles, [
    { file: `${ORDERS_DIR}/sql/daily.sql`, name: 'sql/daily.sql', text: 'select 1' },
  ]);
  assert.deepEqual(mesh?.domainTemplate, {
    dir: 'governance/templates/domain',
    files: ['domain.yaml', 'policies/default.cedar'],
  });
});

test('alerts.webhook in quanta.yaml is read; a webhook that is not a URL is a schema finding', async () => {
  const root = await writeMesh({
    ...twoDomainMesh(),
    'quanta.yaml': `${MESH_YAML}alerts:\n  webhook: https://hooks.example.com/T0/B0\n`,
  });
  const { mesh, findings } = await loadMesh(root);
  assert.deepEqual(findings, []);
  assert.deepEqual(mesh?.config.alerts, { webhook: 'https://hooks.example.com/T0/B0' });
  const bad = await writeMesh({
    ...twoDomainMesh(),
    'quanta.yaml': `${MESH_YAML}alerts:\n  webhook: slack\n`,
  });
  const loaded = await loadMesh(bad);
  assert.ok(
    loaded.findings.some((item) => item.location?.file === 'quanta.yaml' && item.severity === 'error'),
  );
});

test('no quanta.yaml: QUANTA_SPEC_NOT_FOUND and no mesh', async () => {
  const root = await writeMesh({ 'README.md': 'not a mesh' });
  const { mesh, findings } = await loadMesh(root);
  assert.equal(mesh, undefined);
  assert.deepEqual(located(findings), ['QUANTA_SPEC_NOT_FOUND quanta.yaml:1:1']);
});

test('malformed YAML: QUANTA_YAML_MALFORMED at the parser position', async () => {
  const root = await writeMesh({
    ...twoDomainMesh(),
    [`${ORDERS_DIR}/product.odps.yaml`]: 'apiVersion: v1.0.0\nkind: DataProduct\nname: [orders\n',
  });
  const { mesh, findings } = await loadMesh(root);
  assert.ok(mesh, 'the mesh is returned even with findings');
  const malformed = findings.filter((item) => item.code === 'QUANTA_YAML_MALFORMED');
  assert.deepEqual(located(malformed), [`QUANTA_YAML_MALFORMED ${ORDERS_DIR}/product.odps.yaml:4:1`]);
  assert.deepEqual(
    located(findings.filter((item) => item.code === 'QUANTA_REFERENCE_UNRESOLVED')),
    [`QUANTA_REFERENCE_UNRESOLVED ${PROFILE_DIR}/product.odps.yaml:17:17`],
    'the consumer of the unreadable product no longer resolves',
  );
});

test('ODCS schema violation: QUANTA_SCHEMA_VIOLATION at the offending value', async () => {
  const shape = { domain: 'sales', name: 'orders', port: 'orders' };
  const root = await writeMesh({
    ...twoDomainMesh(),
    [`${ORDERS_DIR}/orders.odcs.yaml`]: contractYaml(shape).replace(
      'logicalType: integer',
      'logicalType: int',
    ),
  });
  const { findings } = await loadMesh(root);
  assert.deepEqual(located(findings), [`QUANTA_SCHEMA_VIOLATION ${ORDERS_DIR}/orders.odcs.yaml:20:22`]);
  assert.match(findings[0]?.message ?? '', /schema\[0\]\.properties\[0\]\.logicalType: "int" is not allowed/);
  assert.match(
    findings[0]?.fix ?? '',
    /string, date, timestamp, time, number, integer, object, array, boolean/,
  );
});

test('unsupported apiVersion: the finding lists the supported versions', async () => {
  const shape = { domain: 'sales', name: 'orders', port: 'orders' };
  const root = await writeMesh({
    ...twoDomainMesh(),
    [`${ORDERS_DIR}/orders.odcs.yaml`]: contractYaml(shape).replace(
      'apiVersion: v3.1.0',
      'apiVersion: v2.2.2',
    ),
  });
  const { findings } = await loadMesh(root);
  assert.deepEqual(located(findings), [`QUANTA_SCHEMA_VIOLATION ${ORDERS_DIR}/orders.odcs.yaml:1:13`]);
  assert.equal(findings[0]?.fix, 'declare one of: v3.0.0, v3.0.1, v3.0.2, v3.1.0');
});

test('unknown input port: QUANTA_REFERENCE_UNRESOLVED at its contractId, with close candidates', async () => {
  const files = twoDomainMesh();
  const file = `${PROFILE_DIR}/product.odps.yaml`;
  const root = await writeMesh({
    ...files,
    [file]: (files[file] ?? '').replace('sales.orders.orders', 'sales.order.orders'),
  });
  const { findings } = await loadMesh(root);
  assert.deepEqual(located(findings), [`QUANTA_REFERENCE_UNRESOLVED ${file}:17:17`]);
  assert.match(findings[0]?.fix ?? '', /e\.g\. sales\.orders\.orders/);
});

test('cyclic dependency: QUANTA_DEPENDENCY_CYCLE naming the cycle', async () => {
  const root = await writeMesh({
    'quanta.yaml': MESH_YAML,
    'domains/sales/domain.yaml': domainYaml('sales'),
    ...productFiles({ domain: 'sales', name: 'alpha', port: 'a', inputs: ['sales.beta.b'] }),
    ...productFiles({ domain: 'sales', name: 'beta', port: 'b', inputs: ['sales.alpha.a'] }),
  });
  const { findings } = await loadMesh(root);
  assert.deepEqual(located(findings), [
    'QUANTA_DEPENDENCY_CYCLE domains/sales/products/alpha/product.odps.yaml:17:17',
  ]);
  assert.match(
    findings[0]?.message ?? '',
    /cycle: quanta:\/\/sales\/alpha → quanta:\/\/sales\/beta → quanta:\/\/sales\/alpha$/,
  );
});

test('duplicate address: two output ports with one contractId are reported at both places', async () => {
  const files = twoDomainMesh();
  const productFile = `${PROFILE_DIR}/product.odps.yaml`;
  const contractFile = `${PROFILE_DIR}/profiles.odcs.yaml`;
  const root = await writeMesh({
    ...files,
    [productFile]: (files[productFile] ?? '').replace(
      'contractId: customers.customer-profile.profiles',
      'contractId: sales.orders.orders',
    ),
    [contractFile]: (files[contractFile] ?? '').replace(
      'id: customers.customer-profile.profiles',
      'id: sales.orders.orders',
    ),
  });
  const { findings } = await loadMesh(root);
  const duplicates = findings.filter((item) => item.code === 'QUANTA_DUPLICATE_ADDRESS');
  assert.deepEqual(located(duplicates), [
    `QUANTA_DUPLICATE_ADDRESS ${PROFILE_DIR}/product.odps.yaml:21:17`,
    `QUANTA_DUPLICATE_ADDRESS ${ORDERS_DIR}/product.odps.yaml:17:17`,
  ]);
});

test('path escape: a workflow source glob leaving the root', async () => {
  const workflow =
    'main:\n  steps:\n    - ingest:\n        call: quanta.ingest\n        args:\n          source: ../../outside/*.csv\n          port: orders\n';
  const root = await writeMesh({ ...twoDomainMesh(), [`${ORDERS_DIR}/workflow.yaml`]: workflow });
  const { findings } = await loadMesh(root);
  assert.deepEqual(located(findings), [`QUANTA_PATH_ESCAPE ${ORDERS_DIR}/workflow.yaml:6:19`]);
});

test('path escape: a query file leaving the root', async () => {
  const workflow =
    'main:\n  steps:\n    - build:\n        call: quanta.sql\n        args:\n          query: ../../../../../secret.sql\n';
  const root = await writeMesh({ ...twoDomainMesh(), [`${ORDERS_DIR}/workflow.yaml`]: workflow });
  const { findings } = await loadMesh(root);
  assert.deepEqual(located(findings), [`QUANTA_PATH_ESCAPE ${ORDERS_DIR}/workflow.yaml:6:18`]);
});

test('path escape: a symlinked SQL file pointing outside the root is rejected, not read', async () => {
  const outside = await mkdtemp(path.join(tmpdir(), 'quanta-outside-'));
  await writeFile(path.join(outside, 'secret.sql'), 'select * from secrets');
  const root = await writeMesh(twoDomainMesh());
  await mkdir(path.join(root, ORDERS_DIR, 'sql'));
  await symlink(path.join(outside, 'secret.sql'), path.join(root, ORDERS_DIR, 'sql', 'leak.sql'));
  const { mesh, findings } = await loadMesh(root);
  assert.deepEqual(located(findings), [`QUANTA_PATH_ESCAPE ${ORDERS_DIR}/sql/leak.sql:1:1`]);
  const orders = mesh?.products.find((product) => product.name === 'orders');
  assert.deepEqual(orders?.sqlFiles, []);
});

test('path escape: a symlinked domain folder pointing outside the root', async () => {
  const outside = await writeMesh({ 'domain.yaml': domainYaml('stolen') });
  const root = await writeMesh(twoDomainMesh());
  await symlink(outside, path.join(root, 'domains', 'stolen'));
  const { mesh, findings } = await loadMesh(root);
  assert.deepEqual(located(findings), ['QUANTA_PATH_ESCAPE domains/stolen:1:1']);
  assert.equal(mesh?.domains.length, 2);
});

test('heritage weakened: QUANTA_HERITAGE_WEAKENED at the domain.yaml key', async () => {
  const root = await writeMesh({
    ...twoDomainMesh(),
    'domains/sales/domain.yaml': `${domainYaml('sales')}heritage:\n  maxRetentionDays: 9999\n  requiredQualityGates: [validity]\n`,
  });
  const { findings } = await loadMesh(root);
  const weakened = findings.filter((item) => item.code === 'QUANTA_HERITAGE_WEAKENED');
  assert.deepEqual(located(weakened), [
    'QUANTA_HERITAGE_WEAKENED domains/sales/domain.yaml:7:3',
    'QUANTA_HERITAGE_WEAKENED domains/sales/domain.yaml:8:3',
  ]);
  assert.match(weakened[0]?.message ?? '', /9999 is longer than the global 3650/);
  assert.match(weakened[1]?.message ?? '', /drops 'completeness'/);
});

test('metadata incomplete: a contract without purpose nor retention', async () => {
  const shape = { domain: 'sales', name: 'orders', port: 'orders' };
  const text = contractYaml(shape)
    .replace('  purpose: Test contract.', '  usage: Read it.')
    .replace(/slaProperties:\n.*\n.*\n.*\n/, '');
  const root = await writeMesh({ ...twoDomainMesh(), [`${ORDERS_DIR}/orders.odcs.yaml`]: text });
  const { findings } = await loadMesh(root);
  assert.deepEqual(located(findings), [
    `QUANTA_METADATA_INCOMPLETE ${ORDERS_DIR}/orders.odcs.yaml:1:1`,
    `QUANTA_METADATA_INCOMPLETE ${ORDERS_DIR}/orders.odcs.yaml:7:3`,
  ]);
  assert.deepEqual(
    findings.map((item) => item.message),
    ['the contract declares no retention', 'the contract states no purpose'],
  );
});

test('contract rules: quality gate, PII classification and maximum retention', async () => {
  const shape = { domain: 'sales', name: 'orders', port: 'orders' };
  const text = contractYaml(shape)
    .replace('dimension: completeness', 'dimension: accuracy')
    .replace('classification: restricted', 'classification: internal')
    .replace('value: 1\n    unit: y', 'value: 20\n    unit: y');
  const root = await writeMesh({ ...twoDomainMesh(), [`${ORDERS_DIR}/orders.odcs.yaml`]: text });
  const { findings } = await loadMesh(root);
  assert.deepEqual(located(findings), [
    `QUANTA_METADATA_INCOMPLETE ${ORDERS_DIR}/orders.odcs.yaml:13:5`,
    `QUANTA_SPEC_INVALID ${ORDERS_DIR}/orders.odcs.yaml:27:25`,
    `QUANTA_SPEC_INVALID ${ORDERS_DIR}/orders.odcs.yaml:31:12`,
  ]);
});

test('port binding: contract id, schema object name and folder names must match', async () => {
  const shape = { domain: 'sales', name: 'orders', port: 'orders' };
  const text = contractYaml(shape)
    .replace('id: sales.orders.orders', 'id: sales.orders.other')
    .replace('  - name: orders', '  - name: order');
  const files = twoDomainMesh();
  const productFile = `${ORDERS_DIR}/product.odps.yaml`;
  const root = await writeMesh({
    ...files,
    [`${ORDERS_DIR}/orders.odcs.yaml`]: text,
    [productFile]: (files[productFile] ?? '').replace('domain: sales', 'domain: marketing'),
  });
  const { findings } = await loadMesh(root);
  assert.deepEqual(
    located(findings).filter((line) => line.includes(ORDERS_DIR)),
    [
      `QUANTA_REFERENCE_UNRESOLVED ${ORDERS_DIR}/orders.odcs.yaml:3:5`,
      `QUANTA_SPEC_INVALID ${ORDERS_DIR}/orders.odcs.yaml:13:11`,
      `QUANTA_SPEC_INVALID ${ORDERS_DIR}/product.odps.yaml:5:9`,
    ],
  );
});
