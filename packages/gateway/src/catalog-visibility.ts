import type { AccessPolicy, Principal } from '@quanta/governance';
import type { PortRecord } from '@quanta/model';
import type { CatalogFacts } from './catalog-tables.ts';

/**
 * The rows of `quanta_catalog` a principal may see: the ports it may read (with the columns it
 * may see, raw or masked), their snapshots, their products and runs, and the domains holding
 * them plus the principal's own. Metadata follows the same policies as data (ADR 006).
 */
export function visibleCatalogFacts(
  facts: CatalogFacts,
  context: { access: AccessPolicy; principal: Principal },
): CatalogFacts {
  const ports: PortRecord[] = [];
  for (const port of facts.catalog.ports) {
    const access = context.access.portAccess(context.principal, port);
    if (access.kind === 'denied') continue;
    const visible = new Set(
      access.columns.filter((column) => column.kind !== 'hidden').map((column) => column.column),
    );
    ports.push({ ...port, columns: port.columns.filter((column) => visible.has(column.name)) });
  }
  const portAddresses = new Set(ports.map((port) => port.address));
  const productAddresses = new Set(ports.map((port) => `quanta://${port.domain}/${port.product}`));
  const products = facts.catalog.products.filter((product) => productAddresses.has(product.address));
  const domainNames = new Set([...products.map((product) => product.domain), context.principal.domain]);
  return {
    catalog: {
      domains: facts.catalog.domains.filter((domain) => domainNames.has(domain.name)),
      products,
      ports,
    },
    snapshots: facts.snapshots.filter((snapshot) => portAddresses.has(snapshot.port)),
    currentSnapshots: facts.currentSnapshots.filter((snapshot) => portAddresses.has(snapshot.port)),
    runs: facts.runs.filter(
      (run) => productAddresses.has(run.product) || productAddresses.has(`quanta://${run.product}`),
    ),
  };
}
