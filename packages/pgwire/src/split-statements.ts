import { scanSql } from './scan-sql.ts';

/**
 * Splits a simple-query string into its statements at the `;` found in code (not in strings,
 * quoted identifiers, dollar quotes or comments). Statements holding only whitespace and
 * comments are dropped; each statement is returned trimmed, without its `;`.
 */
export function splitStatements(sql: string): string[] {
  const statements: string[] = [];
  let current = '';
  let hasCode = false;
  const finish = (): void => {
    if (hasCode) statements.push(current.trim());
    current = '';
    hasCode = false;
  };
  for (const span of scanSql(sql)) {
    if (span.kind !== 'code') {
      current += span.text;
      if (span.kind !== 'comment') hasCode = true;
      continue;
    }
    const pieces = span.text.split(';');
    pieces.forEach((piece, index) => {
      if (index > 0) finish();
      current += piece;
      if (piece.trim() !== '') hasCode = true;
    });
  }
  finish();
  return statements;
}
