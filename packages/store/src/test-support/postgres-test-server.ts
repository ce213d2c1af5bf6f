import { randomBytes } from 'node:crypto';
import { after, describe, test } from 'node:test';
import { PostgresDatabase } from '../postgres-database.ts';
import { parsePostgresUrl } from '../postgres-url.ts';
import type { SqlParam, SqlRow } from '../sql-database.ts';

/** The server PostgreSQL tests use unless QUANTA_TEST_DATABASE_URL names another (trust auth). */
export const DEFAULT_TEST_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';

/** How long to wait for the test server before calling it unreachable. */
const PROBE_TIMEOUT_MS = 3_000;

/** The outcome of looking for the test server: a server to use, or why there is none. */
export type PostgresTestAvailability =
  | { readonly isReachable: true; readonly server: PostgresTestServer }
  | { readonly isReachable: false; readonly reason: string };

/**
 * A reachable PostgreSQL server for tests. Each test works in its own fresh schema
 * (`quanta_test_<random>`), and `close()` drops every schema it handed out.
 */
export class PostgresTestServer {
  /** The server's URL, without schema. */
  readonly url: string;
  readonly #admin: PostgresDatabase;
  readonly #schemas: string[] = [];

  private constructor(url: string, admin: PostgresDatabase) {
    this.url = url;
    this.#admin = admin;
  }

  /** Connects to QUANTA_TEST_DATABASE_URL (or the local default) and reports whether it answers. */
  static async connect(url = testDatabaseUrl()): Promise<PostgresTestAvailability> {
    const target = parsePostgresUrl(url);
    try {
      const admin = await PostgresDatabase.create({
        connectionString: target.connectionString,
        server: target.server,
        connectTimeoutMs: PROBE_TIMEOUT_MS,
      });
      return { isReachable: true, server: new PostgresTestServer(target.connectionString, admin) };
    } catch (error) {
      const problem = error instanceof Error ? error.message : String(error);
      return {
        isReachable: false,
        reason: `PostgreSQL not reachable at ${target.server} (${problem}): set QUANTA_TEST_DATABASE_URL`,
      };
    }
  }

  /** A new schema name, dropped on `close()`; the store creates the schema when it migrates. */
  createSchema(): string {
    const schema = `quanta_test_${randomBytes(6).toString('hex')}`;
    this.#schemas.push(schema);
    return schema;
  }

  /** `url` pointed at a new schema, as `QUANTA_DATABASE_URL` would be. */
  createSchemaUrl(): string {
    const url = new URL(this.url);
    url.searchParams.set('schema', this.createSchema());
    return url.toString();
  }

  /** Runs one statement as the administrator (for assertions about the server itself). */
  async query(sql: string, params: readonly SqlParam[] = []): Promise<readonly SqlRow[]> {
    return this.#admin.query(sql, params);
  }

  /** Drops every schema handed out and disconnects. */
  async close(): Promise<void> {
    try {
      for (const schema of this.#schemas.splice(0)) {
        await this.#admin.executeScript(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      }
    } finally {
      await this.#admin.close();
    }
  }
}

/** QUANTA_TEST_DATABASE_URL, or the local default server. */
export function testDatabaseUrl(): string {
  return process.env.QUANTA_TEST_DATABASE_URL || DEFAULT_TEST_DATABASE_URL;
}

/**
 * Registers a suite of PostgreSQL tests. Without a reachable server the suite shows up as one
 * skipped test on a laptop, and as one failing test in CI (`CI=true`), where PostgreSQL must run.
 */
export function describePostgres(name: string, register: (server: PostgresTestServer) => void): void {
  describe(name, async () => {
    const availability = await PostgresTestServer.connect();
    if (!availability.isReachable) {
      registerUnreachable(availability.reason);
      return;
    }
    after(() => availability.server.close());
    register(availability.server);
  });
}

function registerUnreachable(reason: string): void {
  if (process.env.CI === 'true') {
    test('PostgreSQL is reachable (required in CI)', () => {
      throw new Error(`${reason}; CI must run the PostgreSQL tests`);
    });
  } else {
    test('PostgreSQL tests', { skip: reason }, () => undefined);
  }
}
