import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { DatabaseSync, type SQLOutputValue, type StatementSync } from 'node:sqlite';
import { QuantaError } from '@quanta/model';
import { SerialQueue } from './serial-queue.ts';
import type {
  SqlDatabase,
  SqlDialect,
  SqlExecutor,
  SqlParam,
  SqlRow,
  SqlValue,
  TransactionOptions,
} from './sql-database.ts';

/** How long a writer waits for another process holding the file before giving up. */
const BUSY_TIMEOUT_MS = 10_000;

/** The SQLite dialect: JSON as text, timestamps as ISO text, rowid as the insertion order. */
const SQLITE_DIALECT: SqlDialect = {
  name: 'sqlite',
  types: { json: 'TEXT', timestamp: 'TEXT', bigint: 'INTEGER', serialKey: 'INTEGER PRIMARY KEY' },
  // BEGIN IMMEDIATE already serializes migrators, across processes too.
  migrationPreamble: [],
};

/** SQLite primary result codes (the low byte of an extended code) the store reacts to. */
const SQLITE_BUSY = 5;
const SQLITE_LOCKED = 6;
const SQLITE_READONLY = 8;
const SQLITE_IOERR = 10;
const SQLITE_CORRUPT = 11;
const SQLITE_FULL = 13;
const SQLITE_CANTOPEN = 14;
const SQLITE_NOTADB = 26;
const SQLITE_CONSTRAINT_PRIMARYKEY = 1555;
const SQLITE_CONSTRAINT_UNIQUE = 2067;

/**
 * One queue per database file for the whole process, shared by every connection to that file.
 * A connection waiting for SQLite's write lock blocks the thread (the driver is synchronous), so
 * if two connections of one process took turns per statement, the waiting one would block the
 * very event loop the lock holder needs to finish: a deadlock until the busy timeout. Other
 * processes are independent threads, so for them the busy timeout is the right wait.
 */
const FILE_QUEUES = new Map<string, { readonly queue: SerialQueue; users: number }>();

/** Options of {@link EmbeddedDatabase.create}. */
export interface EmbeddedDatabaseOptions {
  /** The database file, created with its folder when missing, or `:memory:`. */
  readonly path: string;
}

/**
 * The node:sqlite adapter: one synchronous connection to a file in WAL mode, so several
 * processes can share it (readers never block, writers wait up to the busy timeout).
 * Every statement and transaction runs in turn through one queue, because an async
 * transaction on a single connection must not see another caller's statements; connections
 * of one process to the same file share that queue (see FILE_QUEUES).
 */
export class EmbeddedDatabase implements SqlDatabase {
  readonly dialect = SQLITE_DIALECT;
  readonly #db: DatabaseSync;
  readonly #path: string;
  readonly #statements = new Map<string, StatementSync>();
  readonly #inTransaction: SqlExecutor;
  readonly #queue: SerialQueue;
  #isClosed = false;

