import type { JsonValue } from '@quanta/model';
import {
  authenticationOk,
  backendKeyData,
  bindComplete,
  closeComplete,
  commandComplete,
  type ErrorFields,
  emptyQueryResponse,
  errorResponse,
  noData,
  parameterDescription,
  parameterStatus,
  parseComplete,
  portalSuspended,
  readyForQuery,
  rowDescription,
} from './backend-messages.ts';
import { countPlaceholders, parameterLiteral, substituteParameters } from './bind-parameters.ts';
import type { FrontendMessage } from './frontend-message.ts';
import { PG_OID, type PgType } from './pg-types.ts';
import type { PgWireBackend, PgWireColumn, PgWireCredentials } from './pg-wire-backend.ts';
import {
  describeStatement,
  runStatement,
  type SessionState,
  type StatementContext,
} from './run-statement.ts';
import { SessionSettings } from './session-settings.ts';
import { splitStatements } from './split-statements.ts';
import { errorFieldsOf, PROTOCOL_SQLSTATE } from './sqlstate.ts';
import {
  dataRows,
  describeColumns,
  errorOutcome,
  resultFormatsOf,
  type StatementOutcome,
  simpleResponse,
  tagOf,
} from './statement-outcome.ts';

/** The key a client quotes in a CancelRequest. */
export interface BackendKey {
  readonly processId: number;
  readonly secret: number;
}

/** What a session is opened with. */
export interface PgWireSessionOptions {
  readonly backend: PgWireBackend;
  /** The startup parameters: `user`, `database`, `application_name`, ... */
  readonly parameters: Readonly<Record<string, string>>;
  readonly key: BackendKey;
  /** Writes bytes to the client. */
  readonly write: (chunk: Buffer) => void;
  /** Ends the connection. */
  readonly end: () => void;
  /** Resolves when the client has taken what was written (backpressure); at once when omitted. */
  readonly drained?: () => Promise<void>;
}

/** A statement prepared by Parse. */
interface PreparedStatement {
  readonly sql: string;
  readonly parameterTypes: readonly number[];
  shape?: { readonly columns: readonly PgWireColumn[] } | { readonly columns?: undefined };
}

/** A statement bound to its parameters by Bind, evaluated once by Describe or Execute. */
interface Portal {
  readonly sql: string;
  readonly resultFormats: readonly number[];
  outcome?: StatementOutcome;
  described?: { readonly types: readonly PgType[]; readonly formats: readonly (0 | 1)[] };
  offset: number;
  /** Rows of a streamed outcome fetched but not yet sent (an Execute with a row limit). */
  buffered: JsonValue[][];
  /** Rows of a streamed outcome sent so far. */
  sent: number;
}

const FLUSH_THRESHOLD = 256 * 1024;

/** Messages that run statements on the backend, hence need a login that still holds. */
function isStatementRequest(message: FrontendMessage): boolean {
  return message.kind === 'query' || message.kind === 'describe' || message.kind === 'execute';
}

/**
 * One client connection after startup: password login, then the simple and extended query
 * protocols over a backend. Session statements (SET, SHOW, BEGIN, ...) are answered here;
 * queries go to the backend. Messages are handled one at a time, in order; replies are
 * buffered and written at Sync, Flush and the end of a simple query, as PostgreSQL does.
 */
export class PgWireSession {
  readonly #options: PgWireSessionOptions;
  #state: SessionState | undefined;
  readonly #statements = new Map<string, PreparedStatement>();
  readonly #portals = new Map<string, Portal>();
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  #isSkippingToSync = false;
  #inFlight: AbortController | undefined;
  #isClosed = false;
  /** What the client logged in with, re-checked by the backend while the session lasts. */
  #credentials: PgWireCredentials | undefined;
  /** True once the login was re-checked for the current request (until its Sync or end). */
  #isLoginChecked = false;

  private constructor(options: PgWireSessionOptions) {
    this.#options = options;
  }

  /** Opens a session waiting for the client's password. */
  static create(options: PgWireSessionOptions): PgWireSession {
    return new PgWireSession(options);
  }

  /** True once the password was accepted. */
  get isAuthenticated(): boolean {
    return this.#state !== undefined;
  }

  /** Cancels the statement in flight, if any: the client gets 57014 and the session goes on. */
  cancel(): void {
    this.#inFlight?.abort();
  }

