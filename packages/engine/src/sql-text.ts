/** Quotes a SQL identifier (`my "col"` becomes `"my ""col"""`). */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** Quotes a SQL string literal (`it's` becomes `'it''s'`). */
export function quoteLiteral(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/** A SQL list literal of strings: `['a', 'b']`. */
export function quoteLiteralList(texts: readonly string[]): string {
  return `[${texts.map(quoteLiteral).join(', ')}]`;
}
