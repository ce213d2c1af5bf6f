/** The server version Quanta reports, as PostgreSQL 16 for client compatibility. */
export const SERVER_VERSION = '16.0 (Quanta)';

/** What `SELECT version()` answers. */
export const VERSION_TEXT = `PostgreSQL ${SERVER_VERSION} on Node.js, a self-serve data mesh front door, 64-bit`;

/** Settings sent as ParameterStatus at startup and again whenever a SET changes them. */
const REPORTED = [
  'application_name',
  'client_encoding',
  'DateStyle',
  'default_transaction_read_only',
  'in_hot_standby',
  'integer_datetimes',
  'IntervalStyle',
  'is_superuser',
  'server_encoding',
  'server_version',
  'session_authorization',
  'standard_conforming_strings',
  'TimeZone',
] as const;

/** Settings a client may read but never change. */
const READ_ONLY = new Set([
  'server_version',
  'server_version_num',
  'server_encoding',
  'integer_datetimes',
  'in_hot_standby',
  'is_superuser',
  'max_identifier_length',
  'session_authorization',
]);

const ENCODINGS = new Set(['utf8', 'utf-8', 'unicode']);

function defaults(user: string, applicationName: string): [string, string][] {
  return [
    ['server_version', SERVER_VERSION],
    ['server_version_num', '160000'],
    ['server_encoding', 'UTF8'],
    ['client_encoding', 'UTF8'],
    ['DateStyle', 'ISO, MDY'],
    ['IntervalStyle', 'postgres'],
    ['integer_datetimes', 'on'],
    ['standard_conforming_strings', 'on'],
    ['TimeZone', 'UTC'],
    ['application_name', applicationName],
    ['search_path', '"$user", public'],
    ['transaction_isolation', 'read committed'],
    ['default_transaction_isolation', 'read committed'],
    ['transaction_read_only', 'on'],
    ['default_transaction_read_only', 'on'],
    ['in_hot_standby', 'off'],
    ['is_superuser', 'off'],
    ['session_authorization', user],
    ['extra_float_digits', '1'],
    ['max_identifier_length', '63'],
    ['statement_timeout', '0'],
    ['bytea_output', 'hex'],
  ];
}

/** Why a SET was refused: a value, not an exception. */
export interface SettingRefusal {
  readonly code: string;
  readonly message: string;
  readonly hint?: string;
}

/**
 * One session's run-time settings (what SET, RESET and SHOW touch). Names are matched without
 * case and shown with PostgreSQL's spelling (`DateStyle`, `TimeZone`).
 */
export class SessionSettings {
  readonly #defaults: Map<string, [string, string]>;
  readonly #values = new Map<string, [string, string]>();

  private constructor(entries: readonly [string, string][]) {
    this.#defaults = new Map(entries.map(([name, value]) => [name.toLowerCase(), [name, value]]));
  }

  /** The defaults of a session opened by this user and application. */
  static create(options: { user: string; applicationName: string }): SessionSettings {
    return new SessionSettings(defaults(options.user, options.applicationName));
  }

  /** The value of a setting, or undefined when it is unknown. */
  get(name: string): string | undefined {
    const key = name.toLowerCase();
    return (this.#values.get(key) ?? this.#defaults.get(key))?.[1];
  }

  /** The display spelling of a setting (`timezone` → `TimeZone`). */
  displayName(name: string): string {
    const key = name.toLowerCase();
    return (this.#values.get(key) ?? this.#defaults.get(key))?.[0] ?? name;
  }

  /** Every setting, name then value, in name order. */
  all(): [string, string][] {
    const keys = new Set([...this.#defaults.keys(), ...this.#values.keys()]);
    return [...keys]
      .sort()
      .map((key) => this.#values.get(key) ?? this.#defaults.get(key))
      .filter((entry) => entry !== undefined);
  }

  /** Records a SET; returns the refusal when the setting is read-only or the value unsupported. */
  set(name: string, value: string): SettingRefusal | undefined {
    const key = name.toLowerCase();
    if (READ_ONLY.has(key)) return { code: '55P02', message: `parameter "${name}" cannot be changed` };
    if (key === 'client_encoding' && !ENCODINGS.has(value.toLowerCase()))
      return {
        code: '0A000',
        message: `client encoding "${value}" is not supported`,
        hint: 'Quanta speaks UTF8 only: SET client_encoding = UTF8',
      };
    const shown = key === 'client_encoding' ? 'UTF8' : value;
    this.#values.set(key, [this.#defaults.get(key)?.[0] ?? name, shown]);
    return undefined;
  }

  /** Forgets a SET (or every SET with `all`). */
  reset(name: string): void {
    if (name.toLowerCase() === 'all') this.#values.clear();
    else this.#values.delete(name.toLowerCase());
  }

  /** The reported settings, name and value, for ParameterStatus messages. */
  reported(): [string, string][] {
    return REPORTED.map((name) => [name, this.get(name) ?? '']);
  }

  /** True when a change of this setting must be reported with a ParameterStatus. */
  isReported(name: string): boolean {
    return REPORTED.some((reported) => reported.toLowerCase() === name.toLowerCase());
  }
}
