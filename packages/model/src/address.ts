import { QuantaError } from './errors.ts';

/**
 * A stable asset address: `quanta://<domain>/<product>/<port>[@<version>][#<column>]`.
 * Domain and product alone address a domain or a product.
 */
export interface Address {
  readonly domain: string;
  readonly product?: string;
  readonly port?: string;
  readonly version?: number;
  readonly column?: string;
}

const ADDRESS_PATTERN =
  /^quanta:\/\/([a-z][a-z0-9-]*)(?:\/([a-z][a-z0-9-]*)(?:\/([a-z][a-z0-9_-]*)(?:@(\d+))?(?:#([A-Za-z_][A-Za-z0-9_]*))?)?)?$/;

/** Names of domains and products: lower-case kebab. Ports may also use underscores. */
export const NAME_PATTERN = /^[a-z][a-z0-9-]*$/;
export const PORT_NAME_PATTERN = /^[a-z][a-z0-9_-]*$/;

/** Parses an address; throws QUANTA_ADDRESS_INVALID with the expected form. */
export function parseAddress(text: string): Address {
  const match = ADDRESS_PATTERN.exec(text.trim());
  if (!match) {
    throw new QuantaError('QUANTA_ADDRESS_INVALID', `'${text}' is not a Quanta address`, {
      fix: 'write quanta://<domain>/<product>/<port>[@<version>][#<column>]',
    });
  }
  const [, domain = '', product, port, version, column] = match;
  return {
    domain,
    ...(product ? { product } : {}),
    ...(port ? { port } : {}),
    ...(version ? { version: Number(version) } : {}),
    ...(column ? { column } : {}),
  };
}

/** Formats an address back to its canonical text. */
export function formatAddress(address: Address): string {
  let text = `quanta://${address.domain}`;
  if (address.product) text += `/${address.product}`;
  if (address.product && address.port) text += `/${address.port}`;
  if (address.port && address.version !== undefined) text += `@${address.version}`;
  if (address.port && address.column) text += `#${address.column}`;
  return text;
}

/** The address of a port, without version or column. */
export function portAddress(domain: string, product: string, port: string): string {
  return formatAddress({ domain, product, port });
}

/** The address of a product. */
export function productAddress(domain: string, product: string): string {
  return formatAddress({ domain, product });
}

/** SQL identifier for a kebab-case name: `customer-profile` becomes `customer_profile`. */
export function sqlIdentifier(name: string): string {
  return name.replaceAll('-', '_');
}

/**
 * The SQL name consumers use for a port: `<domain>.<product>.<port>` with kebab-case turned
 * into snake_case, e.g. `customers.customer_profile.profiles`.
 */
export function portSqlName(domain: string, product: string, port: string): string {
  return [domain, product, port].map(sqlIdentifier).join('.');
}
