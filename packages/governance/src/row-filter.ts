import { quoteSqlIdentifier, quoteSqlLiteral } from './column-masks.ts';
import type { Principal } from './user-referential.ts';

/** A row filter compiled to SQL, or why it cannot be (the read is then denied: fail closed). */
export type CompiledRowFilter =
  | { readonly kind: 'compiled'; readonly sql: string }
  | { readonly kind: 'invalid'; readonly reason: string };

/** The principal attributes a row filter may read as `principal.<name>`. */
export const FILTER_ATTRIBUTES = ['id', 'domain', 'country', 'role', 'clearance', 'kind', 'status'] as const;

const KEYWORDS = new Set([
  'and',
  'or',
  'not',
  'in',
  'is',
  'null',
  'like',
  'ilike',
  'between',
  'true',
  'false',
]);
const TOKEN =
  /\s+|'(?:[^']|'')*'|"(?:[^"]|"")+"|\d+(?:\.\d+)?|principal\.[A-Za-z_][A-Za-z0-9_]*|[A-Za-z_][A-Za-z0-9_]*|<>|!=|<=|>=|[=<>(),]/y;

/**
 * Compiles a row filter such as `country = principal.country` to SQL over one port's columns.
 * The language is deliberately tiny: column names, literals, `principal.<attribute>`,
 * comparisons, AND/OR/NOT, IN, IS [NOT] NULL, LIKE and BETWEEN. No function calls and no
 * subqueries, so a filter can neither read another table nor hide a side effect. Principal
 * attributes become literals; an empty attribute is refused rather than matching nothing.
 */
export function compileRowFilter(
  expression: string,
  context: { principal: Principal; columns: readonly string[] },
): CompiledRowFilter {
  const tokens = tokenize(expression);
  if (tokens.kind === 'invalid') return tokens;
  const columns = new Map(context.columns.map((column) => [column.toLowerCase(), column]));
  const output: string[] = [];
  for (const [index, token] of tokens.tokens.entries()) {
    const compiled = compileToken(token, {
      principal: context.principal,
      columns,
      next: tokens.tokens[index + 1],
    });
    if (compiled.kind === 'invalid') return compiled;
    output.push(compiled.sql);
  }
  if (output.length === 0) return { kind: 'invalid', reason: 'the row filter is empty' };
  return { kind: 'compiled', sql: `(${output.join(' ')})` };
}

/** Checks a filter's syntax and principal attributes without a port (at `quanta validate`). */
export function checkRowFilterSyntax(expression: string): string | undefined {
  const tokens = tokenize(expression);
  if (tokens.kind === 'invalid') return tokens.reason;
  if (tokens.tokens.length === 0) return 'the row filter is empty';
  for (const [index, token] of tokens.tokens.entries()) {
    if (token.startsWith('principal.') && !isFilterAttribute(token.slice('principal.'.length))) {
      return `unknown principal attribute ${token}; use one of ${FILTER_ATTRIBUTES.join(', ')}`;
    }
    if (isFunctionCall(token, tokens.tokens[index + 1])) return `function calls are not allowed (${token})`;
  }
  return undefined;
}

/** A name followed by `(`: a function call, refused (keywords such as IN, NOT and AND may precede one). */
function isFunctionCall(token: string, next: string | undefined): boolean {
  const isName = /^[A-Za-z_"]/.test(token) && !token.startsWith('principal.');
  return isName && next === '(' && !KEYWORDS.has(token.toLowerCase());
}

function tokenize(
  expression: string,
): { kind: 'tokens'; tokens: string[] } | { kind: 'invalid'; reason: string } {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < expression.length) {
    const start = TOKEN.lastIndex;
    const match = TOKEN.exec(expression);
    if (!match)
      return { kind: 'invalid', reason: `unexpected ${JSON.stringify(expression.slice(start, start + 10))}` };
    if (match[0].trim() !== '') tokens.push(match[0]);
  }
  return { kind: 'tokens', tokens };
}

function compileToken(
  token: string,
  context: { principal: Principal; columns: Map<string, string>; next: string | undefined },
): CompiledRowFilter {
  if (token.startsWith("'") || /^\d/.test(token) || /^(<>|!=|<=|>=|[=<>(),])$/.test(token)) {
    return { kind: 'compiled', sql: token };
  }
  if (token.startsWith('principal.'))
    return principalLiteral(token.slice('principal.'.length), context.principal);
  if (KEYWORDS.has(token.toLowerCase())) return { kind: 'compiled', sql: token.toUpperCase() };
  if (isFunctionCall(token, context.next)) {
    return { kind: 'invalid', reason: `function calls are not allowed (${token})` };
  }
  const name = token.startsWith('"') ? token.slice(1, -1).replaceAll('""', '"') : token;
  const column = context.columns.get(name.toLowerCase());
  if (column === undefined) return { kind: 'invalid', reason: `unknown column ${name}` };
  return { kind: 'compiled', sql: quoteSqlIdentifier(column) };
}

function principalLiteral(attribute: string, principal: Principal): CompiledRowFilter {
  if (!isFilterAttribute(attribute))
    return { kind: 'invalid', reason: `unknown principal attribute ${attribute}` };
  const value = principal[attribute];
  if (typeof value === 'number') return { kind: 'compiled', sql: String(value) };
  if (value === '') return { kind: 'invalid', reason: `principal ${principal.id} has no ${attribute}` };
  return { kind: 'compiled', sql: quoteSqlLiteral(value) };
}

function isFilterAttribute(name: string): name is (typeof FILTER_ATTRIBUTES)[number] {
  return (FILTER_ATTRIBUTES as readonly string[]).includes(name);
}
