import type { DuckDBPreparedStatement } from '@duckdb/node-api';
import { type JsonValue, QuantaError } from '@quanta/model';
import type { ParsedQuery, TableReference, TableRewrite } from './data-engine.ts';
import type { DatabaseSettings } from './duckdb-database.ts';
import { DuckDbDatabase } from './duckdb-database.ts';
import { parseLosslessJson } from './lossless-json.ts';
import {
  findTableReferences,
  isSelectStatement,
  rewriteTableReferences,
  type TreeTableRewrite,
} from './sql-tree.ts';

/** DuckDB's answer to `json_serialize_sql`. */
interface SerializedSql {
  readonly error: boolean;
  readonly error_type?: string;
  readonly error_message?: string;
  readonly position?: string;
  readonly statements?: unknown[];
}

/** A text waiting for the next batch of `json_serialize_sql`. */
interface PendingParse {
  readonly sql: string;
  resolve(serialized: string): void;
  reject(error: unknown): void;
}

/** Parses one text. */
const SERIALIZE_SQL = 'SELECT CAST(json_serialize_sql(CAST($1 AS VARCHAR)) AS VARCHAR)';
/** Parses a batch of texts given as a JSON array of strings; one row per text, in order. */
const SERIALIZE_BATCH_SQL = `SELECT CAST(json_serialize_sql(text) AS VARCHAR) FROM (SELECT unnest(CAST(from_json($1, '["VARCHAR"]') AS VARCHAR[])) AS text)`;
/** Prints a serialized tree back as SQL. */
const DESERIALIZE_SQL = 'SELECT json_deserialize_sql(CAST($1 AS JSON))';

/**
 * Serialized trees kept by text. Parsing is a function of the text alone, and the gateway asks
 * for the same text twice per query (to authorize, then to rewrite) and for the same view SQL
 * across queries, so each saves a round trip to DuckDB.
 */
const TREES_KEPT = 256;
/** Larger texts or trees are parsed each time, so that the cache stays a few megabytes at most. */
const TREE_BYTES_KEPT = 64 * 1024;

/**
 * SQL parsing with DuckDB's own parser (`json_serialize_sql`) and printing back
 * (`json_deserialize_sql`), on one in-memory database whose calls are queued one at a time,
 * through two statements prepared once.
 */
export class SqlParser {
  readonly #database: DuckDbDatabase;
  #queue: Promise<unknown> = Promise.resolve();
  readonly #pending: PendingParse[] = [];
  readonly #trees = new Map<string, string>();
  readonly #prepared = new Map<string, Promise<DuckDBPreparedStatement>>();

  private constructor(database: DuckDbDatabase) {
    this.#database = database;
  }

  /** Opens the parser's in-memory database. */
  static async create(settings: DatabaseSettings): Promise<SqlParser> {
    return new SqlParser(await DuckDbDatabase.create(':memory:', { settings: { ...settings, threads: 1 } }));
  }

  /** What a query is and reads; throws QUANTA_SQL_INVALID when it does not parse. */
  async parse(sql: string): Promise<ParsedQuery> {
    const serialized = await this.#tree(sql);
    if (serialized.error) return notSelect(sql, serialized);
    const statements = serialized.statements ?? [];
    const [statement] = statements;
    const isSingleSelect = statements.length === 1 && isSelectStatement(statement);
    return { isSingleSelect, ...findTableReferences(statements) };
  }

  /**
   * Rewrites the table references of a single SELECT and prints it back as SQL. A reference
   * rewritten to a subquery is replaced by that subquery's own parsed tree (a derived table), so
   * nothing of the consumer's text can reach around it.
   */
  async rewrite(sql: string, rewrite: (reference: TableReference) => TableRewrite): Promise<string> {
    const statement = await this.#singleSelect(sql);
    const references = findTableReferences(statement).tableReferences;
    // Every subquery is asked for at once, so that the texts not yet known parse in one batch.
    const rewritten = await Promise.all(
      references.map(async (reference): Promise<[string, TreeTableRewrite]> => {
        const target = rewrite(reference);
        return [
          referenceKey(reference),
          'subquery' in target ? await this.#subquery(target.subquery) : target,
        ];
      }),
    );
    const targets = new Map(rewritten);
    rewriteTableReferences(statement, (reference) => {
      const target = targets.get(referenceKey(reference));
      if (!target) throw new QuantaError('QUANTA_INTERNAL', `unresolved table reference ${reference.table}`);
      return target;
    });
    return this.#deserialize(statement);
  }

  /** The single SELECT of `sql`, printed back by DuckDB: no trailing semicolon or comment. */
  async normalize(sql: string): Promise<string> {
    return this.#deserialize(await this.#singleSelect(sql));
  }

  /** Closes the parser's database. */
  close(): void {
    for (const prepared of this.#prepared.values()) {
      void prepared.then((statement) => statement.destroySync()).catch(() => undefined);
    }
    this.#prepared.clear();
    this.#database.close();
  }

  async #subquery(sql: string): Promise<{ statement: unknown }> {
    return { statement: await this.#singleSelect(sql) };
  }

