import type { JsonValue } from '@quanta/model';

/** What a client sent at login. The password is the user's Quanta token. */
export interface PgWireCredentials {
  readonly user: string;
  readonly password: string;
  /** The database named by the client: informational (`mesh`). */
  readonly database: string;
}

/** A result column: its name and its DuckDB type name (`VARCHAR`, `DECIMAL(12,2)`, ...). */
export interface PgWireColumn {
  readonly name: string;
  readonly type: string;
}

/** The rows of one statement, with JSON-safe values (dates as `YYYY-MM-DD`, timestamps ISO). */
export interface PgWireResult {
  readonly columns: readonly PgWireColumn[];
  readonly rows: readonly JsonValue[][];
}

/**
 * The rows of one statement as the backend produces them, chunk by chunk; `close` stops the
 * query (a client gone, a statement canceled, a portal closed before its end).
 */
export interface PgWireRowStream extends AsyncIterable<JsonValue[][]> {
  readonly columns: readonly PgWireColumn[];
  close(): Promise<void>;
}

/** Options of one backend query. */
export interface PgWireQueryOptions {
  /** The principal the login resolved to. */
  readonly principal: string;
  /** Aborted when the client cancels the statement; a backend may ignore it. */
  readonly signal?: AbortSignal;
}

/**
 * The two functions the PostgreSQL front door needs from Quanta. It declares them instead of
 * importing the gateway, so the wire protocol stays free of the engine and the services.
 */
export interface PgWireBackend {
  /** Returns the principal for these credentials, or undefined to refuse the login. */
  authenticate(credentials: PgWireCredentials): Promise<string | undefined>;
  /**
   * Re-checks credentials accepted at login, before each request that runs statements (a simple
   * query, or the first Describe or Execute after a Sync): false when the token was revoked or
   * expired since, or its principal left. The session then ends with a FATAL 28000. When
   * omitted, a login holds for the life of the connection.
   */
  isLoginValid?(credentials: PgWireCredentials): Promise<boolean>;
  /** Runs one read-only statement for the principal; throws QuantaError when refused. */
  query(sql: string, options: PgWireQueryOptions): Promise<PgWireResult>;
  /**
   * Runs one read-only statement and returns its rows as they come; when present, queries use
   * it and DataRows are sent chunk by chunk instead of after the whole result.
   */
  stream?(sql: string, options: PgWireQueryOptions): Promise<PgWireRowStream>;
}
