import { QuantaError } from '@quanta/model';

/** A PostgreSQL connection, taken apart from its URL. */
export interface PostgresTarget {
  /** The URL for the driver, without Quanta's own `schema` parameter. */
  readonly connectionString: string;
  /** The schema to work in (created when missing), when one is chosen. */
  readonly schema?: string;
  /** `host:port/database`, for messages: never the password. */
  readonly server: string;
}

/** Schema names Quanta accepts: plain lower-case identifiers that need no quoting. */
const SCHEMA_PATTERN = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Parses a `postgres://` URL (QUANTA_DATABASE_URL). A `?schema=` parameter, or the `schema`
 * option which wins over it, isolates Quanta's tables in that schema.
 */
export function parsePostgresUrl(url: string, options: { schema?: string } = {}): PostgresTarget {
  const parsed = parseUrl(url);
  const schema = options.schema ?? parsed.searchParams.get('schema') ?? undefined;
  parsed.searchParams.delete('schema');
  if (schema !== undefined) assertSchemaName(schema);
  return {
    connectionString: parsed.toString(),
    server: describeServer(parsed),
    ...(schema === undefined ? {} : { schema }),
  };
}

function parseUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (error) {
    throw invalidUrl('is not a valid URL', error);
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw invalidUrl(`uses ${parsed.protocol} instead of postgres:`);
  }
  return parsed;
}

function invalidUrl(problem: string, cause?: unknown): QuantaError {
  return new QuantaError('QUANTA_USAGE', `the PostgreSQL database URL ${problem}`, {
    fix: 'set QUANTA_DATABASE_URL to postgres://<user>@<host>:<port>/<database>[?schema=<schema>]',
    ...(cause === undefined ? {} : { cause }),
  });
}

function assertSchemaName(schema: string): void {
  if (!SCHEMA_PATTERN.test(schema)) {
    throw new QuantaError('QUANTA_USAGE', `'${schema}' is not a usable PostgreSQL schema name`, {
      fix: 'use lower-case letters, digits and underscores, starting with a letter or underscore',
    });
  }
}

function describeServer(url: URL): string {
  const host = url.hostname || url.searchParams.get('host') || 'localhost';
  const port = url.port || '5432';
  const database = decodeURIComponent(url.pathname.replace(/^\//, '')) || decodeURIComponent(url.username);
  return `${host}:${port}/${database}`;
}
