import { QuantaError } from '@quanta/model';

const DAY_MS = 86_400_000;
const UNIT_DAYS: Readonly<Record<string, number>> = { h: 1 / 24, d: 1, w: 7, y: 365 };

/**
 * A duration written `30d`, `12h`, `2w` or `1y`, in days (hours as fractions). Anything else is
 * a usage error: a typo must not become an endless grant or token.
 */
export function parseDurationDays(text: string): number {
  const match = /^(\d+)\s*([hdwy])$/i.exec(text.trim());
  const days = match?.[1] && match[2] ? Number(match[1]) * (UNIT_DAYS[match[2].toLowerCase()] ?? 0) : 0;
  if (!(days > 0) || days > 3650) {
    throw new QuantaError('QUANTA_USAGE', `'${text}' is not a duration`, {
      fix: 'write a number and a unit (h, d, w, y) of at most 10 years: 30d, 12h, 1y',
    });
  }
  return days;
}

/** The ISO time `days` after `from`. */
export function addDays(from: Date, days: number): string {
  return new Date(from.getTime() + days * DAY_MS).toISOString();
}
