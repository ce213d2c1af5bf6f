const MS_PER_DAY = 86_400_000;

/** Days since 1970-01-01 of a `YYYY-MM-DD` date (UTC). */
export function toEpochDay(isoDate: string): number {
  const time = Date.parse(`${isoDate}T00:00:00Z`);
  if (Number.isNaN(time)) throw new RangeError(`not a date: ${isoDate}`);
  return Math.round(time / MS_PER_DAY);
}

/** The `YYYY-MM-DD` form of a day counted from 1970-01-01 (UTC). */
export function formatEpochDay(epochDay: number): string {
  return new Date(epochDay * MS_PER_DAY).toISOString().slice(0, 10);
}

/** Every day of a calendar year, in order, as `YYYY-MM-DD` strings. */
export function daysOfYear(year: number): string[] {
  const first = toEpochDay(`${year}-01-01`);
  const next = toEpochDay(`${year + 1}-01-01`);
  const days: string[] = [];
  for (let day = first; day < next; day++) days.push(formatEpochDay(day));
  return days;
}
