import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { formatLocation } from '@quanta/model';
import { lintContractFile, lintProductFile } from './lint-file.ts';
import { contractYaml, productYaml, writeMesh } from './testing/write-mesh.ts';

const shape = { domain: 'sales', name: 'orders', port: 'orders' };

test('a complete contract lints clean', async () => {
  const root = await writeMesh({ 'orders.odcs.yaml': contractYaml(shape) });
  assert.deepEqual(await lintContractFile(path.join(root, 'orders.odcs.yaml')), []);
});

test('a contract missing an owner and a column classification fails the default template', async () => {
  const text = contractYaml(shape)
    .replace('      role: owner', '      role: steward')
    .replace('        classification: internal\n', '');
  const root = await writeMesh({ 'orders.odcs.yaml': text });
  const file = path.join(root, 'orders.odcs.yaml');
  const findings = await lintContractFile(file);
  assert.deepEqual(
    findings.map(
      (item) =>
        `${item.code} ${formatLocation(item.location ?? { file: '', line: 0, col: 0 }).slice(root.length + 1)}`,
    ),
    ['QUANTA_METADATA_INCOMPLETE orders.odcs.yaml:10:5', 'QUANTA_METADATA_INCOMPLETE orders.odcs.yaml:19:9'],
  );
});

test('a product file: schema, names and contract ids', async () => {
  const good = await writeMesh({ 'product.odps.yaml': productYaml(shape) });
  assert.deepEqual(await lintProductFile(path.join(good, 'product.odps.yaml')), []);
  const text = productYaml(shape)
    .replace('status: active', 'status: 42')
    .replace('    contractId: sales.orders.orders\n', '');
  const bad = await writeMesh({ 'product.odps.yaml': text });
  const findings = await lintProductFile(path.join(bad, 'product.odps.yaml'));
  assert.deepEqual(
    findings.map((item) => `${item.code} ${item.location?.line}:${item.location?.col}`),
    ['QUANTA_SCHEMA_VIOLATION 6:9', 'QUANTA_SPEC_INVALID 15:5'],
  );
});

test('a missing file is QUANTA_SPEC_NOT_FOUND', async () => {
  const findings = await lintContractFile('/nonexistent/quanta/x.odcs.yaml');
  assert.equal(findings[0]?.code, 'QUANTA_SPEC_NOT_FOUND');
});
