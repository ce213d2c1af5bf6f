import type { DuckDBConnection, DuckDBResult } from '@duckdb/node-api';
import { type ColumnType, type JsonValue, QuantaError } from '@quanta/model';
import { chunkIterator } from './chunk-iterator.ts';
import { isTypeName } from './column-types.ts';
import type {
  QueryResult,
  ReadSession,
  RowStream,
  SessionAttachment,
  SessionMacro,
  SessionTable,
} from './data-engine.ts';
import { type DatabaseSettings, DuckDbDatabase } from './duckdb-database.ts';
import { toQueryError } from './engine-errors.ts';
import { jsonSafeValue } from './json-safe-values.ts';
import { quoteIdentifier, quoteLiteral } from './sql-text.ts';

/** DuckDB's statement type code of a SELECT (`StatementType.SELECT`). */
const SELECT_STATEMENT = 1;
/** DuckDB's refusal to prepare a text holding several statements, or none. */
const NOT_ONE_STATEMENT = /Cannot prepare multiple statements|No statement to prepare/;

const SCALAR_TYPE =
  /^(VARCHAR|BOOLEAN|TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|DOUBLE|FLOAT|REAL|DATE|TIME|TIMESTAMP|DECIMAL|UUID)/i;

/** What a sandbox holds: the snapshot files attached, the session tables and the macros. */
export interface SandboxContents {
  readonly attachments: readonly SessionAttachment[];
  readonly tables: readonly SessionTable[];
  readonly macros: readonly SessionMacro[];
}

/**
 * A sandboxed in-memory DuckDB: the snapshot files attached READ_ONLY and the session tables and
 * macros loaded, then `enable_external_access=false` and `lock_configuration=true`. After that no
 * file can be read, written or attached, no extension loaded and no setting changed
 * (memory_limit, threads and temp_directory included). Many sessions may share one sandbox,
 * each on its own connection, because a session runs SELECT statements only.
 */
export async function openSandbox(
  settings: DatabaseSettings,
  contents: SandboxContents,
): Promise<DuckDbDatabase> {
  const database = await DuckDbDatabase.create(':memory:', { settings });
  try {
    for (const attachment of contents.attachments) {
      await database.run(
        `ATTACH ${quoteLiteral(attachment.path)} AS ${quoteIdentifier(attachment.alias)} (READ_ONLY)`,
      );
    }
    for (const table of contents.tables) await loadTable(database, table);
    for (const macro of contents.macros) await defineMacro(database, macro);
    await database.run('SET enable_external_access = false');
    await database.run('SET lock_configuration = true');
  } catch (error) {
    database.close();
    throw toQueryError(error);
  }
  return database;
}

/** One consumer's session: its own connection to a sandbox, running one SELECT at a time. */
export class DuckDbReadSession implements ReadSession {
  readonly #connection: DuckDBConnection;
  readonly #onClose: () => void;
  #stream: DuckDbRowStream | undefined;
  #isClosed = false;

  private constructor(connection: DuckDBConnection, onClose: () => void) {
    this.#connection = connection;
    this.#onClose = onClose;
  }

  /** Opens a session on a sandbox; `onClose` runs once when it closes. */
  static async create(
    sandbox: DuckDbDatabase,
    options: { onClose?: () => void } = {},
  ): Promise<DuckDbReadSession> {
    return new DuckDbReadSession(await sandbox.connect(), options.onClose ?? (() => {}));
  }

  /** Runs exactly one SELECT statement and returns all its JSON-safe rows. */
  async query(sql: string): Promise<QueryResult> {
    const stream = await this.stream(sql);
    const rows: JsonValue[][] = [];
    for await (const chunk of stream) for (const row of chunk) rows.push(row);
    return { columns: stream.columns, rows };
  }

