import { createHash, createHmac, randomUUID } from 'node:crypto';
import type { JsonValue } from '@quanta/model';
import { workflowError } from '../workflow-error.ts';
import {
  bytesArgument,
  bytesValue,
  defineFunction,
  numberArgument,
  type StdlibFunction,
  stringArgument,
} from './stdlib-function.ts';

const HASH_ALGORITHMS: Readonly<Record<string, string>> = {
  MD5: 'md5',
  SHA1: 'sha1',
  SHA256: 'sha256',
  SHA384: 'sha384',
  SHA512: 'sha512',
};
const SEVERITIES = [
  'DEFAULT',
  'DEBUG',
  'INFO',
  'NOTICE',
  'WARNING',
  'ERROR',
  'CRITICAL',
  'ALERT',
  'EMERGENCY',
];

/** The `sys`, `time`, `base64`, `hash` and `uuid` modules. Time and sleep go through the injected clock. */
export const SYSTEM_FUNCTIONS: readonly StdlibFunction[] = [
  defineFunction('sys.now', { params: [] }, (_args, services) => services.clock.now().getTime() / 1000),
  defineFunction(
    'sys.get_env',
    { params: ['name', 'default'], required: 1 },
    ([name, fallback], services) => {
      const key = stringArgument(name, 'sys.get_env');
      return Object.hasOwn(services.env, key) ? (services.env[key] ?? null) : (fallback ?? null);
    },
  ),
  defineFunction('sys.sleep', { params: ['seconds'], isBlocking: true }, async ([seconds], services) => {
    const delay = numberArgument(seconds, 'sys.sleep');
    if (delay < 0) throw workflowError('ValueError', 'sys.sleep needs a non-negative number of seconds');
    await services.clock.sleep(delay * 1000);
    return null;
  }),
  defineFunction('sys.sleep_until', { params: ['time'], isBlocking: true }, async ([time], services) => {
    const until = parseTime(time);
    await services.clock.sleep(Math.max(0, until * 1000 - services.clock.now().getTime()));
    return null;
  }),
  defineFunction(
    'sys.log',
    { params: ['data', 'severity', 'text', 'json', 'timeout'], required: 0, isBlocking: true },
    ([data, severity, text, json], services) => {
      const level =
        severity === undefined || severity === null ? 'DEFAULT' : stringArgument(severity, 'sys.log');
      if (!SEVERITIES.includes(level))
        throw workflowError('ValueError', `sys.log: unknown severity '${level}'`);
      services.log({ severity: level, data: text ?? json ?? data ?? null });
      return null;
    },
  ),
  defineFunction('time.format', { params: ['seconds', 'timezone'], required: 1 }, ([seconds, timezone]) =>
    formatTime(
      numberArgument(seconds, 'time.format'),
      timezone === undefined || timezone === null ? 'UTC' : stringArgument(timezone, 'time.format'),
    ),
  ),
  defineFunction('time.parse', { params: ['value'] }, ([value]) => parseTime(value)),
  defineFunction('base64.encode', { params: ['data', 'padding'], required: 1 }, ([data, padding]) => {
    const text = bytesArgument(data, 'base64.encode').toString('base64');
    return padding === false ? text.replace(/=+$/, '') : text;
  }),
  defineFunction('base64.decode', { params: ['data', 'padding'], required: 1 }, ([data]) => {
    const text = stringArgument(data, 'base64.decode');
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text))
      throw workflowError('ValueError', 'base64.decode: invalid base64 text');
    return bytesValue(Buffer.from(text, 'base64'));
  }),
  defineFunction('hash.compute_checksum', { params: ['data', 'algorithm'] }, ([data, algorithm]) =>
    bytesValue(createHash(hashName(algorithm)).update(bytesArgument(data, 'hash.compute_checksum')).digest()),
  ),
  defineFunction('hash.compute_hmac', { params: ['key', 'data', 'algorithm'] }, ([key, data, algorithm]) =>
    bytesValue(
      createHmac(hashName(algorithm), bytesArgument(key, 'hash.compute_hmac'))
        .update(bytesArgument(data, 'hash.compute_hmac'))
        .digest(),
    ),
  ),
  defineFunction('uuid.generate', { params: [] }, () => randomUUID()),
];

function hashName(algorithm: JsonValue | undefined): string {
  const name = HASH_ALGORITHMS[stringArgument(algorithm, 'hash algorithm').toUpperCase().replace('-', '')];
  if (!name)
    throw workflowError(
      'ValueError',
      `unknown hash algorithm '${String(algorithm)}': use ${Object.keys(HASH_ALGORITHMS).join(', ')}`,
    );
  return name;
}

/** `time.parse`: an RFC 3339 timestamp to seconds since the epoch (a double). */
function parseTime(value: JsonValue | undefined): number {
  const text = stringArgument(value, 'time.parse');
  const match = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.(\d+))?(Z|[+-]\d{2}:\d{2})$/i.exec(text);
  const milliseconds = match ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(milliseconds))
    throw workflowError('ValueError', `time.parse: '${text}' is not an RFC 3339 timestamp`);
  const fraction = match?.[2] ?? '';
  const extra = fraction.length > 3 ? Number(`0.000${fraction.slice(3)}`) : 0;
  return Math.floor(milliseconds / 1000) + (milliseconds % 1000) / 1000 + extra;
}

/** `time.format`: seconds since the epoch to RFC 3339 with microseconds, in a time zone. */
function formatTime(seconds: number, timezone: string): string {
  const whole = Math.floor(seconds);
  const micros = String(Math.round((seconds - whole) * 1_000_000)).padStart(6, '0');
  const date = new Date(whole * 1000);
  let parts: Intl.DateTimeFormatPart[];
  try {
    parts = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    }).formatToParts(date);
  } catch {
    throw workflowError('ValueError', `time.format: unknown time zone '${timezone}'`);
  }
  const part = (type: string): string => parts.find((item) => item.type === type)?.value ?? '00';
  const local = Date.UTC(
    Number(part('year')),
    Number(part('month')) - 1,
    Number(part('day')),
    Number(part('hour')),
    Number(part('minute')),
    Number(part('second')),
  );
  const offsetMinutes = Math.round((local - whole * 1000) / 60_000);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const absolute = Math.abs(offsetMinutes);
  const offset =
    offsetMinutes === 0
      ? 'Z'
      : `${sign}${String(Math.floor(absolute / 60)).padStart(2, '0')}:${String(absolute % 60).padStart(2, '0')}`;
  return `${part('year')}-${part('month')}-${part('day')}T${part('hour')}:${part('minute')}:${part('second')}.${micros}${offset}`;
}