  /** Marks the connection gone: the statement in flight is abandoned, nothing more is written. */
  close(): void {
    this.#isClosed = true;
    this.cancel();
    this.#clearPortals();
  }

  /** Handles one frontend message; never throws. */
  async handle(message: FrontendMessage): Promise<void> {
    if (this.#isClosed) return;
    try {
      if (this.#state === undefined) await this.#handleLogin(message);
      else await this.#handleMessage(message, this.#state);
    } catch (error) {
      this.#fatal({ ...errorFieldsOf(error), severity: 'FATAL' });
    }
  }

  async #handleLogin(message: FrontendMessage): Promise<void> {
    if (message.kind === 'terminate') return this.#end();
    if (message.kind !== 'password')
      return this.#fatal({
        severity: 'FATAL',
        code: PROTOCOL_SQLSTATE.protocolViolation,
        message: 'expected a password message',
      });
    const user = this.#options.parameters.user ?? '';
    const database = this.#options.parameters.database ?? user;
    const credentials: PgWireCredentials = { user, password: message.password, database };
    const principal = await this.#options.backend.authenticate(credentials);
    if (principal === undefined)
      return this.#fatal({
        severity: 'FATAL',
        code: PROTOCOL_SQLSTATE.invalidPassword,
        message: `password authentication failed for user "${user}"`,
        hint: 'the password is your Quanta token',
      });
    const applicationName = this.#options.parameters.application_name ?? '';
    const settings = SessionSettings.create({ user, applicationName });
    this.#state = { user, database, principal, settings, status: 'idle' };
    this.#credentials = credentials;
    this.#isLoginChecked = true;
    this.#send(authenticationOk());
    for (const [name, value] of settings.reported()) this.#send(parameterStatus(name, value));
    this.#send(backendKeyData(this.#options.key.processId, this.#options.key.secret));
    this.#send(readyForQuery('idle'));
    this.#flush();
  }

  async #handleMessage(message: FrontendMessage, state: SessionState): Promise<void> {
    if (this.#isSkippingToSync && message.kind !== 'sync' && message.kind !== 'terminate') return;
    if (isStatementRequest(message) && !(await this.#isLoginStillValid())) {
      return this.#fatal({
        severity: 'FATAL',
        code: PROTOCOL_SQLSTATE.invalidAuthorization,
        message: 'the token this session logged in with is no longer valid',
        hint: 'it was revoked or expired, or its principal left: log in again with a valid token',
      });
    }
    switch (message.kind) {
      case 'query':
        return this.#simpleQuery(message.sql, state);
      case 'parse':
        return this.#parse(message);
      case 'bind':
        return this.#bind(message);
      case 'describe':
        return message.target === 'statement'
          ? this.#describeStatement(message.name)
          : this.#describePortal(message.name);
      case 'execute':
        return this.#execute(message);
      case 'close':
        if (message.target === 'statement') this.#statements.delete(message.name);
        else this.#dropPortal(message.name);
        return this.#send(closeComplete());
      case 'sync':
        return this.#sync(state);
      case 'flush':
        return this.#flush();
      case 'terminate':
        return this.#end();
      case 'password':
      case 'unsupported':
        this.#send(
          errorResponse({
            severity: 'ERROR',
            code: PROTOCOL_SQLSTATE.featureNotSupported,
            message: `protocol message '${message.kind === 'password' ? 'p' : message.type}' is not supported`,
            hint: 'Quanta serves queries only: no COPY, no function calls',
          }),
        );
        this.#send(readyForQuery(state.status));
        return this.#flush();
    }
  }

  /**
   * Asks the backend whether the login still holds, once per request: the check costs a token
   * lookup, so a Parse/Bind/Describe/Execute/Sync round trip pays it once, and a revoked or
   * expired token stops working at the client's next request.
   */
  async #isLoginStillValid(): Promise<boolean> {
    const check = this.#options.backend.isLoginValid;
    if (this.#isLoginChecked || check === undefined || this.#credentials === undefined) return true;
    const isValid = await check.call(this.#options.backend, this.#credentials);
    this.#isLoginChecked = isValid;
    return isValid;
  }

  #context(state: SessionState): StatementContext {
    const controller = new AbortController();
    this.#inFlight = controller;
    return {
      backend: this.#options.backend,
      state,
      signal: controller.signal,
      report: (name, value) => this.#send(parameterStatus(name, value)),
    };
  }

  async #simpleQuery(sql: string, state: SessionState): Promise<void> {
    this.#statements.delete('');
    this.#dropPortal('');
    const statements = splitStatements(sql);
    if (statements.length === 0) this.#send(emptyQueryResponse());
    for (const statement of statements) {
      const context = this.#context(state);
      const outcome = await runStatement(statement, context);
      const sent = outcome.kind === 'stream' ? await this.#sendStream(outcome, context.signal) : outcome;
      if (sent.kind !== 'stream') for (const message of simpleResponse(sent)) this.#send(message);
      if (sent.kind === 'error') {
        if (state.status === 'transaction') state.status = 'failed';
        break;
      }
    }
    this.#inFlight = undefined;
    this.#isLoginChecked = false;
    this.#send(readyForQuery(state.status));
    this.#flush();
  }

  #parse(message: Extract<FrontendMessage, { kind: 'parse' }>): void {
    const statements = splitStatements(message.sql);
    if (statements.length > 1) {
      this.#fail({
        severity: 'ERROR',
        code: '42601',
        message: 'cannot insert multiple commands into a prepared statement',
      });
      return;
    }
    if (message.statement !== '' && this.#statements.has(message.statement)) {
      this.#fail({
        severity: 'ERROR',
        code: '42P05',
        message: `prepared statement "${message.statement}" already exists`,
      });
      return;
    }
    const sql = statements[0] ?? '';
    const count = Math.max(message.parameterTypes.length, countPlaceholders(sql));
    const parameterTypes = Array.from(
      { length: count },
      (_unused, index) => message.parameterTypes[index] ?? 0,
    );
    this.#statements.set(message.statement, { sql, parameterTypes });
    this.#send(parseComplete());
  }

  #statement(name: string): PreparedStatement | undefined {
    const statement = this.#statements.get(name);
    if (statement === undefined)
      this.#fail({
        severity: 'ERROR',
        code: PROTOCOL_SQLSTATE.invalidStatementName,
        message: `prepared statement "${name}" does not exist`,
      });
    return statement;
  }

  #bind(message: Extract<FrontendMessage, { kind: 'bind' }>): void {
    const statement = this.#statement(message.statement);
    if (statement === undefined) return;
    const expected = statement.parameterTypes.length;
    if (message.parameters.length !== expected) {
      this.#fail({
        severity: 'ERROR',
        code: PROTOCOL_SQLSTATE.protocolViolation,
        message: `bind message supplies ${message.parameters.length} parameters, but prepared statement "${message.statement}" requires ${expected}`,
      });
      return;
    }
    let sql: string;
    try {
      const literals = message.parameters.map((value, index) =>
        parameterLiteral({
          value,
          typeOid: statement.parameterTypes[index] ?? 0,
          format:
            message.parameterFormats.length === 1
              ? (message.parameterFormats[0] ?? 0)
              : (message.parameterFormats[index] ?? 0),
        }),
      );
      sql = substituteParameters(statement.sql, literals);
    } catch (error) {
      this.#fail(errorFieldsOf(error));
      return;
    }
    this.#dropPortal(message.portal);
    this.#portals.set(message.portal, {
      sql,
      resultFormats: message.resultFormats,
      offset: 0,
      buffered: [],
      sent: 0,
    });
    this.#send(bindComplete());
  }

  async #describeStatement(name: string): Promise<void> {
    const statement = this.#statement(name);
    if (statement === undefined || this.#state === undefined) return;
    const types = statement.parameterTypes;
    if (statement.shape === undefined) {
      const nulls = types.map((typeOid) => parameterLiteral({ value: null, typeOid, format: 0 }));
      const shape = await describeStatement(
        substituteParameters(statement.sql, nulls),
        this.#context(this.#state),
      );
      this.#inFlight = undefined;
      if (shape.kind === 'error') return this.#fail(shape.fields);
      statement.shape = shape.kind === 'columns' ? { columns: shape.columns } : {};
    }
    this.#send(parameterDescription(types.map((typeOid) => (typeOid === 0 ? PG_OID.text : typeOid))));
    const columns = statement.shape.columns;
    if (columns === undefined) return this.#send(noData());
    const described = describeColumns(columns, resultFormatsOf([], columns.length));
    if (!('unsupported' in described)) this.#send(rowDescription(described.fields));
  }

  async #evaluate(portal: Portal): Promise<StatementOutcome> {
    if (portal.outcome === undefined && this.#state !== undefined) {
      portal.outcome = await runStatement(portal.sql, this.#context(this.#state));
      this.#inFlight = undefined;
    }
    return portal.outcome ?? { kind: 'empty' };
  }

  /** Describes a row outcome in the portal's formats; false (after the error) when a format is refused. */
  #describeRows(portal: Portal, columns: readonly PgWireColumn[]): boolean {
    const formats = resultFormatsOf(portal.resultFormats, columns.length);
    const described = describeColumns(columns, formats);
    if ('unsupported' in described) {
      this.#fail({
        severity: 'ERROR',
        code: PROTOCOL_SQLSTATE.featureNotSupported,
        message: `binary format is not supported for column "${described.unsupported.name}" of type ${described.unsupported.type}`,
        hint: 'request this column in text format',
      });
      return false;
    }
    portal.described = { types: described.types, formats };
    this.#send(rowDescription(described.fields));
    return true;
  }

  /**
   * The encodings of a portal's columns. A portal executed without Describe gets them now: the
   * client knows the columns, only their encoding matters. Undefined (after the error) when a
   * format is refused.
   */
  #encodingOf(portal: Portal, columns: readonly PgWireColumn[]): Portal['described'] {
    if (portal.described !== undefined) return portal.described;
    const formats = resultFormatsOf(portal.resultFormats, columns.length);
    const described = describeColumns(columns, formats);
    if ('unsupported' in described) {
      this.#describeRows(portal, columns);
      return undefined;
    }
    portal.described = { types: described.types, formats };
    return portal.described;
  }

  async #describePortal(name: string): Promise<void> {
    const portal = this.#portal(name);
    if (portal === undefined) return;
    const outcome = await this.#evaluate(portal);
    if (outcome.kind === 'rows' || outcome.kind === 'stream') this.#describeRows(portal, outcome.columns);
    else if (outcome.kind === 'error') this.#fail(outcome.fields);
    else this.#send(noData());
  }

  #portal(name: string): Portal | undefined {
    const portal = this.#portals.get(name);
    if (portal === undefined)
      this.#fail({
        severity: 'ERROR',
        code: PROTOCOL_SQLSTATE.invalidCursorName,
        message: `portal "${name}" does not exist`,
      });
    return portal;
  }

  async #execute(message: Extract<FrontendMessage, { kind: 'execute' }>): Promise<void> {
    const portal = this.#portal(message.portal);
    if (portal === undefined) return;
    const outcome = await this.#evaluate(portal);
    switch (outcome.kind) {
      case 'rows':
        return this.#executeRows(portal, { outcome, maxRows: message.maxRows });
      case 'stream':
        return this.#executeStream(portal, { outcome, maxRows: message.maxRows });
      case 'command':
        return this.#send(commandComplete(outcome.tag));
      case 'empty':
        return this.#send(emptyQueryResponse());
      case 'error':
        return this.#fail(outcome.fields);
    }
  }

  #executeRows(
    portal: Portal,
    options: { outcome: Extract<StatementOutcome, { kind: 'rows' }>; maxRows: number },
  ): void {
    const { outcome, maxRows } = options;
    const described = this.#encodingOf(portal, outcome.columns);
    if (described === undefined) return;
    const end = maxRows > 0 ? Math.min(portal.offset + maxRows, outcome.rows.length) : outcome.rows.length;
    const slice = outcome.rows.slice(portal.offset, end);
    for (const message of dataRows(slice, described)) this.#send(message);
    portal.offset = end;
    if (end < outcome.rows.length) this.#send(portalSuspended());
    else this.#send(commandComplete(tagOf(outcome, slice.length)));
  }

  /**
   * Sends a streamed result in the simple protocol: RowDescription, then the DataRows of each
   * chunk as it comes, waiting for the client to take them; the outcome returned (the
   * `SELECT n` tag, or the error of a cancel or a failure mid-way, which stops the query) ends
   * the response.
   */
  async #sendStream(
    outcome: Extract<StatementOutcome, { kind: 'stream' }>,
    signal: AbortSignal,
  ): Promise<StatementOutcome> {
    const formats = resultFormatsOf([], outcome.columns.length);
    const described = describeColumns(outcome.columns, formats);
    if ('unsupported' in described) {
      await outcome.stream.close();
      return { kind: 'command', tag: 'SELECT 0' };
    }
    this.#send(rowDescription(described.fields));
    let count = 0;
    try {
      for await (const chunk of outcome.stream) {
        for (const message of dataRows(chunk, { types: described.types, formats })) this.#send(message);
        count += chunk.length;
        await this.#drain();
        if (signal.aborted || this.#isClosed) {
          await outcome.stream.close();
          return errorOutcome(PROTOCOL_SQLSTATE.queryCanceled, 'canceling statement due to user request');
        }
      }
    } catch (error) {
      await outcome.stream.close();
      return { kind: 'error', fields: errorFieldsOf(error) };
    }
    return { kind: 'command', tag: `SELECT ${count}` };
  }

  /**
   * Execute of a streamed outcome: up to `maxRows` rows (all when 0), fetched chunk by chunk;
   * rows fetched beyond the limit wait in the portal for the next Execute.
   */
  async #executeStream(
    portal: Portal,
    options: { outcome: Extract<StatementOutcome, { kind: 'stream' }>; maxRows: number },
  ): Promise<void> {
    const { outcome, maxRows } = options;
    const described = this.#encodingOf(portal, outcome.columns);
    if (described === undefined) return;
    const controller = new AbortController();
    this.#inFlight = controller;
    const iterator = outcome.stream[Symbol.asyncIterator]();
    let sentNow = 0;
    try {
      while (maxRows === 0 || sentNow < maxRows) {
        if (portal.buffered.length === 0) {
          const step = await iterator.next();
          if (step.done) break;
          portal.buffered = step.value;
        }
        const take =
          maxRows === 0 ? portal.buffered.length : Math.min(maxRows - sentNow, portal.buffered.length);
        for (const message of dataRows(portal.buffered.slice(0, take), described)) this.#send(message);
        portal.buffered = portal.buffered.slice(take);
        sentNow += take;
        await this.#drain();
        if (controller.signal.aborted || this.#isClosed) {
          await outcome.stream.close();
          this.#inFlight = undefined;
          return this.#fail({
            severity: 'ERROR',
            code: PROTOCOL_SQLSTATE.queryCanceled,
            message: 'canceling statement due to user request',
          });
        }
      }
    } catch (error) {
      await outcome.stream.close();
      this.#inFlight = undefined;
      return this.#fail(errorFieldsOf(error));
    }
    this.#inFlight = undefined;
    portal.sent += sentNow;
    const isAtLimit = maxRows > 0 && sentNow >= maxRows;
    if (isAtLimit) this.#send(portalSuspended());
    else this.#send(commandComplete(`SELECT ${sentNow}`));
  }

  /** Flushes and waits until the client has taken the rows (the connection's backpressure). */
  async #drain(): Promise<void> {
    this.#flush();
    await this.#options.drained?.();
  }

  /** Forgets a portal, stopping the query it still streams. */
  #dropPortal(name: string): void {
    const portal = this.#portals.get(name);
    this.#portals.delete(name);
    if (portal?.outcome?.kind === 'stream') void portal.outcome.stream.close();
  }

  #clearPortals(): void {
    for (const name of [...this.#portals.keys()]) this.#dropPortal(name);
  }

  #sync(state: SessionState): void {
    this.#isSkippingToSync = false;
    this.#isLoginChecked = false;
    if (state.status === 'idle') this.#clearPortals();
    this.#send(readyForQuery(state.status));
    this.#flush();
  }

  /** An error in the extended protocol: reported, then every message is skipped until Sync. */
  #fail(fields: ErrorFields): void {
    this.#send(errorResponse(fields));
    this.#isSkippingToSync = true;
    if (this.#state?.status === 'transaction') this.#state.status = 'failed';
  }

  #fatal(fields: ErrorFields): void {
    this.#send(errorResponse(fields));
    this.#flush();
    this.#end();
  }

  #end(): void {
    this.close();
    this.#options.end();
  }

  #send(message: Buffer): void {
    this.#pending.push(message);
    this.#pendingBytes += message.length;
    if (this.#pendingBytes >= FLUSH_THRESHOLD) this.#flush();
  }

  #flush(): void {
    if (this.#pending.length === 0 || this.#isClosed) return;
    const chunk = this.#pending.length === 1 ? this.#pending[0] : Buffer.concat(this.#pending);
    this.#pending = [];
    this.#pendingBytes = 0;
    if (chunk) this.#options.write(chunk);
  }
}
