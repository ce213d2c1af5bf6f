const DAYS_PER_UNIT: Readonly<Record<string, number>> = {
  ms: 1 / 86_400_000,
  s: 1 / 86_400,
  sec: 1 / 86_400,
  second: 1 / 86_400,
  seconds: 1 / 86_400,
  min: 1 / 1440,
  minute: 1 / 1440,
  minutes: 1 / 1440,
  h: 1 / 24,
  hr: 1 / 24,
  hour: 1 / 24,
  hours: 1 / 24,
  d: 1,
  day: 1,
  days: 1,
  w: 7,
  week: 7,
  weeks: 7,
  // ODCS writes `m` for months (as ISO 8601 dates do): minutes are `min`.
  m: 30,
  mo: 30,
  month: 30,
  months: 30,
  y: 365,
  yr: 365,
  year: 365,
  years: 365,
};

/**
 * A duration in days from an ODCS `value` and `unit` (`d`, `m` for months of 30 days, `y` for
 * years of 365 days, and the spelled-out forms); undefined for an unknown unit.
 */
export function durationDays(value: number, unit: string): number | undefined {
  const factor = DAYS_PER_UNIT[unit.trim().toLowerCase()];
  return factor === undefined ? undefined : value * factor;
}
