import { isIP } from 'node:net';
import type { ColumnClassification, KindDetection, SensitiveKind } from './data-engine.ts';
import type { DuckDbDatabase } from './duckdb-database.ts';
import { DATA_TABLE } from './quarantine.ts';
import { quoteIdentifier, quoteLiteral } from './sql-text.ts';
import { tableColumns } from './staged-table-description.ts';

/** Non-null values sampled per text column when the caller does not say. */
export const DEFAULT_CLASSIFY_SAMPLE = 10_000;

/** Value shapes, as RE2 patterns matched against the whole trimmed value. */
const PATTERNS = {
  email: String.raw`[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}`,
  ipv4: String.raw`((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\.){3}(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])`,
  /** E.164 once separators are removed: `+`, then up to 15 digits. */
  e164: String.raw`\+[1-9][0-9]{6,14}`,
  /** A national number: digit groups split by spaces, dots or dashes, or a trunk `0` and 9–10 digits. */
  nationalGrouped: String.raw`\(?[0-9]{2,4}\)?([ .-][0-9]{2,4}){2,4}`,
  nationalTrunk: '0[1-9][0-9]{8,9}',
  /** IBAN shape once spaces are removed; the mod-97 check runs in TypeScript. */
  iban: '[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}',
  /** Card shape once spaces and dashes are removed; the Luhn check runs in TypeScript. */
  card: '[0-9]{13,19}',
  /** Candidate IPv6 text; node:net validates it. */
  ipv6: '[0-9A-Fa-f:.]{2,45}',
} as const;

/** Name hints for kinds whose values no pattern can tell apart (a name is just text). */
const NAME_HINTS: readonly { kind: SensitiveKind; pattern: RegExp }[] = [
  {
    kind: 'person-name',
    pattern:
      /^(first|last|full|given|family|middle|maiden|sur|fore)_?name$|^(customer|contact|person|employee|user|holder)_(full_)?name$/,
  },
  { kind: 'birth-date', pattern: /^(birth_?(date|day)|date_of_birth|dob|born_(on|at))$/ },
  {
    kind: 'street-address',
    pattern: /^((street|home|postal|mailing)_)?(street|address)(_line_?[0-9]?|_[0-9])?$/,
  },
];

/** What one sampling query answers for a text column. */
interface SampledCounts {
  readonly sampled: number;
  readonly counts: ReadonlyMap<SensitiveKind, number>;
}

/**
 * Classifies every column of the table `data` in the open database: each text column's
 * sample (at most `sampleSize` non-null values of the rows whose row-id hash falls in one
 * bucket of `step`, so the same table always gives the same sample, spread over the whole
 * table, without sorting it) is matched in SQL, IBAN, card and IPv6 candidates are validated
 * in TypeScript; every column's name is matched against the hints.
 */
export async function classifyTableColumns(
  database: DuckDbDatabase,
  options: { sampleSize: number },
): Promise<ColumnClassification[]> {
  const sampleSize = Math.max(1, Math.floor(options.sampleSize));
  const [counted] = await database.rows(`SELECT count(*) FROM main.${DATA_TABLE}`);
  // About 1.25 × sampleSize rows are candidates, picked by a hash of the row id (uncorrelated
  // with periodic data); only they are sorted by that hash to keep sampleSize, not the table.
  const step = Math.max(1, Math.floor(Number(counted?.[0] ?? 0) / (sampleSize * 1.25)));
  const classifications: ColumnClassification[] = [];
  for (const column of await tableColumns(database, { table: DATA_TABLE })) {
    const sampled = isTextType(column.type)
      ? await sampleColumn(database, { column: column.name, sampleSize, step })
      : { sampled: 0, counts: new Map<SensitiveKind, number>() };
    classifications.push({
      column: column.name,
      type: column.type,
      sampled: sampled.sampled,
      detections: detectionsOf(column.name, sampled),
    });
  }
  return classifications;
}

/** The kinds a column's name suggests. */
export function nameHints(column: string): SensitiveKind[] {
  const normalized = column
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_|_$/g, '');
  return NAME_HINTS.filter((hint) => hint.pattern.test(normalized)).map((hint) => hint.kind);
}

