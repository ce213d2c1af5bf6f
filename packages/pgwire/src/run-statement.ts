import type { TransactionStatus } from './backend-messages.ts';
import { classifyStatement, type SessionFunction, type StatementKind } from './classify-statement.ts';
import type { PgWireBackend, PgWireColumn, PgWireResult, PgWireRowStream } from './pg-wire-backend.ts';
import { translatePostgresDialect } from './postgres-dialect.ts';
import { type SessionSettings, VERSION_TEXT } from './session-settings.ts';
import { errorFieldsOf, PROTOCOL_SQLSTATE } from './sqlstate.ts';
import { errorOutcome, type StatementOutcome } from './statement-outcome.ts';

/** The mutable state of one session that statements read and change. */
export interface SessionState {
  readonly user: string;
  readonly database: string;
  readonly principal: string;
  readonly settings: SessionSettings;
  status: TransactionStatus;
}

/** What a statement runs with. */
export interface StatementContext {
  readonly backend: PgWireBackend;
  readonly state: SessionState;
  /** Aborted by a CancelRequest. */
  readonly signal: AbortSignal;
  /** Sends an asynchronous message (ParameterStatus after a SET). */
  readonly report: (name: string, value: string) => void;
}

const TEXT_COLUMN = 'VARCHAR';

function functionValue(name: SessionFunction, state: SessionState): string {
  switch (name) {
    case 'version':
      return VERSION_TEXT;
    case 'current_schema':
      return 'public';
    case 'current_database':
      return state.database;
    case 'current_user':
      return state.user;
  }
}

function oneValue(
  column: string,
  value: string | null,
  verb: 'SELECT' | 'SHOW' = 'SELECT',
): StatementOutcome {
  return { kind: 'rows', columns: [{ name: column, type: TEXT_COLUMN }], rows: [[value]], verb };
}

function show(name: string, settings: SessionSettings): StatementOutcome {
  if (name.toLowerCase() === 'all')
    return {
      kind: 'rows',
      columns: [
        { name: 'name', type: TEXT_COLUMN },
        { name: 'setting', type: TEXT_COLUMN },
        { name: 'description', type: TEXT_COLUMN },
      ],
      rows: settings.all().map(([setting, value]) => [setting, value, '']),
      verb: 'SHOW',
    };
  const value = settings.get(name);
  if (value === undefined)
    return errorOutcome(PROTOCOL_SQLSTATE.undefinedObject, `unrecognized configuration parameter "${name}"`);
  return oneValue(settings.displayName(name), value, 'SHOW');
}

function set(statement: { name: string; value: string }, context: StatementContext): StatementOutcome {
  const { settings } = context.state;
  const refusal = settings.set(statement.name, statement.value);
  if (refusal) return errorOutcome(refusal.code, refusal.message, refusal.hint);
  if (settings.isReported(statement.name))
    context.report(settings.displayName(statement.name), settings.get(statement.name) ?? '');
  return { kind: 'command', tag: 'SET' };
}

function reset(name: string, context: StatementContext): StatementOutcome {
  const { settings } = context.state;
  const reported = new Map(settings.reported());
  settings.reset(name);
  for (const [setting, value] of settings.reported())
    if (reported.get(setting) !== value) context.report(setting, value);
  return { kind: 'command', tag: 'RESET' };
}

function transaction(kind: 'begin' | 'commit' | 'rollback', state: SessionState): StatementOutcome {
  switch (kind) {
    case 'begin':
      if (state.status === 'idle') state.status = 'transaction';
      return { kind: 'command', tag: 'BEGIN' };
    case 'commit': {
      const wasFailed = state.status === 'failed';
      state.status = 'idle';
      return { kind: 'command', tag: wasFailed ? 'ROLLBACK' : 'COMMIT' };
    }
    case 'rollback':
      state.status = 'idle';
      return { kind: 'command', tag: 'ROLLBACK' };
  }
}

/** Answers a session statement locally; undefined for a query the backend must run. */
function runLocal(statement: StatementKind, context: StatementContext): StatementOutcome | undefined {
  const { state } = context;
  switch (statement.kind) {
    case 'empty':
      return { kind: 'empty' };
    case 'set':
      return set(statement, context);
    case 'set-ignored':
      return { kind: 'command', tag: 'SET' };
    case 'reset':
      return reset(statement.name, context);
    case 'show':
      return show(statement.name, state.settings);
    case 'begin':
    case 'commit':
    case 'rollback':
      return transaction(statement.kind, state);
    case 'savepoint':
      if (statement.tag === 'ROLLBACK' && state.status === 'failed') state.status = 'transaction';
      return { kind: 'command', tag: statement.tag };
    case 'discard':
      if (state.status !== 'idle')
        return errorOutcome(
          PROTOCOL_SQLSTATE.activeTransaction,
          'DISCARD ALL cannot run inside a transaction block',
        );
      reset('all', context);
      return { kind: 'command', tag: 'DISCARD ALL' };
    case 'function':
      return oneValue(statement.column, functionValue(statement.name, state));
    case 'setting-function': {
      const value = state.settings.get(statement.name);
      if (value === undefined)
        return errorOutcome(
          PROTOCOL_SQLSTATE.undefinedObject,
          `unrecognized configuration parameter "${statement.name}"`,
        );
      return oneValue(statement.column, value);
    }
    case 'query':
      return undefined;
  }
}

