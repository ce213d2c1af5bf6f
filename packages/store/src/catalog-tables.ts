import type { ColumnSpec, DomainRecord, JsonObject, PortRecord, ProductRecord } from '@quanta/model';
import type { SqlParam, SqlRow } from './sql-database.ts';
import { jsonParam, readJson, readOptionalText, readText } from './sql-row.ts';

/** A catalog record: anything `quanta apply` deploys, compared by its hash. */
export interface HashedRecord {
  readonly hash: string;
}

/** How one kind of catalog record maps to its table, keyed by its name or address. */
export interface CatalogTable<R extends HashedRecord> {
  readonly name: 'domains' | 'products' | 'ports';
  /** The key column. */
  readonly key: string;
  /** Every column, key first, in the order of `toParams`. */
  readonly columns: readonly string[];
  keyOf(record: R): string;
  toParams(record: R): readonly SqlParam[];
  fromRow(row: SqlRow): R;
}

/** Domains, keyed by name. */
export const DOMAINS_TABLE: CatalogTable<DomainRecord> = {
  name: 'domains',
  key: 'name',
  columns: ['name', 'owner', 'description', 'spec', 'hash'],
  keyOf: (domain) => domain.name,
  toParams: (domain) => [
    domain.name,
    domain.owner,
    domain.description ?? null,
    jsonParam(domain.spec),
    domain.hash,
  ],
  fromRow: (row) => {
    const description = readOptionalText(row, 'description');
    return {
      name: readText(row, 'name'),
      owner: readText(row, 'owner'),
      ...(description === undefined ? {} : { description }),
      spec: readJson<JsonObject>(row, 'spec'),
      hash: readText(row, 'hash'),
    };
  },
};

/** Products, keyed by address. */
export const PRODUCTS_TABLE: CatalogTable<ProductRecord> = {
  name: 'products',
  key: 'address',
  columns: ['address', 'domain', 'name', 'version', 'description', 'owner', 'inputs', 'spec', 'hash'],
  keyOf: (product) => product.address,
  toParams: (product) => [
    product.address,
    product.domain,
    product.name,
    product.version,
    product.description ?? null,
    product.owner ?? null,
    jsonParam(product.inputs),
    jsonParam(product.spec),
    product.hash,
  ],
  fromRow: (row) => {
    const description = readOptionalText(row, 'description');
    const owner = readOptionalText(row, 'owner');
    return {
      domain: readText(row, 'domain'),
      name: readText(row, 'name'),
      address: readText(row, 'address'),
      version: readText(row, 'version'),
      ...(description === undefined ? {} : { description }),
      ...(owner === undefined ? {} : { owner }),
      inputs: readJson<string[]>(row, 'inputs'),
      spec: readJson<JsonObject>(row, 'spec'),
      hash: readText(row, 'hash'),
    };
  },
};

/** Output ports and their contracts, keyed by address. */
export const PORTS_TABLE: CatalogTable<PortRecord> = {
  name: 'ports',
  key: 'address',
  columns: [
    'address',
    'domain',
    'product',
    'name',
    'contract_id',
    'contract_version',
    'columns',
    'contract',
    'hash',
  ],
  keyOf: (port) => port.address,
  toParams: (port) => [
    port.address,
    port.domain,
    port.product,
    port.name,
    port.contractId,
    port.contractVersion,
    jsonParam(port.columns),
    jsonParam(port.contract),
    port.hash,
  ],
  fromRow: (row) => ({
    domain: readText(row, 'domain'),
    product: readText(row, 'product'),
    name: readText(row, 'name'),
    address: readText(row, 'address'),
    contractId: readText(row, 'contract_id'),
    contractVersion: readText(row, 'contract_version'),
    columns: readJson<ColumnSpec[]>(row, 'columns'),
    contract: readJson<JsonObject>(row, 'contract'),
    hash: readText(row, 'hash'),
  }),
};