/** True when an IBAN passes the ISO 7064 mod-97 check (spaces ignored). */
export function isValidIban(text: string): boolean {
  const iban = text.replaceAll(' ', '').toUpperCase();
  if (!/^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$/.test(iban)) return false;
  const rearranged = `${iban.slice(4)}${iban.slice(0, 4)}`;
  let remainder = 0;
  for (const char of rearranged) {
    const digits = /[0-9]/.test(char) ? char : String(char.charCodeAt(0) - 55);
    for (const digit of digits) remainder = (remainder * 10 + Number(digit)) % 97;
  }
  return remainder === 1;
}

/** True when a card number passes the Luhn check (spaces and dashes ignored). */
export function isValidCardNumber(text: string): boolean {
  const digits = text.replace(/[ -]/g, '');
  if (!/^[0-9]{13,19}$/.test(digits)) return false;
  let sum = 0;
  for (let index = 0; index < digits.length; index += 1) {
    let digit = Number(digits[digits.length - 1 - index]);
    if (index % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

function isTextType(type: string): boolean {
  return /^(VARCHAR|TEXT|STRING|CHAR|BPCHAR)\b/i.test(type);
}

/** One query per text column: counts of regex matches, and the candidates TypeScript validates. */
async function sampleColumn(
  database: DuckDbDatabase,
  at: { column: string; sampleSize: number; step: number },
): Promise<SampledCounts> {
  const column = quoteIdentifier(at.column);
  const matches = (value: string, pattern: string) => `regexp_full_match(${value}, ${quoteLiteral(pattern)})`;
  const separatorsRemoved = String.raw`regexp_replace(v, '[\s().-]', '', 'g')`;
  const digitCount = `length(regexp_replace(v, '[^0-9]', '', 'g'))`;
  const isPhone = `NOT ${matches('v', PATTERNS.ipv4)} AND (${matches(separatorsRemoved, PATTERNS.e164)}
    OR (${digitCount} BETWEEN 9 AND 12 AND (${matches('v', PATTERNS.nationalGrouped)}
        OR ${matches(separatorsRemoved, PATTERNS.nationalTrunk)})))`;
  const [row] = await database.rows(
    `WITH sample AS (
       SELECT trim(CAST(${column} AS VARCHAR)) AS v FROM main.${DATA_TABLE}
       WHERE hash(rowid) % ${at.step} = 0 AND ${column} IS NOT NULL ORDER BY hash(rowid) LIMIT ${at.sampleSize})
     SELECT count(*),
       count(*) FILTER (WHERE ${matches('v', PATTERNS.email)}),
       count(*) FILTER (WHERE ${isPhone}),
       count(*) FILTER (WHERE ${matches('v', PATTERNS.ipv4)}),
       coalesce(list(v) FILTER (WHERE ${matches("upper(replace(v, ' ', ''))", PATTERNS.iban)}), []),
       coalesce(list(v) FILTER (WHERE ${matches("regexp_replace(v, '[ -]', '', 'g')", PATTERNS.card)}), []),
       coalesce(list(v) FILTER (WHERE contains(v, ':') AND ${matches('v', PATTERNS.ipv6)}), [])
     FROM sample`,
  );
  const [sampled, emails, phones, ipv4s, ibans, cards, ipv6s] = row ?? [];
  const counts = new Map<SensitiveKind, number>([
    ['email', Number(emails ?? 0)],
    ['phone', Number(phones ?? 0)],
    ['iban', textsOf(ibans).filter(isValidIban).length],
    ['payment-card', textsOf(cards).filter(isValidCardNumber).length],
    ['ip-address', Number(ipv4s ?? 0) + textsOf(ipv6s).filter((text) => isIP(text) === 6).length],
  ]);
  return { sampled: Number(sampled ?? 0), counts };
}

function detectionsOf(column: string, sampled: SampledCounts): KindDetection[] {
  const fromValues = [...sampled.counts]
    .filter(([, matched]) => matched > 0)
    .sort(([, a], [, b]) => b - a)
    .map(
      ([kind, matched]): KindDetection => ({
        kind,
        evidence: 'values',
        matched,
        ratio: matched / sampled.sampled,
      }),
    );
  const fromName = nameHints(column).map((kind): KindDetection => ({ kind, evidence: 'name' }));
  return [...fromValues, ...fromName];
}

function textsOf(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}
