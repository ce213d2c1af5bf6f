import { createHash } from 'node:crypto';
import type {
  CatalogState,
  ColumnSpec,
  DomainRecord,
  JsonObject,
  PortRecord,
  ProductRecord,
} from '@quanta/model';
import type { NewSnapshot } from '../catalog-store.ts';

/** A domain record whose hash is derived from its content. */
export function domainRecord(name: string, spec: JsonObject = {}): DomainRecord {
  return withHash({ name, owner: `${name}-team@example.com`, description: `The ${name} domain`, spec });
}

/** A product record of `domain`, reading `inputs`, with content-derived hash. */
export function productRecord(
  domain: string,
  name: string,
  options: { inputs?: readonly string[]; spec?: JsonObject; version?: string } = {},
): ProductRecord {
  return withHash({
    domain,
    name,
    address: `${domain}.${name}`,
    version: options.version ?? '1.0.0',
    owner: `${domain}-team@example.com`,
    inputs: options.inputs ?? [],
    spec: options.spec ?? { kind: 'product', name },
  });
}

/** An output port record of a product, with content-derived hash. */
export function portRecord(
  product: ProductRecord,
  name: string,
  options: { contract?: JsonObject; columns?: readonly ColumnSpec[] } = {},
): PortRecord {
  return withHash({
    domain: product.domain,
    product: product.name,
    name,
    address: `${product.address}.${name}`,
    contractId: `urn:quanta:${product.address}.${name}`,
    contractVersion: product.version,
    columns: options.columns ?? [idColumn()],
    contract: options.contract ?? { apiVersion: 'v3.0.2', kind: 'DataContract' },
  });
}

/** A snapshot of `port` produced by `runId`, ready to publish. */
export function newSnapshot(port: string, runId = 'run-1'): NewSnapshot {
  return {
    port,
    schemaHash: 'schema-1',
    columns: [{ name: 'id', type: 'BIGINT' }],
    rowCount: 3,
    quarantinedRows: 0,
    inputVersions: [],
    runId,
    storagePath: `snapshots/${port}`,
    bytes: 1024,
  };
}

/**
 * A large catalog for crash tests: `products` products with one port each, over 10 domains.
 * Each generation slides the window of products by 5% (creates and removes some) and rewrites
 * half of the rest, so applying generation n+1 over n inserts, updates and deletes.
 */
export function largeCatalog(options: { generation: number; products: number }): CatalogState {
  const { generation, products: count } = options;
  const first = generation * Math.ceil(count / 20);
  const domains = Array.from({ length: 10 }, (_, index) => domainRecord(`domain_${index}`));
  const products: ProductRecord[] = [];
  const ports: PortRecord[] = [];
  for (let index = first; index < first + count; index += 1) {
    const revision = (index + generation) % 2 === 0 ? generation : 0;
    const product = productRecord(`domain_${index % 10}`, `product_${index}`, {
      spec: { kind: 'product', index, revision, note: 'données · データ · 🚀' },
    });
    products.push(product);
    ports.push(portRecord(product, 'out', { contract: { kind: 'DataContract', revision } }));
  }
  return { domains, products, ports };
}

/** The identity of a catalog as a set of `table:key:hash`: equal sets mean equal catalogs. */
export function catalogFingerprint(state: CatalogState): ReadonlySet<string> {
  return new Set([
    ...state.domains.map((domain) => `domains:${domain.name}:${domain.hash}`),
    ...state.products.map((product) => `products:${product.address}:${product.hash}`),
    ...state.ports.map((port) => `ports:${port.address}:${port.hash}`),
  ]);
}

function idColumn(): ColumnSpec {
  return { name: 'id', logicalType: 'integer', required: true, unique: true, primaryKey: true, tags: [] };
}

function withHash<R extends object>(record: R): R & { hash: string } {
  return { ...record, hash: createHash('sha256').update(JSON.stringify(record)).digest('hex').slice(0, 16) };
}
