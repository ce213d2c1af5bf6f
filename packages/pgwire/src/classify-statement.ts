import { scanSql } from './scan-sql.ts';

/** A function answered by the session itself. */
export type SessionFunction = 'version' | 'current_schema' | 'current_database' | 'current_user';

/** What one statement is: a session statement answered locally, or a query for the backend. */
export type StatementKind =
  | { readonly kind: 'empty' }
  | { readonly kind: 'set'; readonly name: string; readonly value: string }
  | { readonly kind: 'set-ignored' }
  | { readonly kind: 'reset'; readonly name: string }
  | { readonly kind: 'show'; readonly name: string }
  | { readonly kind: 'begin' }
  | { readonly kind: 'commit' }
  | { readonly kind: 'rollback' }
  | { readonly kind: 'savepoint'; readonly tag: 'SAVEPOINT' | 'RELEASE' | 'ROLLBACK' }
  | { readonly kind: 'discard' }
  | { readonly kind: 'function'; readonly name: SessionFunction; readonly column: string }
  | { readonly kind: 'setting-function'; readonly name: string; readonly column: string }
  | { readonly kind: 'query' };

const NAME = String.raw`("[^"]+"|[A-Za-z_][\w.]*)`;
const SET = new RegExp(String.raw`^set\s+(?:session\s+|local\s+)?${NAME}\s*(?:=|\s+to\s+)\s*(.+)$`, 'is');
const SET_TIME_ZONE = /^set\s+(?:session\s+|local\s+)?time\s+zone\s+(.+)$/is;
const SET_NAMES = /^set\s+names\s+(.+)$/is;
const SET_TRANSACTION = /^set\s+(?:session\s+characteristics\s+as\s+)?transaction\b/is;
const RESET = new RegExp(String.raw`^reset\s+${NAME}$`, 'is');
const SHOW = new RegExp(String.raw`^show\s+${NAME}$`, 'is');
const SHOW_ALIASES: Readonly<Record<string, string>> = {
  'time zone': 'TimeZone',
  'transaction isolation level': 'transaction_isolation',
};
const BEGIN = /^(?:begin(?:\s+(?:work|transaction))?|start\s+transaction)\b/is;
const COMMIT = /^(?:commit|end)(?:\s+(?:work|transaction))?(?:\s+and\s+no\s+chain)?$/is;
const ROLLBACK = /^(?:rollback|abort)(?:\s+(?:work|transaction))?(?:\s+and\s+no\s+chain)?$/is;
const SAVEPOINT =
  /^(savepoint|release(?:\s+savepoint)?|rollback(?:\s+(?:work|transaction))?\s+to(?:\s+savepoint)?)\s+\S+$/is;
const DISCARD = /^discard\s+all$/is;
const FUNCTION =
  /^select\s+(?:pg_catalog\.)?(version|current_schema|current_database|current_user|session_user|user)\s*(?:\(\s*\))?(?:\s+(?:as\s+)?("?)(\w+)\2)?$/is;
const CURRENT_SETTING =
  /^select\s+(?:pg_catalog\.)?current_setting\s*\(\s*'([^']+)'\s*\)(?:\s+(?:as\s+)?("?)(\w+)\2)?$/is;

/** The statement's code with comments removed and whitespace collapsed, strings kept. */
export function normalizeStatement(sql: string): string {
  return scanSql(sql)
    .map((span) =>
      span.kind === 'comment' ? ' ' : span.kind === 'code' ? span.text.replace(/\s+/g, ' ') : span.text,
    )
    .join('')
    .trim()
    .replace(/;$/, '')
    .trim();
}

function unquote(text: string): string {
  const trimmed = text.trim();
  if (trimmed.length >= 2 && (trimmed.startsWith("'") || trimmed.startsWith('"')))
    return trimmed.slice(1, -1).replaceAll(trimmed.slice(0, 1).repeat(2), trimmed.slice(0, 1));
  return trimmed;
}

/** A SET value: quotes removed, list items joined with `, ` as SHOW prints them. */
function settingValue(text: string): string {
  return text
    .split(/,(?=(?:[^']*'[^']*')*[^']*$)/)
    .map(unquote)
    .join(', ');
}

function classifySet(statement: string): StatementKind | undefined {
  if (SET_TRANSACTION.test(statement)) return { kind: 'set-ignored' };
  const timeZone = SET_TIME_ZONE.exec(statement);
  if (timeZone) return setOrReset('TimeZone', timeZone[1] ?? '');
  const names = SET_NAMES.exec(statement);
  if (names) return setOrReset('client_encoding', names[1] ?? '');
  const set = SET.exec(statement);
  if (set) return setOrReset(unquote(set[1] ?? ''), set[2] ?? '');
  return undefined;
}

function setOrReset(name: string, rawValue: string): StatementKind {
  const value = settingValue(rawValue);
  const isDefault = /^(default|local)$/i.test(rawValue.trim());
  return isDefault ? { kind: 'reset', name } : { kind: 'set', name, value };
}

function classifyFunction(statement: string): StatementKind | undefined {
  const call = FUNCTION.exec(statement);
  if (call) {
    const called = (call[1] ?? '').toLowerCase();
    const name: SessionFunction =
      called === 'session_user' || called === 'user' ? 'current_user' : (called as SessionFunction);
    return { kind: 'function', name, column: call[3] ?? called };
  }
  const setting = CURRENT_SETTING.exec(statement);
  if (setting)
    return { kind: 'setting-function', name: setting[1] ?? '', column: setting[3] ?? 'current_setting' };
  return undefined;
}

/**
 * Tells session statements (SET, SHOW, transaction control, DISCARD ALL, version() and friends),
 * which the front door answers itself, from queries, which go to the backend.
 */
export function classifyStatement(sql: string): StatementKind {
  const statement = normalizeStatement(sql);
  if (statement === '') return { kind: 'empty' };
  const keyword = /^\w+/.exec(statement)?.[0]?.toLowerCase();
  switch (keyword) {
    case 'set':
      return classifySet(statement) ?? { kind: 'query' };
    case 'reset': {
      const reset = RESET.exec(statement);
      return reset ? { kind: 'reset', name: unquote(reset[1] ?? '') } : { kind: 'query' };
    }
    case 'show': {
      const alias = SHOW_ALIASES[statement.slice(5).toLowerCase()];
      if (alias) return { kind: 'show', name: alias };
      const show = SHOW.exec(statement);
      return show ? { kind: 'show', name: unquote(show[1] ?? '') } : { kind: 'query' };
    }
    case 'select':
      return classifyFunction(statement) ?? { kind: 'query' };
    case 'discard':
      return DISCARD.test(statement) ? { kind: 'discard' } : { kind: 'query' };
    default:
      return classifyTransaction(statement) ?? { kind: 'query' };
  }
}

function classifyTransaction(statement: string): StatementKind | undefined {
  if (SAVEPOINT.test(statement)) {
    const word = statement.slice(0, 3).toLowerCase();
    return { kind: 'savepoint', tag: word === 'sav' ? 'SAVEPOINT' : word === 'rel' ? 'RELEASE' : 'ROLLBACK' };
  }
  if (BEGIN.test(statement)) return { kind: 'begin' };
  if (COMMIT.test(statement)) return { kind: 'commit' };
  if (ROLLBACK.test(statement)) return { kind: 'rollback' };
  return undefined;
}
