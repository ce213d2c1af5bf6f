import { QuantaError } from '@quanta/model';
import { DatabaseError, Pool, type PoolClient, TypeOverrides, types } from 'pg';
import type {
  SqlDatabase,
  SqlDialect,
  SqlExecutor,
  SqlParam,
  SqlRow,
  SqlValue,
  TransactionOptions,
} from './sql-database.ts';
import { toPostgresPlaceholders } from './sql-placeholders.ts';

/** First key of the advisory lock migrators take; the second is the schema's hash. */
const MIGRATION_LOCK_NAMESPACE = 0x51_55_4e_54;

const PG_INT8 = 20;
const PG_JSON = 114;
const PG_TIMESTAMPTZ = 1184;
const PG_JSONB = 3802;

/** SQLSTATE codes meaning the server cannot serve us, rather than that a statement is wrong. */
const UNAVAILABLE_STATES = new Set(['3D000', '28000', '28P01', '53300', '57P01', '57P02', '57P03']);
const UNIQUE_VIOLATION = '23505';

/** Options of {@link PostgresDatabase.create}. */
export interface PostgresDatabaseOptions {
  readonly connectionString: string;
  /** Work in this schema (created by the migrations when missing) instead of the default search path. */
  readonly schema?: string;
  /** `host:port/database` for messages. */
  readonly server: string;
  /** How long to wait for a connection before calling the store unavailable. Default 10 s. */
  readonly connectTimeoutMs?: number;
}

/**
 * The pg adapter: a connection pool. Results are normalized to the shapes the SQLite adapter
 * returns (JSON and timestamps as text, 64-bit integers as numbers), so the store reads rows
 * the same way on both backends.
 */
export class PostgresDatabase implements SqlDatabase {
  readonly dialect: SqlDialect;
  readonly #pool: Pool;
  readonly #server: string;
  #isClosed = false;

  private constructor(pool: Pool, options: PostgresDatabaseOptions) {
    this.#pool = pool;
    this.#server = options.server;
    this.dialect = postgresDialect(options.schema);
  }

  /** Creates the pool and checks that the server answers. */
  static async create(options: PostgresDatabaseOptions): Promise<PostgresDatabase> {
    const pool = new Pool({
      connectionString: options.connectionString,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
      types: createTypeParsers(),
      ...(options.schema === undefined ? {} : { options: `-c search_path=${options.schema}` }),
    });
    // An idle connection dropped by the server is discarded by the pool; the next query reconnects.
    pool.on('error', () => undefined);
    const database = new PostgresDatabase(pool, options);
    try {
      await database.query('SELECT 1');
    } catch (error) {
      await pool.end();
      throw error;
    }
    return database;
  }

