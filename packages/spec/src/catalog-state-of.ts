import { createHash } from 'node:crypto';
import type {
  CatalogState,
  ColumnSpec,
  DomainRecord,
  JsonObject,
  MeshSpec,
  PortRecord,
  ProductRecord,
  ProductSpec,
} from '@quanta/model';
import { canonicalJson } from './json-access.ts';

/**
 * What `quanta apply` deploys for a mesh: one record per domain, product and output port
 * (ports without a readable contract are left out: such a mesh does not validate). Each
 * record's `hash` is the SHA-256 of its canonical JSON, so equal content gives equal hashes.
 */
export function catalogStateOf(mesh: MeshSpec): CatalogState {
  return {
    domains: mesh.domains.map(domainRecord),
    products: mesh.products.map(productRecord),
    ports: mesh.products.flatMap(portRecords),
  };
}

/** SHA-256 (hex) of the canonical JSON of a record's content. */
export function contentHash(content: unknown): string {
  return createHash('sha256').update(canonicalJson(content)).digest('hex');
}

function withHash<T extends object>(content: T): T & { hash: string } {
  return { ...content, hash: contentHash(content) };
}

function domainRecord(domain: MeshSpec['domains'][number]): DomainRecord {
  return withHash({
    name: domain.name,
    owner: domain.owner,
    ...(domain.description === undefined ? {} : { description: domain.description }),
    spec: domain.raw,
  });
}

function productRecord(product: ProductSpec): ProductRecord {
  const inputs = product.inputPorts.map((port) => port.source).filter((source) => source !== undefined);
  return withHash({
    domain: product.domain,
    name: product.name,
    address: product.address,
    version: product.version,
    ...(product.description === undefined ? {} : { description: product.description }),
    ...(product.owner === undefined ? {} : { owner: product.owner }),
    inputs: [...new Set(inputs)],
    spec: product.odps,
    ...templateHashes(product),
  });
}

/** The hash of every template version the product's workflow calls: a new template text updates the product. */
function templateHashes(product: ProductSpec): { templates?: Record<string, string> } {
  const templates = product.workflow?.templates ?? [];
  if (templates.length === 0) return {};
  return { templates: Object.fromEntries(templates.map((template) => [template.ref, template.hash])) };
}

function portRecords(product: ProductSpec): PortRecord[] {
  return product.outputPorts.flatMap((port) => {
    const contract = port.contract;
    if (!contract) return [];
    return [
      withHash({
        domain: product.domain,
        product: product.name,
        name: port.name,
        address: port.address,
        contractId: port.contractId,
        contractVersion: contract.version,
        columns: contract.table.columns.map(withoutLocation),
        contract: contract.odcs as JsonObject,
      }),
    ];
  });
}

/** Columns are deployed without their position in the file: moving a line changes nothing. */
function withoutLocation(column: ColumnSpec): ColumnSpec {
  const { location: _location, ...rest } = column;
  return rest;
}
