import { QuantaError } from '@quanta/model';
import { isTypeName } from './column-types.ts';
import type {
  QueryResult,
  ReadSession,
  SessionAttachment,
  SessionMacro,
  SessionTable,
} from './data-engine.ts';
import { type DatabaseSettings, DuckDbDatabase } from './duckdb-database.ts';
import { toQueryError } from './engine-errors.ts';
import { jsonSafeValue } from './json-safe-values.ts';
import { quoteIdentifier, quoteLiteral } from './sql-text.ts';

const SCALAR_TYPE =
  /^(VARCHAR|BOOLEAN|TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|DOUBLE|FLOAT|REAL|DATE|TIME|TIMESTAMP|DECIMAL|UUID)/i;

/**
 * A sandboxed, read-only query session: a fresh in-memory DuckDB with the snapshot files
 * attached READ_ONLY and the session tables loaded, then `enable_external_access=false` and
 * `lock_configuration=true`. After that no file can be read, written or attached, no extension
 * loaded, and no setting changed (memory_limit, threads and temp_directory included).
 */
export class DuckDbReadSession implements ReadSession {
  readonly #database: DuckDbDatabase;
  readonly #onClose: () => void;
  #isClosed = false;

  private constructor(database: DuckDbDatabase, onClose: () => void) {
    this.#database = database;
    this.#onClose = onClose;
  }

  /** Opens and locks a session; `onClose` runs once when it closes. */
  static async create(options: {
    settings: DatabaseSettings;
    attachments: readonly SessionAttachment[];
    tables: readonly SessionTable[];
    /** Macros defined before the session is locked (consumers cannot redefine them afterwards). */
    macros?: readonly SessionMacro[];
    onClose?: () => void;
  }): Promise<DuckDbReadSession> {
    const database = await DuckDbDatabase.create(':memory:', { settings: options.settings });
    try {
      for (const attachment of options.attachments) {
        await database.run(
          `ATTACH ${quoteLiteral(attachment.path)} AS ${quoteIdentifier(attachment.alias)} (READ_ONLY)`,
        );
      }
      for (const table of options.tables) await loadTable(database, table);
      for (const macro of options.macros ?? []) await defineMacro(database, macro);
      await database.run('SET enable_external_access = false');
      await database.run('SET lock_configuration = true');
    } catch (error) {
      database.close();
      throw toQueryError(error);
    }
    return new DuckDbReadSession(database, options.onClose ?? (() => {}));
  }

  /** Runs one statement and returns JSON-safe rows. */
  async query(sql: string): Promise<QueryResult> {
    if (this.#isClosed) throw new QuantaError('QUANTA_USAGE', 'the read session is closed');
    try {
      const statements = await this.#database.connection.extractStatements(sql);
      if (statements.count !== 1) {
        throw new QuantaError('QUANTA_SQL_FORBIDDEN', 'a read session runs exactly one statement', {
          fix: 'send one SELECT statement',
        });
      }
      const reader = await this.#database.connection.runAndReadAll(sql);
      const types = reader.columnTypes();
      const columns = reader.columnNames().map((name, index) => ({ name, type: String(types[index]) }));
      const rows = reader.convertRows(jsonSafeValue) as QueryResult['rows'];
      return { columns, rows };
    } catch (error) {
      throw toQueryError(error);
    }
  }

  /** Closes the session's in-memory database; idempotent. */
  async close(): Promise<void> {
    if (this.#isClosed) return;
    this.#isClosed = true;
    this.#database.close();
    this.#onClose();
  }
}

/** Defines a scalar macro; its name and parameters are quoted identifiers, its body an expression. */
async function defineMacro(database: DuckDbDatabase, macro: SessionMacro): Promise<void> {
  const parameters = macro.parameters.map(quoteIdentifier).join(', ');
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
