import {
  type ColumnSpec,
  type DomainRecord,
  formatAddress,
  type PortRecord,
  type ProductRecord,
  parseAddress,
  productAddress,
  QuantaError,
  type SnapshotRecord,
} from '@quanta/model';
import type { CatalogStore } from '@quanta/store';

/** One output port in the catalog listing, with its current snapshot. */
export interface CatalogEntry {
  readonly address: string;
  readonly domain: string;
  readonly product: string;
  readonly port: string;
  readonly owner?: string;
  readonly contractVersion: string;
  readonly currentVersion?: number;
  readonly rowCount?: number;
  /** Rows of the current snapshot's input that were quarantined, each with a reason. */
  readonly quarantinedRows?: number;
  readonly bytes?: number;
  readonly publishedAt?: string;
}

/** What `catalog show` tells about an address. */
export type AssetDescription =
  | { readonly kind: 'domain'; readonly domain: DomainRecord; readonly products: readonly ProductRecord[] }
  | {
      readonly kind: 'product';
      readonly product: ProductRecord;
      readonly ports: readonly PortRecord[];
      readonly consumers: readonly string[];
    }
  | {
      readonly kind: 'port';
      readonly port: PortRecord;
      readonly snapshot?: SnapshotRecord;
      readonly history: readonly SnapshotRecord[];
      readonly consumers: readonly string[];
    }
  | { readonly kind: 'column'; readonly port: PortRecord; readonly column: ColumnSpec };

/** Lists every deployed output port with its current snapshot. */
export async function listCatalog(store: CatalogStore): Promise<CatalogEntry[]> {
  const [catalog, current] = await Promise.all([store.loadCatalog(), store.listCurrentSnapshots()]);
  const snapshots = new Map(current.map((snapshot) => [snapshot.port, snapshot]));
  const owners = new Map(catalog.products.map((product) => [product.address, product.owner]));
  return catalog.ports.map((port) => {
    const snapshot = snapshots.get(port.address);
    const owner = owners.get(productAddress(port.domain, port.product));
    return {
      address: port.address,
      domain: port.domain,
      product: port.product,
      port: port.name,
      ...(owner ? { owner } : {}),
      contractVersion: port.contractVersion,
      ...(snapshot
        ? {
            currentVersion: snapshot.version,
            rowCount: snapshot.rowCount,
            quarantinedRows: snapshot.quarantinedRows,
            bytes: snapshot.bytes,
            publishedAt: snapshot.createdAt,
          }
        : {}),
    };
  });
}

/** Resolves an address (domain, product, port, port@version or port#column) to its description. */
export async function describeAsset(store: CatalogStore, text: string): Promise<AssetDescription> {
  const address = parseAddress(text);
  if (!address.product) return describeDomain(store, address.domain);
  const productKey = productAddress(address.domain, address.product);
  if (!address.port) return describeProduct(store, productKey);
  const portKey = formatAddress({ domain: address.domain, product: address.product, port: address.port });
  const port = await store.getPort(portKey);
  if (!port) throw notFound(portKey);
  if (address.column) {
    const column = port.columns.find((candidate) => candidate.name === address.column);
    if (!column) throw notFound(text);
    return { kind: 'column', port, column };
  }
  const history = await store.listSnapshots(portKey);
  const snapshot =
    address.version === undefined
      ? history[0]
      : history.find((candidate) => candidate.version === address.version);
  if (address.version !== undefined && !snapshot) throw notFound(text);
  return {
    kind: 'port',
    port,
    history,
    consumers: await consumersOf(store, portKey),
    ...(snapshot ? { snapshot } : {}),
  };
}

async function describeDomain(store: CatalogStore, name: string): Promise<AssetDescription> {
  const domain = await store.getDomain(name);
  if (!domain) throw notFound(`quanta://${name}`);
  const catalog = await store.loadCatalog();
  return { kind: 'domain', domain, products: catalog.products.filter((product) => product.domain === name) };
}

async function describeProduct(store: CatalogStore, address: string): Promise<AssetDescription> {
  const product = await store.getProduct(address);
  if (!product) throw notFound(address);
  const catalog = await store.loadCatalog();
  const ports = catalog.ports.filter((port) => productAddress(port.domain, port.product) === address);
  const consumers = catalog.products
    .filter((candidate) => candidate.inputs.some((input) => ports.some((port) => port.address === input)))
    .map((candidate) => candidate.address);
  return { kind: 'product', product, ports, consumers };
}

async function consumersOf(store: CatalogStore, portAddress: string): Promise<string[]> {
  const catalog = await store.loadCatalog();
  return catalog.products
    .filter((product) => product.inputs.includes(portAddress))
    .map((product) => product.address);
}

function notFound(address: string): QuantaError {
  return new QuantaError('QUANTA_NOT_FOUND', `nothing is deployed at ${address}`, {
    address,
    fix: 'list what exists with `quanta catalog list`',
  });
}
