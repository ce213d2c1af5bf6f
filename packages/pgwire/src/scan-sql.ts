/** What a stretch of SQL text is, for the splitter and the placeholder scanner. */
export type SqlSpanKind = 'code' | 'string' | 'identifier' | 'comment';

/** A stretch of SQL text of one kind. Strings and identifiers keep their quotes. */
export interface SqlSpan {
  readonly kind: SqlSpanKind;
  readonly text: string;
}

const IDENTIFIER_CHAR = /[A-Za-z0-9_$\u0080-\uffff]/;
const DOLLAR_TAG = /^\$(?:[A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/;

function isIdentifierChar(char: string | undefined): boolean {
  return char !== undefined && IDENTIFIER_CHAR.test(char);
}

/** End (exclusive) of a quoted run opened at `start`, where a doubled quote escapes it. */
function endOfQuoted(
  sql: string,
  start: number,
  options: { quote: string; isBackslashEscaped: boolean },
): number {
  let index = start + 1;
  while (index < sql.length) {
    const char = sql[index];
    if (options.isBackslashEscaped && char === '\\') index += 2;
    else if (char === options.quote && sql[index + 1] === options.quote) index += 2;
    else if (char === options.quote) return index + 1;
    else index += 1;
  }
  return sql.length;
}

function endOfBlockComment(sql: string, start: number): number {
  let depth = 0;
  let index = start;
  while (index < sql.length) {
    if (sql.startsWith('/*', index)) {
      depth += 1;
      index += 2;
    } else if (sql.startsWith('*/', index)) {
      depth -= 1;
      index += 2;
      if (depth === 0) return index;
    } else index += 1;
  }
  return sql.length;
}

function endOfLineComment(sql: string, start: number): number {
  const newline = sql.indexOf('\n', start);
  return newline < 0 ? sql.length : newline + 1;
}

/** The kind and end of a non-code run starting at `index`, or undefined when the char is code. */
function quotedRunAt(sql: string, index: number): { kind: SqlSpanKind; end: number } | undefined {
  const char = sql[index];
  const previous = sql[index - 1];
  if (char === "'") {
    const isEscapeString = (previous === 'E' || previous === 'e') && !isIdentifierChar(sql[index - 2]);
    return {
      kind: 'string',
      end: endOfQuoted(sql, index, { quote: "'", isBackslashEscaped: isEscapeString }),
    };
  }
  if (char === '"')
    return { kind: 'identifier', end: endOfQuoted(sql, index, { quote: '"', isBackslashEscaped: false }) };
  if (sql.startsWith('--', index)) return { kind: 'comment', end: endOfLineComment(sql, index) };
  if (sql.startsWith('/*', index)) return { kind: 'comment', end: endOfBlockComment(sql, index) };
  if (char === '$' && !isIdentifierChar(previous)) {
    const tag = DOLLAR_TAG.exec(sql.slice(index, index + 64))?.[0];
    if (tag === undefined) return undefined;
    const close = sql.indexOf(tag, index + tag.length);
    return { kind: 'string', end: close < 0 ? sql.length : close + tag.length };
  }
  return undefined;
}

/**
 * Cuts SQL text into code, string literals (standard, `E''` and dollar-quoted), quoted
 * identifiers and comments (line and nested block), so that `;` and `$1` are only ever seen in code.
 * An unterminated quote or comment runs to the end of the text; the engine reports it.
 */
export function scanSql(sql: string): SqlSpan[] {
  const spans: SqlSpan[] = [];
  let codeStart = 0;
  let index = 0;
  while (index < sql.length) {
    const run = quotedRunAt(sql, index);
    if (run === undefined) {
      index += 1;
      continue;
    }
    if (index > codeStart) spans.push({ kind: 'code', text: sql.slice(codeStart, index) });
    spans.push({ kind: run.kind, text: sql.slice(index, run.end) });
    index = run.end;
    codeStart = index;
  }
  if (sql.length > codeStart) spans.push({ kind: 'code', text: sql.slice(codeStart) });
  return spans;
}
