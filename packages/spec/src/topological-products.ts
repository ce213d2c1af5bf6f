import type { MeshSpec, ProductSpec } from '@quanta/model';

/**
 * The products in dependency order, upstream first. Products ready at the same time come in
 * address order, so the order is deterministic; products caught in a cycle come last.
 */
export function topologicalProducts(mesh: MeshSpec): ProductSpec[] {
  const byAddress = new Map(mesh.products.map((product) => [product.address, product]));
  const downstream = new Map<string, string[]>();
  const waiting = new Map<string, number>();
  for (const product of mesh.products) {
    const upstreams = new Set(
      product.inputPorts
        .map((port) => port.source?.slice(0, port.source.lastIndexOf('/')))
        .filter((address): address is string => address !== undefined && byAddress.has(address)),
    );
    waiting.set(product.address, upstreams.size);
    for (const upstream of upstreams)
      downstream.set(upstream, [...(downstream.get(upstream) ?? []), product.address]);
  }
  const ordered: ProductSpec[] = [];
  let ready = [...waiting].filter(([, count]) => count === 0).map(([address]) => address);
  while (ready.length > 0) {
    ready.sort();
    const next: string[] = [];
    for (const address of ready) {
      const product = byAddress.get(address);
      if (product) ordered.push(product);
      for (const child of downstream.get(address) ?? []) {
        const left = (waiting.get(child) ?? 0) - 1;
        waiting.set(child, left);
        if (left === 0) next.push(child);
      }
    }
    ready = next;
  }
  const placed = new Set(ordered.map((product) => product.address));
  const cyclic = mesh.products.filter((product) => !placed.has(product.address));
  return [...ordered, ...cyclic.sort((a, b) => (a.address < b.address ? -1 : 1))];
}
