const TWO_DIGITS = Array.from({ length: 100 }, (_, index) => String(index).padStart(2, '0'));

/** A non-negative amount in cents written with two decimals (`1234` gives `12.34`). */
export function formatCents(cents: number): string {
  return `${Math.floor(cents / 100)}.${TWO_DIGITS[cents % 100]}`;
}
