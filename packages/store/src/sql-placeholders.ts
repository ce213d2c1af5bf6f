/**
 * Rewrites `?` placeholders into PostgreSQL's numbered `$1, $2, …`, so that the store writes
 * each query once for both backends. A `?` inside a quoted literal or identifier is left alone.
 */
export function toPostgresPlaceholders(sql: string): string {
  let result = '';
  let count = 0;
  let quote: string | undefined;
  for (const char of sql) {
    if (quote) {
      if (char === quote) quote = undefined;
      result += char;
    } else if (char === "'" || char === '"') {
      quote = char;
      result += char;
    } else if (char === '?') {
      count += 1;
      result += `$${count}`;
    } else {
      result += char;
    }
  }
  return result;
}

/** `?, ?, ?` for `count` parameters. */
export function placeholders(count: number): string {
  return Array.from({ length: count }, () => '?').join(', ');
}
