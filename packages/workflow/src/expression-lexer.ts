import { workflowError } from './workflow-error.ts';

/** One token of a `${...}` expression; `at` is its 0-based offset in the expression text. */
export type Token =
  | { readonly kind: 'number'; readonly value: number; readonly isDouble: boolean; readonly at: number }
  | { readonly kind: 'string'; readonly value: string; readonly at: number }
  | { readonly kind: 'name'; readonly value: string; readonly at: number }
  | { readonly kind: 'operator'; readonly value: string; readonly at: number }
  | { readonly kind: 'end'; readonly at: number };

const OPERATORS = [
  '//',
  '==',
  '!=',
  '<=',
  '>=',
  '+',
  '-',
  '*',
  '/',
  '%',
  '<',
  '>',
  '(',
  ')',
  '[',
  ']',
  '{',
  '}',
  ',',
  ':',
  '.',
];
const NAME_START = /[A-Za-z_]/;
const NAME_PART = /[A-Za-z0-9_]/;
const NUMBER = /^(?:\d+\.\d*|\.\d+|\d+)(?:[eE][+-]?\d+)?/;
const ESCAPES: Readonly<Record<string, string>> = {
  n: '\n',
  t: '\t',
  r: '\r',
  '\\': '\\',
  '"': '"',
  "'": "'",
  '/': '/',
};

/**
 * Splits the text inside `${...}` into tokens. Errors are Cloud Workflows `ValueError`
 * maps carrying the column of the offending character.
 */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let at = 0;
  while (at < text.length) {
    const char = text[at] as string;
    if (/\s/.test(char)) {
      at += 1;
      continue;
    }
    const token = readToken(text, at);
    tokens.push(token.token);
    at = token.next;
  }
  tokens.push({ kind: 'end', at: text.length });
  return tokens;
}

function readToken(text: string, at: number): { token: Token; next: number } {
  const char = text[at] as string;
  const number =
    /\d/.test(char) || (char === '.' && /\d/.test(text[at + 1] ?? '')) ? NUMBER.exec(text.slice(at)) : null;
  if (number) {
    const source = number[0];
    const isDouble = /[.eE]/.test(source);
    return { token: { kind: 'number', value: Number(source), isDouble, at }, next: at + source.length };
  }
  if (char === '"' || char === "'") return readString(text, at);
  if (NAME_START.test(char)) {
    let end = at + 1;
    while (end < text.length && NAME_PART.test(text[end] as string)) end += 1;
    return { token: { kind: 'name', value: text.slice(at, end), at }, next: end };
  }
  const operator = OPERATORS.find((candidate) => text.startsWith(candidate, at));
  if (operator) return { token: { kind: 'operator', value: operator, at }, next: at + operator.length };
  throw workflowError('ValueError', `unexpected character '${char}' in expression`, at + 1);
}

function readString(text: string, start: number): { token: Token; next: number } {
  const quote = text[start];
  let value = '';
  let at = start + 1;
  while (at < text.length) {
    const char = text[at] as string;
    if (char === quote) return { token: { kind: 'string', value, at: start }, next: at + 1 };
    if (char === '\\') {
      const escaped = text[at + 1] ?? '';
      if (escaped === 'u') {
        value += String.fromCharCode(Number.parseInt(text.slice(at + 2, at + 6), 16));
        at += 6;
        continue;
      }
      value += ESCAPES[escaped] ?? escaped;
      at += 2;
      continue;
    }
    value += char;
    at += 1;
  }
  throw workflowError('ValueError', 'unterminated string literal in expression', start + 1);
}
