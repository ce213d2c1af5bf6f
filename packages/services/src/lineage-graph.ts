import { type CatalogState, portAddress, productAddress } from '@quanta/model';

/** A node of the product-level lineage graph: a product or one of its output ports. */
export interface LineageNode {
  readonly address: string;
  readonly kind: 'product' | 'port';
  readonly domain: string;
}

/** A directed edge: data flows from `from` to `to`. */
export interface LineageEdge {
  readonly from: string;
  readonly to: string;
}

/** The lineage graph of the deployed catalog: input port → product → output port. */
export interface LineageGraph {
  readonly nodes: readonly LineageNode[];
  readonly edges: readonly LineageEdge[];
}

/**
 * Builds the product-level lineage of the deployed catalog, or of the part of it around
 * `focus` (a product or port address): everything upstream and downstream of it.
 */
export function lineageGraph(catalog: CatalogState, focus?: string): LineageGraph {
  const nodes: LineageNode[] = [
    ...catalog.products.map(
      (product): LineageNode => ({ address: product.address, kind: 'product', domain: product.domain }),
    ),
    ...catalog.ports.map(
      (port): LineageNode => ({ address: port.address, kind: 'port', domain: port.domain }),
    ),
  ];
  const edges: LineageEdge[] = [
    ...catalog.products.flatMap((product) =>
      product.inputs.map((input) => ({ from: input, to: product.address })),
    ),
    ...catalog.ports.map((port) => ({
      from: productAddress(port.domain, port.product),
      to: portAddress(port.domain, port.product, port.name),
    })),
  ];
  if (focus === undefined) return { nodes, edges };
  const kept = new Set([focus, ...reachable(focus, edges, 'down'), ...reachable(focus, edges, 'up')]);
  return {
    nodes: nodes.filter((node) => kept.has(node.address)),
    edges: edges.filter((edge) => kept.has(edge.from) && kept.has(edge.to)),
  };
}

function reachable(start: string, edges: readonly LineageEdge[], direction: 'up' | 'down'): Set<string> {
  const seen = new Set<string>();
  const queue = [start];
  while (queue.length > 0) {
    const current = queue.shift() as string;
    for (const edge of edges) {
      const [from, to] = direction === 'down' ? [edge.from, edge.to] : [edge.to, edge.from];
      if (from === current && !seen.has(to)) {
        seen.add(to);
        queue.push(to);
      }
    }
  }
  return seen;
}

/** The graph as a Mermaid flowchart, one subgraph per domain (renders in GitHub and most wikis). */
export function renderMermaid(graph: LineageGraph): string {
  const ids = new Map(graph.nodes.map((node, index) => [node.address, `n${index}`]));
  const domains = [...new Set(graph.nodes.map((node) => node.domain))].sort();
  const lines = ['flowchart LR'];
  for (const domain of domains) {
    lines.push(`  subgraph ${domain}`);
    for (const node of graph.nodes.filter((candidate) => candidate.domain === domain)) {
      const label = node.address.replace('quanta://', '');
      lines.push(
        node.kind === 'port'
          ? `    ${ids.get(node.address)}[("${label}")]`
          : `    ${ids.get(node.address)}["${label}"]`,
      );
    }
    lines.push('  end');
  }
  for (const edge of graph.edges) {
    const from = ids.get(edge.from);
    const to = ids.get(edge.to);
    if (from && to) lines.push(`  ${from} --> ${to}`);
  }
  return lines.join('\n');
}