  /**
   * Runs exactly one SELECT statement as a DuckDB streaming result: rows are produced as the
   * stream is read (one DuckDB vector, 2,048 rows, per chunk), converted to JSON-safe values.
   */
  async stream(sql: string): Promise<RowStream> {
    if (this.#isClosed) throw new QuantaError('QUANTA_USAGE', 'the read session is closed');
    if (this.#stream?.isOpen) {
      throw new QuantaError('QUANTA_USAGE', 'the read session is already streaming a result', {
        fix: 'read or close the previous stream first',
      });
    }
    try {
      // DuckDB prepares exactly one statement and refuses several or none: one round trip
      // instead of extracting the statements first.
      const prepared = await this.#connection.prepare(sql).catch((error: unknown) => {
        if (!NOT_ONE_STATEMENT.test(String(error))) throw error;
        throw new QuantaError('QUANTA_SQL_FORBIDDEN', 'a read session runs exactly one statement', {
          fix: 'send one SELECT statement',
        });
      });
      if (Number(prepared.statementType) !== SELECT_STATEMENT) {
        throw new QuantaError('QUANTA_SQL_FORBIDDEN', 'a read session runs SELECT statements only', {
          fix: 'send one SELECT statement',
        });
      }
      this.#stream = new DuckDbRowStream(await prepared.stream(), {
        interrupt: () => this.#connection.interrupt(),
      });
      return this.#stream;
    } catch (error) {
      throw toQueryError(error);
    }
  }

  /** Closes the session's connection (stopping a stream still open); the sandbox stays. Idempotent. */
  async close(): Promise<void> {
    if (this.#isClosed) return;
    this.#isClosed = true;
    await this.#stream?.close();
    this.#connection.closeSync();
    this.#onClose();
  }
}

/**
 * A DuckDB streaming result read chunk by chunk. Closing it interrupts the query and waits for
 * a fetch in flight, so that the connection is never closed under a running fetch.
 */
class DuckDbRowStream implements RowStream {
  readonly columns: readonly ColumnType[];
  readonly #result: DuckDBResult;
  readonly #interrupt: () => void;
  #fetching: Promise<unknown> = Promise.resolve();
  #isOpen = true;

  constructor(result: DuckDBResult, options: { interrupt: () => void }) {
    this.#result = result;
    this.#interrupt = options.interrupt;
    const types = result.columnTypes();
    this.columns = result.columnNames().map((name, index) => ({ name, type: String(types[index]) }));
  }

  /** False once the result was read to the end or closed. */
  get isOpen(): boolean {
    return this.#isOpen;
  }

  /** The next chunk of rows, or undefined at the end. */
  async next(): Promise<JsonValue[][] | undefined> {
    if (!this.#isOpen) return undefined;
    const fetched = this.#result.fetchChunk();
    this.#fetching = fetched.catch(() => undefined);
    let chunk: Awaited<typeof fetched>;
    try {
      chunk = await fetched;
    } catch (error) {
      this.#isOpen = false;
      throw toQueryError(error);
    }
    if (!this.#isOpen || !chunk || chunk.rowCount === 0) {
      this.#isOpen = false;
      return undefined;
    }
    return chunk.convertRows(jsonSafeValue) as JsonValue[][];
  }

  async close(): Promise<void> {
    if (!this.#isOpen) return;
    this.#isOpen = false;
    this.#interrupt();
    await this.#fetching;
  }

  [Symbol.asyncIterator](): AsyncIterator<JsonValue[][]> {
    return chunkIterator(this);
  }
}

/** Defines a scalar macro; its name and parameters are quoted identifiers, its body an expression. */
async function defineMacro(database: DuckDbDatabase, macro: SessionMacro): Promise<void> {
  const optional = (macro.optional ?? []).map((name) => `${quoteIdentifier(name)} := NULL`);
  const parameters = [...macro.parameters.map(quoteIdentifier), ...optional].join(', ');
  await database.run(`CREATE MACRO ${quoteIdentifier(macro.name)}(${parameters}) AS (${macro.body})`);
}

/** Creates a session table and loads its rows with one parameterized INSERT (rows passed as JSON). */
async function loadTable(database: DuckDbDatabase, table: SessionTable): Promise<void> {
  for (const column of table.columns) {
    if (!isTypeName(column.type)) {
      throw new QuantaError(
        'QUANTA_INTERNAL',
        `session table ${table.name}: '${column.type}' is not a type name`,
      );
    }
  }
  const name = `${quoteIdentifier(table.schema)}.${quoteIdentifier(table.name)}`;
  const definitions = table.columns.map((column) => `${quoteIdentifier(column.name)} ${column.type}`);
  await database.run(`CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(table.schema)}`);
  await database.run(`CREATE TABLE ${name} (${definitions.join(', ')})`);
  if (table.rows.length === 0) return;
  const values = table.columns.map((column, index) => {
    const field = SCALAR_TYPE.test(column.type) ? `row ->> ${index}` : `row -> ${index}`;
    return `CAST(${field} AS ${column.type})`;
  });
  await database.run(
    `INSERT INTO ${name} SELECT ${values.join(', ')} FROM (SELECT unnest(json_extract(CAST($1 AS JSON), '$[*]')) AS row)`,
    [JSON.stringify(table.rows)],
  );
}