  async #singleSelect(sql: string): Promise<unknown> {
    const serialized = await this.#tree(sql);
    if (serialized.error) notSelect(sql, serialized);
    const statements = serialized.statements ?? [];
    const [statement] = statements;
    if (statements.length !== 1 || !isSelectStatement(statement)) throw notSingleSelectError();
    return statement;
  }

  /**
   * The serialized tree of a text, freshly decoded: the caller may change it in place. A text
   * seen recently is not sent to DuckDB again.
   */
  async #tree(sql: string): Promise<SerializedSql> {
    let text = this.#trees.get(sql);
    if (text === undefined) {
      text = await this.#serialize(sql);
      if (text.length + sql.length <= TREE_BYTES_KEPT) this.#trees.set(sql, text);
      if (this.#trees.size > TREES_KEPT) this.#trees.delete(this.#trees.keys().next().value ?? '');
    } else {
      this.#trees.delete(sql);
      this.#trees.set(sql, text);
    }
    return decodeTree(text);
  }

  /**
   * Parses through DuckDB. Texts asked for in the same tick go in one query: a round trip to
   * DuckDB costs far more than parsing a statement, and validating a mesh parses hundreds.
   */
  #serialize(sql: string): Promise<string> {
    return new Promise((resolve, reject) => {
      this.#pending.push({ sql, resolve, reject });
      if (this.#pending.length === 1) setImmediate(() => void this.#serializePending());
    });
  }

  async #serializePending(): Promise<void> {
    const batch = this.#pending.splice(0);
    try {
      // One text alone skips the JSON list, which costs more than the parse of a small query.
      const [single] = batch;
      const rows =
        batch.length === 1 && single
          ? await this.#run(SERIALIZE_SQL, single.sql)
          : await this.#run(SERIALIZE_BATCH_SQL, JSON.stringify(batch.map((request) => request.sql)));
      for (const [index, request] of batch.entries()) request.resolve(String(rows[index]?.[0]));
    } catch (error) {
      for (const request of batch) request.reject(error);
    }
  }

  async #deserialize(statement: unknown): Promise<string> {
    const tree = JSON.stringify({ error: false, statements: [statement] });
    const [row] = await this.#run(DESERIALIZE_SQL, tree);
    return String(row?.[0]);
  }

  /** Runs one of the parser's statements, prepared on first use, with its one text parameter. */
  #run(sql: string, parameter: string): Promise<JsonValue[][]> {
    return this.#exclusive(async () => {
      let prepared = this.#prepared.get(sql);
      if (prepared === undefined) {
        prepared = this.#database.connection.prepare(sql);
        this.#prepared.set(sql, prepared);
        prepared.catch(() => this.#prepared.delete(sql));
      }
      const statement = await prepared;
      statement.bindVarchar(1, parameter);
      const reader = await statement.runAndReadAll();
      return reader.getRowsJson() as JsonValue[][];
    });
  }

  #exclusive<T>(task: () => Promise<T>): Promise<T> {
    const result = this.#queue.then(task, task);
    this.#queue = result.catch(() => undefined);
    return result;
  }
}

/**
 * A number the plain JSON parser may not give back as written: 16 digits or more (a double
 * rounds it), or with a fraction or an exponent (`100.0` would come back as the integer `100`,
 * which DuckDB refuses where it expects a double). Without one, the plain parser, ten times
 * faster than the lossless one, is exact. Strings matching too only cost the slower path.
 */
const MAY_CHANGE = /\d[.eE]|\d{16}/;

/** Decodes a serialized tree, keeping every number as DuckDB wrote it. */
function decodeTree(text: string): SerializedSql {
  return (MAY_CHANGE.test(text) ? parseLosslessJson(text) : JSON.parse(text)) as SerializedSql;
}

/** A statement DuckDB refuses to serialize is not a SELECT; a syntax error is thrown. */
function notSelect(sql: string, serialized: SerializedSql): ParsedQuery {
  if (serialized.error_type === 'not implemented') {
    return {
      isSingleSelect: false,
      tableReferences: [],
      tableFunctions: [],
      functions: [],
      qualifiedFunctions: [],
    };
  }
  const message = serialized.error_message ?? 'the SQL does not parse';
  const position = serialized.position === undefined ? undefined : Number(serialized.position);
  const where = position === undefined || Number.isNaN(position) ? '' : ` at ${lineAndColumn(sql, position)}`;
  throw new QuantaError('QUANTA_SQL_INVALID', `${message}${where}`, {
    fix: 'fix the SQL syntax (DuckDB dialect)',
  });
}

function referenceKey(reference: TableReference): string {
  return JSON.stringify([reference.catalog ?? '', reference.schema ?? '', reference.table]);
}

function lineAndColumn(sql: string, position: number): string {
  const before = sql.slice(0, position).split('\n');
  return `line ${before.length}, column ${(before.at(-1)?.length ?? 0) + 1}`;
}

function notSingleSelectError(): QuantaError {
  return new QuantaError('QUANTA_SQL_FORBIDDEN', 'only a single SELECT statement is allowed', {
    fix: 'send one SELECT (or WITH ... SELECT) statement',
  });
}