  async query(sql: string, params: readonly SqlParam[] = []): Promise<readonly SqlRow[]> {
    try {
      const result = await this.#pool.query(toPostgresPlaceholders(sql), [...params]);
      return normalizeRows(result.rows);
    } catch (error) {
      throw toStoreError(error, this.#server);
    }
  }

  async executeScript(sql: string): Promise<void> {
    try {
      await this.#pool.query(sql);
    } catch (error) {
      throw toStoreError(error, this.#server);
    }
  }

  async transaction<T>(work: (tx: SqlExecutor) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    const client = await this.#connect();
    const tx = this.#executorFor(client);
    let brokenBy: Error | undefined;
    // The pool listens for errors only on idle clients: a connection lost between two statements
    // of this transaction would otherwise be an unhandled 'error' event that kills the process.
    // Remembering it makes the next statement fail instead, and the client is discarded.
    const onError = (error: Error) => {
      brokenBy = error;
    };
    client.on('error', onError);
    try {
      await tx.executeScript(options.readOnly ? 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY' : 'BEGIN');
      const result = await work(tx);
      await tx.executeScript('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch((rollbackError: Error) => {
        brokenBy = rollbackError;
      });
      throw error;
    } finally {
      client.removeListener('error', onError);
      client.release(brokenBy);
    }
  }

  async close(): Promise<void> {
    if (this.#isClosed) return;
    this.#isClosed = true;
    await this.#pool.end();
  }

  async #connect(): Promise<PoolClient> {
    try {
      return await this.#pool.connect();
    } catch (error) {
      throw unavailable(error, this.#server);
    }
  }

  #executorFor(client: PoolClient): SqlExecutor {
    const server = this.#server;
    return {
      async query(sql, params = []) {
        try {
          return normalizeRows((await client.query(toPostgresPlaceholders(sql), [...params])).rows);
        } catch (error) {
          throw toStoreError(error, server);
        }
      },
      async executeScript(sql) {
        try {
          await client.query(sql);
        } catch (error) {
          throw toStoreError(error, server);
        }
      },
    };
  }
}

/**
 * Migrators take a transaction-scoped advisory lock per schema, so concurrent processes apply
 * each migration once; the schema is created under that lock.
 */
function postgresDialect(schema: string | undefined): SqlDialect {
  return {
    name: 'postgres',
    types: {
      json: 'JSONB',
      timestamp: 'TIMESTAMPTZ',
      bigint: 'BIGINT',
      serialKey: 'BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY',
    },
    migrationPreamble: [
      `SELECT pg_advisory_xact_lock(${MIGRATION_LOCK_NAMESPACE}, hashtext('${schema ?? ''}'))`,
      ...(schema === undefined ? [] : [`CREATE SCHEMA IF NOT EXISTS ${schema}`]),
    ],
  };
}

function createTypeParsers(): TypeOverrides {
  const parsers = new TypeOverrides();
  const parseTimestamp = types.getTypeParser(PG_TIMESTAMPTZ, 'text');
  parsers.setTypeParser(PG_INT8, 'text', Number);
  parsers.setTypeParser(PG_JSON, 'text', (text) => text);
  parsers.setTypeParser(PG_JSONB, 'text', (text) => text);
  parsers.setTypeParser(PG_TIMESTAMPTZ, 'text', (text) => (parseTimestamp(text) as Date).toISOString());
  return parsers;
}

function normalizeRows(rows: readonly Record<string, unknown>[]): readonly SqlRow[] {
  return rows.map((row) => {
    const normalized: Record<string, SqlValue> = {};
    for (const [column, value] of Object.entries(row)) normalized[column] = normalizeValue(value, column);
    return normalized;
  });
}

function normalizeValue(value: unknown, column: string): SqlValue {
  if (value === null || typeof value === 'string' || typeof value === 'number') return value;
  throw new QuantaError(
    'QUANTA_INTERNAL',
    `the PostgreSQL metadata store returned a ${typeof value} in '${column}'`,
  );
}

/** Maps pg errors to Quanta's: no answer from the server makes the store unavailable. */
function toStoreError(error: unknown, server: string): QuantaError {
  if (error instanceof QuantaError) return error;
  if (!(error instanceof DatabaseError)) return unavailable(error, server);
  if (error.code === UNIQUE_VIOLATION)
    return new QuantaError('QUANTA_CONFLICT', error.message, { cause: error });
  if (error.code?.startsWith('08') || UNAVAILABLE_STATES.has(error.code ?? ''))
    return unavailable(error, server);
  return new QuantaError('QUANTA_INTERNAL', `PostgreSQL metadata store: ${error.message}`, { cause: error });
}

function unavailable(error: unknown, server: string): QuantaError {
  const host = server.slice(0, server.lastIndexOf('/'));
  return new QuantaError(
    'QUANTA_STORE_UNAVAILABLE',
    `cannot use the PostgreSQL metadata store at ${server}: ${describeError(error)}`,
    {
      cause: error,
      fix: `is PostgreSQL running at ${host}? set QUANTA_DATABASE_URL to a reachable server (postgres://<user>@<host>:<port>/<database>)`,
    },
  );
}

function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  if (error.message) return error.message;
  return 'code' in error && typeof error.code === 'string' ? error.code : error.name;
}
