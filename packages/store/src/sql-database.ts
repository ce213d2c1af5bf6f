/**
 * The few things the SQL catalog store needs from a database, so that the store itself never
 * imports a driver (the way Kysely declares the methods of a pool it needs). Each backend is one
 * adapter file: `embedded-database.ts` (node:sqlite) and `postgres-database.ts` (pg).
 */

/** A value bound to a `?` placeholder. JSON documents are bound as their text. */
export type SqlParam = string | number | null;

/**
 * A value read back. Adapters normalize what their driver returns: JSON documents and
 * timestamps come back as text (timestamps as ISO strings), integers as numbers.
 */
export type SqlValue = string | number | null;

/** One result row, by column name. */
export type SqlRow = Readonly<Record<string, SqlValue>>;

/** Runs statements: the database itself, or one open transaction. */
export interface SqlExecutor {
  /** Runs one statement written with `?` placeholders and returns its rows (RETURNING included). */
  query(sql: string, params?: readonly SqlParam[]): Promise<readonly SqlRow[]>;
  /** Runs a script of several statements without parameters (migrations). */
  executeScript(sql: string): Promise<void>;
}

/** How a transaction reads and writes. */
export interface TransactionOptions {
  /**
   * A read-only transaction sees one consistent snapshot of the database across all its
   * statements and never blocks writers. Default: a write transaction, serialized with other
   * writers from its first statement.
   */
  readonly readOnly?: boolean;
}

/** A database the catalog store runs on. */
export interface SqlDatabase extends SqlExecutor {
  readonly dialect: SqlDialect;
  /** Runs `work` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(work: (tx: SqlExecutor) => Promise<T>, options?: TransactionOptions): Promise<T>;
  /** Closes the database; closing twice is harmless. */
  close(): Promise<void>;
}

/** What differs between the SQL of the two backends: a few column types and the migration lock. */
export interface SqlDialect {
  readonly name: 'sqlite' | 'postgres';
  readonly types: ColumnTypes;
  /**
   * Statements run first in the migration transaction: they make concurrent migrators wait
   * their turn and prepare the schema. Empty when the write transaction already serializes them.
   */
  readonly migrationPreamble: readonly string[];
}

/** Column types that are spelled differently per dialect. */
export interface ColumnTypes {
  /** A JSON document: TEXT on SQLite, JSONB on PostgreSQL. */
  readonly json: string;
  /** A point in time: ISO text on SQLite, TIMESTAMPTZ on PostgreSQL. */
  readonly timestamp: string;
  /** A 64-bit integer (row counts, bytes). */
  readonly bigint: string;
  /** An integer primary key assigned in insertion order. */
  readonly serialKey: string;
}
