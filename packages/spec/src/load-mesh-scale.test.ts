import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadMesh } from './load-mesh.ts';
import { planMesh } from './plan-mesh.ts';
import { domainYaml, MESH_YAML, productFiles, writeMesh } from './testing/write-mesh.ts';
import { topologicalProducts } from './topological-products.ts';

const PRODUCTS = 1000;
const DOMAINS = 10;

function generatedMesh(): Record<string, string> {
  const files: Record<string, string> = { 'quanta.yaml': MESH_YAML };
  for (let d = 0; d < DOMAINS; d += 1) files[`domains/d${d}/domain.yaml`] = domainYaml(`d${d}`);
  for (let p = 0; p < PRODUCTS; p += 1) {
    const domain = `d${p % DOMAINS}`;
    // Each product reads the previous one: a long chain across domains.
    const previous = p === 0 ? [] : [`d${(p - 1) % DOMAINS}.p${p - 1}.out`];
    Object.assign(files, productFiles({ domain, name: `p${p}`, port: 'out', inputs: previous }));
    if (p % 2 === 0) files[`domains/${domain}/products/p${p}/sql/build.sql`] = 'select 1';
  }
  return files;
}

test(`loads and plans ${PRODUCTS} products chained across domains (speed is measured by npm run bench)`, async () => {
  const root = await writeMesh(generatedMesh());
  const { mesh, findings } = await loadMesh(root);
  assert.ok(mesh);
  const plan = planMesh(mesh, { domains: [], products: [], ports: [] });
  assert.deepEqual(findings, []);
  assert.equal(mesh.products.length, PRODUCTS);
  assert.equal(plan.items.length, DOMAINS + 2 * PRODUCTS);
  const order = topologicalProducts(mesh).map((product) => product.name);
  assert.deepEqual(order.slice(0, 3), ['p0', 'p1', 'p2']);
  assert.equal(order.at(-1), `p${PRODUCTS - 1}`);
});
