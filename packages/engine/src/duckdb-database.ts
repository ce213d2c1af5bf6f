import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import type { JsonValue } from '@quanta/model';

/** Settings every DuckDB instance the engine opens shares. */
export interface DatabaseSettings {
  readonly threads: number;
  /** DuckDB memory limit, e.g. `4GB`; DuckDB's default when absent. */
  readonly memoryLimit?: string;
}

/**
 * One DuckDB instance over one database file (or memory) with one connection. The engine opens
 * one per operation and closes it promptly, because DuckDB locks the file while it is open.
 */
export class DuckDbDatabase {
  readonly #instance: DuckDBInstance;
  readonly #connection: DuckDBConnection;
  #isClosed = false;

  private constructor(instance: DuckDBInstance, connection: DuckDBConnection) {
    this.#instance = instance;
    this.#connection = connection;
  }

  /** Opens `path` (`:memory:` for an in-memory database), read-write unless `readOnly`. */
  static async create(
    path: string,
    options: { settings: DatabaseSettings; readOnly?: boolean },
  ): Promise<DuckDbDatabase> {
    const config: Record<string, string> = {
      threads: String(options.settings.threads),
      autoinstall_known_extensions: 'false',
      autoload_known_extensions: 'false',
    };
    if (options.settings.memoryLimit) config.memory_limit = options.settings.memoryLimit;
    if (options.readOnly) config.access_mode = 'READ_ONLY';
    const instance = await DuckDBInstance.create(path, config);
    try {
      return new DuckDbDatabase(instance, await instance.connect());
    } catch (error) {
      instance.closeSync();
      throw error;
    }
  }

  /** Opens another connection to the same instance (sessions share one sandboxed instance). */
  async connect(): Promise<DuckDBConnection> {
    return this.#instance.connect();
  }

  /** The connection, for the few callers that need the vendor API (value conversion, appenders). */
  get connection(): DuckDBConnection {
    return this.#connection;
  }

  /** Runs one or more statements, discarding any result. */
  async run(sql: string, values?: readonly JsonValue[]): Promise<void> {
    await this.#connection.run(sql, values ? toParameters(values) : undefined);
  }

  /** Runs a query and returns its rows as JSON values (BIGINT and DECIMAL come back as strings). */
  async rows(sql: string, values?: readonly JsonValue[]): Promise<JsonValue[][]> {
    const reader = await this.#connection.runAndReadAll(sql, values ? toParameters(values) : undefined);
    return reader.getRowsJson() as JsonValue[][];
  }

  /** Runs a query and returns its rows as objects keyed by column name. */
  async objects(sql: string, values?: readonly JsonValue[]): Promise<Record<string, JsonValue>[]> {
    const reader = await this.#connection.runAndReadAll(sql, values ? toParameters(values) : undefined);
    return reader.getRowObjectsJson() as Record<string, JsonValue>[];
  }

  /** Closes the connection and the instance (checkpointing a file database); idempotent. */
  close(): void {
    if (this.#isClosed) return;
    this.#isClosed = true;
    this.#connection.closeSync();
    this.#instance.closeSync();
  }
}

function toParameters(values: readonly JsonValue[]): (string | number | boolean | null)[] {
  return values.map((value) => (value === null || typeof value !== 'object' ? value : JSON.stringify(value)));
}
