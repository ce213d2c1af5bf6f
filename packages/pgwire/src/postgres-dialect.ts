import { type SqlSpan, scanSql } from './scan-sql.ts';

/** PostgreSQL-only type names, written as the DuckDB type the backend reads them as. */
const TYPE_NAMES: Readonly<Record<string, string>> = {
  name: 'VARCHAR',
  regtype: 'BIGINT',
  regproc: 'BIGINT',
  regprocedure: 'BIGINT',
  regnamespace: 'BIGINT',
  regrole: 'BIGINT',
  regoper: 'BIGINT',
  int2vector: 'VARCHAR',
  oidvector: 'VARCHAR',
};

const OPERATOR_CALL = /OPERATOR\s*\(\s*pg_catalog\s*\.\s*([~!<>=*+\-/%^|&#@]+)\s*\)/gi;
const DEFAULT_COLLATION = /\bCOLLATE\s+(?:pg_catalog\s*\.\s*)?(?:"default"|default\b)/gi;
const CATALOG_CALL = /\bpg_catalog\s*\.\s*(?=[A-Za-z_]\w*\s*\()/gi;
const CATALOG_CAST = /::\s*pg_catalog\s*\./gi;
const TYPE_CAST = /::\s*([A-Za-z_]\w*)\b(?!\s*\.)/g;
const REGEX_OPERATOR = /(?:!?~\*?)\s*$/;
const LIKE_OPERATOR = /\b(?:I?LIKE)\s*$/i;
const REGCLASS_CAST = /^\s*::\s*regclass\b/i;
const ANY_REGCLASS_CAST = /::\s*regclass\b/gi;

/**
 * Rewrites the PostgreSQL spellings that BI tools and `psql` send in catalog queries into SQL
 * DuckDB's parser reads with the same meaning, before the query reaches the backend (which
 * still parses and guards the result): `OPERATOR(pg_catalog.~)` becomes `~`, the default
 * collation is dropped, `pg_catalog.` is removed from function calls and casts, `'t'::regclass`
 * becomes `to_regclass('t')`, PostgreSQL-only types (`name`, `regtype`...) become DuckDB types,
 * and the literal pattern of a regular-expression operator is widened because DuckDB's `~` must
 * match the whole string while PostgreSQL's finds the pattern anywhere; a LIKE pattern with a
 * backslash gets PostgreSQL's default `ESCAPE '\'`, which DuckDB lacks.
 */
export function translatePostgresDialect(sql: string): string {
  const spans = scanSql(sql).map((span) =>
    span.kind === 'code' ? { ...span, text: translateCode(span.text) } : span,
  );
  return nameSetReturningColumns(spans.map((span, index) => translateSpan(span, { spans, index })).join(''));
}

const SET_RETURNING_CALL = /\bgenerate_series\s*\(/gi;
const TABLE_ALIAS = /^\s+(?:AS\s+)?([A-Za-z_]\w*)(?!\s*\()/i;
const NOT_AN_ALIAS = /^(?:where|join|left|right|inner|full|cross|on|group|order|limit|union|natural|using)$/i;

/**
 * `generate_series(...) s` names both the relation and its column `s` in PostgreSQL; DuckDB
 * would read a bare `s` as the whole row, so the column is named explicitly: `s(s)`.
 */
function nameSetReturningColumns(sql: string): string {
  let result = sql;
  for (const match of [...sql.matchAll(SET_RETURNING_CALL)].reverse()) {
    let depth = 0;
    let end = match.index + match[0].length - 1;
    for (; end < result.length; end += 1) {
      if (result[end] === '(') depth += 1;
      else if (result[end] === ')' && --depth === 0) break;
    }
    const alias = TABLE_ALIAS.exec(result.slice(end + 1));
    const name = alias?.[1];
    if (!alias || !name || NOT_AN_ALIAS.test(name)) continue;
    const at = end + 1 + alias[0].length;
    result = `${result.slice(0, at)}(${name})${result.slice(at)}`;
  }
  return result;
}

function translateCode(text: string): string {
  return text
    .replace(OPERATOR_CALL, ' $1 ')
    .replace(DEFAULT_COLLATION, '')
    .replace(CATALOG_CALL, '')
    .replace(CATALOG_CAST, '::')
    .replace(TYPE_CAST, (cast: string, type: string) => {
      const mapped = TYPE_NAMES[type.toLowerCase()];
      return mapped ? `::${mapped}` : cast;
    });
}

/** A string literal cast to regclass, or the pattern of a regex operator, rewritten; other spans as they are. */
function translateSpan(span: SqlSpan, context: { spans: readonly SqlSpan[]; index: number }): string {
  if (span.kind === 'code') {
    const text = isAfterRegclassLiteral(context) ? span.text.replace(REGCLASS_CAST, ')') : span.text;
    return text.replace(ANY_REGCLASS_CAST, '::BIGINT');
  }
  if (span.kind !== 'string' || !span.text.startsWith("'")) return span.text;
  const next = context.spans[context.index + 1];
  if (next?.kind === 'code' && REGCLASS_CAST.test(next.text)) return `to_regclass(${span.text}`;
  const previous = context.spans[context.index - 1];
  if (previous?.kind === 'code' && REGEX_OPERATOR.test(previous.text)) return searchPattern(span.text);
  const hasEscape = next?.kind === 'code' && /^\s*ESCAPE\b/i.test(next.text);
  if (
    previous?.kind === 'code' &&
    LIKE_OPERATOR.test(previous.text) &&
    !hasEscape &&
    span.text.includes('\\')
  ) {
    return `${span.text} ESCAPE '\\'`;
  }
  return span.text;
}

function isAfterRegclassLiteral(context: { spans: readonly SqlSpan[]; index: number }): boolean {
  const previous = context.spans[context.index - 1];
  return previous?.kind === 'string' && previous.text.startsWith("'");
}

/** `'^pg_'` as a whole-string pattern that matches where PostgreSQL's search would. */
function searchPattern(literal: string): string {
  const pattern = literal.slice(1, -1);
  return `'(?s:.*)(?:${pattern})(?s:.*)'`;
}