  private constructor(db: DatabaseSync, path: string) {
    this.#db = db;
    this.#path = path;
    this.#queue = acquireQueue(path);
    this.#inTransaction = {
      query: async (sql, params) => this.#run(sql, params),
      executeScript: async (sql) => this.#exec(sql),
    };
  }

  /** Opens (or creates) the database file and sets WAL mode and the busy timeout. */
  static async create(options: EmbeddedDatabaseOptions): Promise<EmbeddedDatabase> {
    const { path } = options;
    if (path !== ':memory:') await createFolder(path);
    const database = new EmbeddedDatabase(openDatabase(path), path);
    try {
      await database.#queue.run(async () => {
        database.#exec('PRAGMA journal_mode = WAL');
        // In WAL mode NORMAL never corrupts the file and survives a killed process; only a power
        // loss may forget the last commits. FULL would sync the log on every journaled step.
        database.#exec('PRAGMA synchronous = NORMAL');
      });
    } catch (error) {
      await database.close();
      throw error;
    }
    return database;
  }

  query(sql: string, params: readonly SqlParam[] = []): Promise<readonly SqlRow[]> {
    return this.#enqueue(async () => this.#run(sql, params));
  }

  executeScript(sql: string): Promise<void> {
    return this.#enqueue(async () => this.#exec(sql));
  }

  transaction<T>(work: (tx: SqlExecutor) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    return this.#enqueue(async () => {
      // A write transaction takes the write lock up front: upgrading a read lock later could
      // fail at once with SQLITE_BUSY instead of waiting for the other process.
      this.#exec(options.readOnly ? 'BEGIN DEFERRED' : 'BEGIN IMMEDIATE');
      try {
        const result = await work(this.#inTransaction);
        this.#exec('COMMIT');
        return result;
      } catch (error) {
        this.#rollback();
        throw error;
      }
    });
  }

  async close(): Promise<void> {
    if (this.#isClosed) return;
    this.#isClosed = true;
    await this.#queue.run(async () => {
      if (this.#db.isOpen) this.#db.close();
    });
    releaseQueue(this.#path);
  }

  #enqueue<T>(task: () => Promise<T>): Promise<T> {
    if (this.#isClosed) return Promise.reject(closedDatabase(this.#path));
    return this.#queue.run(task);
  }

  /** Rolls back what is left of a failed transaction, keeping the error that made it fail. */
  #rollback(): void {
    try {
      if (this.#db.isTransaction) this.#db.exec('ROLLBACK');
    } catch {
      // SQLite rolls back on its own when it cannot: the transaction's error is the one to report.
    }
  }

  #run(sql: string, params: readonly SqlParam[] = []): readonly SqlRow[] {
    try {
      return this.#prepare(sql)
        .all(...params)
        .map((row) => normalizeRow(row));
    } catch (error) {
      throw toStoreError(error, this.#path);
    }
  }

  #exec(sql: string): void {
    try {
      this.#db.exec(sql);
    } catch (error) {
      throw toStoreError(error, this.#path);
    }
  }

  #prepare(sql: string): StatementSync {
    let statement = this.#statements.get(sql);
    if (!statement) {
      statement = this.#db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }
}

function acquireQueue(path: string): SerialQueue {
  // An in-memory database is private to its connection: nothing to share.
  if (path === ':memory:') return new SerialQueue();
  const key = resolve(path);
  const shared = FILE_QUEUES.get(key) ?? { queue: new SerialQueue(), users: 0 };
  shared.users += 1;
  FILE_QUEUES.set(key, shared);
  return shared.queue;
}

function releaseQueue(path: string): void {
  if (path === ':memory:') return;
  const key = resolve(path);
  const shared = FILE_QUEUES.get(key);
  if (!shared) return;
  shared.users -= 1;
  if (shared.users <= 0) FILE_QUEUES.delete(key);
}

function closedDatabase(path: string): QuantaError {
  return new QuantaError('QUANTA_INTERNAL', `the embedded catalog ${path} was used after it was closed`);
}

async function createFolder(path: string): Promise<void> {
  try {
    await mkdir(dirname(path), { recursive: true });
  } catch (error) {
    throw unavailableFile(path, error);
  }
}

function openDatabase(path: string): DatabaseSync {
  try {
    return new DatabaseSync(path, { timeout: BUSY_TIMEOUT_MS, enableForeignKeyConstraints: true });
  } catch (error) {
    throw toStoreError(error, path);
  }
}

function normalizeRow(row: Record<string, SQLOutputValue>): SqlRow {
  const normalized: Record<string, SqlValue> = {};
  for (const [column, value] of Object.entries(row)) normalized[column] = normalizeValue(value);
  return normalized;
}

function normalizeValue(value: SQLOutputValue): SqlValue {
  if (value === null || typeof value === 'string' || typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  throw new QuantaError('QUANTA_INTERNAL', 'the embedded metadata store returned binary data');
}

/** Maps node:sqlite errors to Quanta's: busy and I/O trouble make the store unavailable. */
function toStoreError(error: unknown, path: string): QuantaError {
  if (error instanceof QuantaError) return error;
  const code = sqliteErrorCode(error);
  const message = error instanceof Error ? error.message : String(error);
  if (code === undefined) return new QuantaError('QUANTA_INTERNAL', message, { cause: error });
  if (code === SQLITE_CONSTRAINT_UNIQUE || code === SQLITE_CONSTRAINT_PRIMARYKEY) {
    return new QuantaError('QUANTA_CONFLICT', message, { cause: error });
  }
  const primary = code & 0xff;
  if (primary === SQLITE_BUSY || primary === SQLITE_LOCKED) {
    return new QuantaError('QUANTA_STORE_UNAVAILABLE', `the embedded catalog ${path} is busy: ${message}`, {
      cause: error,
      fix: 'another quanta process holds the catalog file; wait for it to finish, or use PostgreSQL (set QUANTA_DATABASE_URL) for many concurrent writers',
    });
  }
  if (isFileProblem(primary)) return unavailableFile(path, error);
  return new QuantaError('QUANTA_INTERNAL', `embedded metadata store: ${message}`, { cause: error });
}

function unavailableFile(path: string, error: unknown): QuantaError {
  const message = error instanceof Error ? error.message : String(error);
  return new QuantaError('QUANTA_STORE_UNAVAILABLE', `cannot use the embedded catalog ${path}: ${message}`, {
    cause: error,
    fix: `check that ${dirname(path)} is a writable folder and ${path} a Quanta catalog, or set QUANTA_DATABASE_URL to use PostgreSQL`,
  });
}

function isFileProblem(primary: number): boolean {
  return [
    SQLITE_READONLY,
    SQLITE_IOERR,
    SQLITE_CORRUPT,
    SQLITE_FULL,
    SQLITE_CANTOPEN,
    SQLITE_NOTADB,
  ].includes(primary);
}

function sqliteErrorCode(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null || !('errcode' in error)) return undefined;
  return typeof error.errcode === 'number' ? error.errcode : undefined;
}
