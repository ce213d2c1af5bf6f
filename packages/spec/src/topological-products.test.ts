import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadMesh } from './load-mesh.ts';
import { domainYaml, MESH_YAML, productFiles, writeMesh } from './testing/write-mesh.ts';
import { topologicalProducts } from './topological-products.ts';

test('orders products upstream first, ties by address', async () => {
  const root = await writeMesh({
    'quanta.yaml': MESH_YAML,
    'domains/sales/domain.yaml': domainYaml('sales'),
    ...productFiles({
      domain: 'sales',
      name: 'report',
      port: 'report',
      inputs: ['sales.mart.mart', 'sales.alpha.a'],
    }),
    ...productFiles({
      domain: 'sales',
      name: 'mart',
      port: 'mart',
      inputs: ['sales.zulu.z', 'sales.alpha.a'],
    }),
    ...productFiles({ domain: 'sales', name: 'zulu', port: 'z' }),
    ...productFiles({ domain: 'sales', name: 'alpha', port: 'a' }),
  });
  const { mesh, findings } = await loadMesh(root);
  assert.deepEqual(findings, []);
  assert.ok(mesh);
  assert.deepEqual(
    topologicalProducts(mesh).map((product) => product.name),
    ['alpha', 'zulu', 'mart', 'report'],
  );
});
