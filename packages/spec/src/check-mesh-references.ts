import type { Finding, InputPortSpec, ProductSpec } from '@quanta/model';
import { closestNames } from './closest-names.ts';
import { finding } from './finding.ts';
import type { LoadedProduct } from './load-product.ts';

/** The products with their input ports resolved, and what did not resolve. */
export interface ResolvedProducts {
  readonly products: ProductSpec[];
  readonly findings: Finding[];
}

/**
 * Mesh-wide rules: unique product, port and contract addresses; every input port's
 * contractId names some output port's contract; no dependency cycle. Resolved inputs get
 * their `source` (the upstream port address).
 */
export function checkMeshReferences(loaded: readonly LoadedProduct[]): ResolvedProducts {
  const findings = [...duplicateProducts(loaded), ...duplicatePorts(loaded), ...duplicateContracts(loaded)];
  const byContract = new Map<string, string>();
  for (const { spec } of loaded) {
    for (const port of spec.outputPorts) {
      if (port.contractId !== '' && !byContract.has(port.contractId))
        byContract.set(port.contractId, port.address);
    }
  }
  const contractIds = [...byContract.keys()];
  const products = loaded.map(({ spec, source }) => {
    const inputPorts = spec.inputPorts.map((port, index): InputPortSpec => {
      const upstream = byContract.get(port.contractId);
      if (upstream) return { ...port, source: upstream };
      const candidates = closestNames(port.contractId, contractIds);
      findings.push(
        finding('QUANTA_REFERENCE_UNRESOLVED', source.locate(['inputPorts', index, 'contractId']), {
          message: `input port '${port.name}' reads contract '${port.contractId}', which no output port in the mesh publishes`,
          fix:
            candidates.length > 0
              ? `use the contractId of an existing output port, e.g. ${candidates.join(', ')}`
              : 'declare an output port with this contractId, or remove the input port',
          address: spec.address,
        }),
      );
      return port;
    });
    return { ...spec, inputPorts };
  });
  findings.push(...dependencyCycles(products, loaded));
  return { products, findings };
}

function groupsOf<T>(items: readonly T[], keyOf: (item: T) => string): T[][] {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    if (key === '') continue;
    groups.set(key, [...(groups.get(key) ?? []), item]);
  }
  return [...groups.values()].filter((group) => group.length > 1);
}

function duplicateProducts(loaded: readonly LoadedProduct[]): Finding[] {
  return groupsOf(loaded, (product) => product.spec.address).flatMap((group) =>
    group.map((product) =>
      finding('QUANTA_DUPLICATE_ADDRESS', product.source.locate(['name']), {
        message: `${product.spec.address} is declared by ${group.map((other) => other.source.file).join(' and ')}`,
        fix: 'give each product its own name (equal to its folder name)',
        address: product.spec.address,
      }),
    ),
  );
}

function duplicatePorts(loaded: readonly LoadedProduct[]): Finding[] {
  return loaded.flatMap((product) => {
    const ports = product.spec.outputPorts.map((port, index) => ({ port, index }));
    return groupsOf(ports, ({ port }) => port.name).flatMap((group) =>
      group.map(({ port, index }) =>
        finding('QUANTA_DUPLICATE_ADDRESS', product.source.locate(['outputPorts', index, 'name']), {
          message: `output port ${port.address} is declared ${group.length} times`,
          fix: 'give each output port of the product its own name',
          address: port.address,
        }),
      ),
    );
  });
}

function duplicateContracts(loaded: readonly LoadedProduct[]): Finding[] {
  const ports = loaded.flatMap((product) =>
    product.spec.outputPorts.map((port, index) => ({ product, port, index })),
  );
  return groupsOf(ports, ({ port }) => port.contractId).flatMap((group) =>
    group.map(({ product, port, index }) =>
      finding('QUANTA_DUPLICATE_ADDRESS', product.source.locate(['outputPorts', index, 'contractId']), {
        message: `contractId '${port.contractId}' is published by ${group.map((other) => other.port.address).join(' and ')}`,
        fix: 'give each output port its own contract id (e.g. <domain>.<product>.<port>)',
        address: port.address,
      }),
    ),
  );
}

/** Products whose inputs lead back to themselves: one finding per cycle, `a → b → a`. */
function dependencyCycles(products: readonly ProductSpec[], loaded: readonly LoadedProduct[]): Finding[] {
  const byAddress = new Map(products.map((product, index) => [product.address, { product, index }]));
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const seen = new Set<string>();
  const findings: Finding[] = [];
  const visit = (address: string): void => {
    state.set(address, 'visiting');
    stack.push(address);
    for (const upstream of upstreamsOf(byAddress.get(address)?.product)) {
      if (!byAddress.has(upstream)) continue;
      if (state.get(upstream) === 'visiting') {
        const cycle = stack.slice(stack.indexOf(upstream));
        const key = [...cycle].sort().join(' ');
        if (!seen.has(key)) {
          seen.add(key);
          findings.push(cycleFinding(cycle, { byAddress, loaded }));
        }
      } else if (!state.has(upstream)) {
        visit(upstream);
      }
    }
    stack.pop();
    state.set(address, 'done');
  };
  for (const address of [...byAddress.keys()].sort()) {
    if (!state.has(address)) visit(address);
  }
  return findings;
}

function upstreamsOf(product: ProductSpec | undefined): string[] {
  const sources = (product?.inputPorts ?? [])
    .map((port) => port.source)
    .filter((source) => source !== undefined);
  return [...new Set(sources.map(productOfPort))].sort();
}

function productOfPort(portAddress: string): string {
  return portAddress.slice(0, portAddress.lastIndexOf('/'));
}

function cycleFinding(
  cycle: readonly string[],
  index: {
    byAddress: Map<string, { product: ProductSpec; index: number }>;
    loaded: readonly LoadedProduct[];
  },
): Finding {
  // Start from the smallest address so the same cycle always reads the same.
  const start = cycle.indexOf([...cycle].sort()[0] ?? '');
  const ordered = [...cycle.slice(start), ...cycle.slice(0, start)];
  const first = ordered[0] ?? '';
  const next = ordered[1] ?? first;
  const entry = index.byAddress.get(first);
  const inputIndex =
    entry?.product.inputPorts.findIndex((port) => port.source && productOfPort(port.source) === next) ?? 0;
  const source = entry ? index.loaded[entry.index]?.source : undefined;
  const location = source?.locate(['inputPorts', inputIndex, 'contractId']) ?? { file: '', line: 1, col: 1 };
  // The walk follows inputs upstream; the cycle is read in the direction data flows.
  const reversed = [...ordered].reverse();
  const flow = [...reversed.slice(-1), ...reversed.slice(0, -1)];
  const text = [...flow, first].join(' → ');
  return finding('QUANTA_DEPENDENCY_CYCLE', location, {
    message: `products depend on each other in a cycle: ${text}`,
    fix: 'break the cycle: remove one of these input ports, or split a product so data flows one way',
    address: first,
  });
}