function isAllowedInFailedTransaction(statement: StatementKind): boolean {
  return (
    statement.kind === 'rollback' ||
    statement.kind === 'commit' ||
    (statement.kind === 'savepoint' && statement.tag === 'ROLLBACK')
  );
}

const CANCELED = Symbol('canceled');

/** The backend's answer, or CANCELED as soon as the signal aborts (the late answer is dropped). */
function untilCanceled<T>(work: Promise<T>, signal: AbortSignal): Promise<T | typeof CANCELED> {
  if (signal.aborted) {
    work.catch(() => undefined);
    return Promise.resolve(CANCELED);
  }
  return new Promise((resolve, reject) => {
    const onAbort = (): void => resolve(CANCELED);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (result) => {
        signal.removeEventListener('abort', onAbort);
        resolve(result);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/** A stream opened after its statement was canceled is closed at once. */
function closeLate(work: Promise<PgWireRowStream>): void {
  work.then((stream) => stream.close()).catch(() => undefined);
}

async function runQuery(sql: string, context: StatementContext): Promise<StatementOutcome> {
  try {
    const options = { principal: context.state.principal, signal: context.signal };
    const translated = translatePostgresDialect(sql);
    if (context.backend.stream) {
      const opening = context.backend.stream(translated, options);
      const stream = await untilCanceled(opening, context.signal);
      if (stream === CANCELED) {
        closeLate(opening);
        return errorOutcome(PROTOCOL_SQLSTATE.queryCanceled, 'canceling statement due to user request');
      }
      return { kind: 'stream', columns: stream.columns, stream };
    }
    const work: Promise<PgWireResult> = context.backend.query(translated, options);
    const result = await untilCanceled(work, context.signal);
    if (result === CANCELED)
      return errorOutcome(PROTOCOL_SQLSTATE.queryCanceled, 'canceling statement due to user request');
    return { kind: 'rows', columns: result.columns, rows: result.rows, verb: 'SELECT' };
  } catch (error) {
    return { kind: 'error', fields: errorFieldsOf(error) };
  }
}

/**
 * Runs one statement: session statements locally, queries on the backend. In a failed
 * transaction block only ROLLBACK/COMMIT run; an error inside a block fails the block.
 */
export async function runStatement(sql: string, context: StatementContext): Promise<StatementOutcome> {
  const statement = classifyStatement(sql);
  const { state } = context;
  if (state.status === 'failed' && !isAllowedInFailedTransaction(statement) && statement.kind !== 'empty')
    return errorOutcome(
      PROTOCOL_SQLSTATE.inFailedTransaction,
      'current transaction is aborted, commands ignored until end of transaction block',
      'send ROLLBACK',
    );
  const outcome = runLocal(statement, context) ?? (await runQuery(sql, context));
  if (outcome.kind === 'error' && state.status === 'transaction') state.status = 'failed';
  return outcome;
}

/** What a Describe of a prepared statement learns: its result columns, none, or an error. */
export type StatementShape =
  | { readonly kind: 'columns'; readonly columns: readonly PgWireColumn[] }
  | { readonly kind: 'no-data' }
  | Extract<StatementOutcome, { kind: 'error' }>;

async function shapeOf(outcome: StatementOutcome | undefined): Promise<StatementShape> {
  if (outcome?.kind === 'rows') return { kind: 'columns', columns: outcome.columns };
  if (outcome?.kind === 'stream') {
    await outcome.stream.close();
    return { kind: 'columns', columns: outcome.columns };
  }
  if (outcome?.kind === 'error') return outcome;
  return { kind: 'no-data' };
}

/**
 * The result columns of a statement before it runs (Describe of a prepared statement):
 * session statements answer from their shape, queries run on the backend with typed NULL
 * parameters under `LIMIT 0`.
 */
export async function describeStatement(sql: string, context: StatementContext): Promise<StatementShape> {
  const statement = classifyStatement(sql);
  switch (statement.kind) {
    case 'show':
    case 'function':
    case 'setting-function':
      return shapeOf(runLocal(statement, context));
    case 'query':
      return shapeOf(await runQuery(`SELECT * FROM (${sql}) AS described LIMIT 0`, context));
    default:
      return { kind: 'no-data' };
  }
}
