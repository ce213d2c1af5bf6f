import type { TableReference } from '@quanta/engine';
import { type PortRecord, sqlIdentifier } from '@quanta/model';

/** The one database a PostgreSQL client sees: the mesh. */
export const PG_DATABASE = 'mesh';

/** Joins a domain and a product in the schema name BI tools see (ADR 012). */
const SCHEMA_SEPARATOR = '__';

/**
 * The PostgreSQL schema of a product's ports: `<domain>__<product>`, e.g.
 * `customers__customer_profile`, since a schema name cannot hold the dot of
 * `customers.customer_profile` without quoting that tools get wrong (ADR 012).
 */
export function pgSchemaName(domain: string, product: string): string {
  return `${sqlIdentifier(domain)}${SCHEMA_SEPARATOR}${sqlIdentifier(product)}`;
}

/**
 * The `domain.product.port` name a BI tool's reference stands for, when it uses the schema
 * alias: `"customers__customer_profile"."profiles"`, optionally under the database
 * (`mesh.customers__customer_profile.profiles`). Undefined for any other reference.
 */
export function portNameOfPgReference(
  reference: TableReference,
  ports: ReadonlyMap<string, PortRecord>,
): string | undefined {
  const { catalog, schema } = reference;
  if (!schema?.includes(SCHEMA_SEPARATOR)) return undefined;
  if (catalog !== undefined && catalog.toLowerCase() !== PG_DATABASE) return undefined;
  const table = reference.table.replace(/@\d+$/, '');
  for (let at = schema.indexOf(SCHEMA_SEPARATOR); at > 0; at = schema.indexOf(SCHEMA_SEPARATOR, at + 1)) {
    const name = `${schema.slice(0, at)}.${schema.slice(at + SCHEMA_SEPARATOR.length)}.${table}`;
    if (ports.has(name)) return name;
  }
  return undefined;
}
