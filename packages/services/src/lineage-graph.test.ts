import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CatalogState, PortRecord, ProductRecord } from '@quanta/model';
import { lineageGraph, renderMermaid } from './lineage-graph.ts';

function product(domain: string, name: string, inputs: string[]): ProductRecord {
  return {
    domain,
    name,
    address: `quanta://${domain}/${name}`,
    version: '1.0.0',
    inputs,
    spec: {},
    hash: name,
  };
}

function port(domain: string, productName: string, name: string): PortRecord {
  return {
    domain,
    product: productName,
    name,
    address: `quanta://${domain}/${productName}/${name}`,
    contractId: name,
    contractVersion: '1.0.0',
    columns: [],
    contract: {},
    hash: name,
  };
}

const catalog: CatalogState = {
  domains: [],
  products: [
    product('sales', 'orders', []),
    product('customers', 'profile', ['quanta://sales/orders/orders']),
    product('marketing', 'report', ['quanta://customers/profile/profiles']),
    product('hr', 'people', []),
  ],
  ports: [
    port('sales', 'orders', 'orders'),
    port('customers', 'profile', 'profiles'),
    port('marketing', 'report', 'reports'),
    port('hr', 'people', 'people'),
  ],
};

test('links input ports to products and products to their ports', () => {
  const graph = lineageGraph(catalog);
  assert.equal(graph.nodes.length, 8);
  assert.deepEqual(graph.edges.slice(0, 2), [
    { from: 'quanta://sales/orders/orders', to: 'quanta://customers/profile' },
    { from: 'quanta://customers/profile/profiles', to: 'quanta://marketing/report' },
  ]);
});

test('keeps only what is upstream and downstream of a focus', () => {
  const graph = lineageGraph(catalog, 'quanta://customers/profile');
  assert.deepEqual(
    graph.nodes.map((node) => node.address),
    [
      'quanta://sales/orders',
      'quanta://customers/profile',
      'quanta://marketing/report',
      'quanta://sales/orders/orders',
      'quanta://customers/profile/profiles',
      'quanta://marketing/report/reports',
    ],
  );
});

test('renders Mermaid with one subgraph per domain', () => {
  const text = renderMermaid(lineageGraph(catalog, 'quanta://marketing/report/reports'));
  assert.equal(
    text,
    [
      'flowchart LR',
      '  subgraph customers',
      '    n1["customers/profile"]',
      '    n4[("customers/profile/profiles")]',
      '  end',
      '  subgraph marketing',
      '    n2["marketing/report"]',
      '    n5[("marketing/report/reports")]',
      '  end',
      '  subgraph sales',
      '    n0["sales/orders"]',
      '    n3[("sales/orders/orders")]',
      '  end',
      '  n3 --> n1',
      '  n4 --> n2',
      '  n0 --> n3',
      '  n1 --> n4',
      '  n2 --> n5',
    ].join('\n'),
  );
});
