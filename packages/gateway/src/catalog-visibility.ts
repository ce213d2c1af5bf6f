import type { AccessPolicy, Principal } from '@quanta/governance';
import { type ColumnProfile, type PortRecord, sqlIdentifier } from '@quanta/model';
import type { CatalogFacts } from './catalog-tables.ts';

/**
 * The rows of `quanta_catalog` a principal may see: the ports it may read (with the columns it
 * may see, raw or masked), their snapshots, their products and runs, and the domains holding
 * them plus the principal's own, and the quality results and profiles of those ports. A profile
 * keeps the statistics that reveal values (min/max, quantiles, top values, histogram, patterns)
 * only for raw columns of ports the principal reads without a row filter; a masked column keeps
 * its counts, a hidden one is left out. Metadata follows the same policies as data (ADR 006).
 */
export function visibleCatalogFacts(
  facts: CatalogFacts,
  context: { access: AccessPolicy; principal: Principal },
): CatalogFacts {
  const ports: PortRecord[] = [];
  const profileColumns = new Map<string, ReadonlyMap<string, 'raw' | 'masked'>>();
  for (const port of facts.catalog.ports) {
    const access = context.access.portAccess(context.principal, port);
    if (access.kind === 'denied') continue;
    const visible = new Set(
      access.columns.filter((column) => column.kind !== 'hidden').map((column) => column.column),
    );
    ports.push({ ...port, columns: port.columns.filter((column) => visible.has(column.name)) });
    const isFiltered = access.rowFilters.length > 0;
    profileColumns.set(
      port.address,
      new Map(
        access.columns.flatMap((column) =>
          column.kind === 'hidden'
            ? []
            : [[column.column, column.kind === 'raw' && !isFiltered ? 'raw' : 'masked'] as const],
        ),
      ),
    );
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
    ...(facts.usage && isAdministrator(context) ? { usage: facts.usage } : {}),
    quality: (facts.quality ?? []).filter((record) => portAddresses.has(record.port)),
    profiles: (facts.profiles ?? []).flatMap((record) => {
      const columns = profileColumns.get(record.port);
      if (!columns) return [];
      const visible = record.profile.columns.flatMap((column) => {
        const kind = columns.get(column.name);
        return kind === undefined ? [] : [kind === 'raw' ? column : countsOnly(column)];
      });
      return [{ ...record, profile: { ...record.profile, columns: visible } }];
    }),
    runs: facts.runs.filter(
      (run) => productAddresses.has(run.product) || productAddresses.has(`quanta://${run.product}`),
    ),
  };
}

/** Usage across the mesh is for those who administer it (the governance team). */
function isAdministrator(context: { access: AccessPolicy; principal: Principal }): boolean {
  return (
    context.access.authorize(context.principal, { action: 'administer', resource: { type: 'Mesh' } }).kind ===
    'allow'
  );
}

/** A column profile without the statistics that reveal values. */
function countsOnly(column: ColumnProfile): ColumnProfile {
  return {
    name: column.name,
    type: column.type,
    count: column.count,
    nulls: column.nulls,
    distinct: column.distinct,
    topValues: [],
  };
}

/** A column of a readable port as a PostgreSQL client sees it: its served (masked) type. */
export interface PgRelationColumn {
  readonly name: string;
  /** The DuckDB type the port's view serves: a masked column's mask type, not the raw one. */
  readonly type: string;
  readonly isNullable: boolean;
  readonly description?: string;
}

/** A port a principal may read, as a table of the PostgreSQL catalog. */
export interface PgRelation {
  readonly address: string;
  readonly domain: string;
  readonly product: string;
  /** The port's SQL name (`profiles`). */
  readonly name: string;
  readonly description?: string;
  readonly columns: readonly PgRelationColumn[];
}

/**
 * The ports a principal may read that have a current snapshot, with exactly the columns its
 * view of each port serves, in the snapshot's order: hidden columns left out, masked ones with
 * the type of their mask. What `pg_catalog` and `information_schema` are built from.
 */
export function visibleRelations(
  facts: Pick<CatalogFacts, 'catalog' | 'currentSnapshots'>,
  context: { access: AccessPolicy; principal: Principal },
): PgRelation[] {
  const current = new Map(facts.currentSnapshots.map((snapshot) => [snapshot.port, snapshot]));
  const descriptions = new Map(
    facts.catalog.products.map((product) => [product.address, product.description]),
  );
  return facts.catalog.ports.flatMap((port) => {
    const snapshot = current.get(port.address);
    const access = context.access.portAccess(context.principal, port);
    if (!snapshot || access.kind === 'denied') return [];
    const decided = new Map(access.columns.map((column) => [column.column, column]));
    const specs = new Map(port.columns.map((column) => [column.name, column]));
    const columns = snapshot.columns.flatMap((column): PgRelationColumn[] => {
      const decision = decided.get(column.name);
      if (!decision || decision.kind === 'hidden') return [];
      const spec = specs.get(column.name);
      const isRawType = decision.kind === 'raw' || decision.mask === 'null';
      return [
        {
          name: column.name,
          type: isRawType ? column.type : 'VARCHAR',
          isNullable: decision.kind === 'masked' || !spec?.required,
          ...(spec?.description ? { description: spec.description } : {}),
        },
      ];
    });
    const description = descriptions.get(`quanta://${port.domain}/${port.product}`);
    return [
      {
        address: port.address,
        domain: port.domain,
        product: port.product,
        name: sqlIdentifier(port.name),
        ...(description ? { description } : {}),
        columns,
      },
    ];
  });
}
