import type { JsonValue } from '@quanta/model';
import { workflowError } from '../workflow-error.ts';
import {
  bytesArgument,
  bytesValue,
  defineFunction,
  integerArgument,
  type StdlibFunction,
  stringArgument,
} from './stdlib-function.ts';

/** The `text` module. Indexes count characters (code points), as Cloud Workflows does. */
export const TEXT_FUNCTIONS: readonly StdlibFunction[] = [
  defineFunction('text.find_all', { params: ['source', 'substr'] }, ([source, substr]) =>
    findAll(stringArgument(source, 'text.find_all'), literalPattern(stringArgument(substr, 'text.find_all'))),
  ),
  defineFunction('text.find_all_regex', { params: ['source', 'regexp'] }, ([source, regexp]) =>
    findAll(stringArgument(source, 'text.find_all_regex'), regexOf(regexp, 'text.find_all_regex')),
  ),
  defineFunction('text.match_regex', { params: ['source', 'regexp'] }, ([source, regexp]) =>
    regexOf(regexp, 'text.match_regex').test(stringArgument(source, 'text.match_regex')),
  ),
  defineFunction('text.replace_all', { params: ['source', 'substr', 'repl'] }, ([source, substr, repl]) =>
    stringArgument(source, 'text.replace_all').replaceAll(stringArgument(substr, 'text.replace_all'), () =>
      stringArgument(repl, 'text.replace_all'),
    ),
  ),
  defineFunction(
    'text.replace_all_regex',
    { params: ['source', 'regexp', 'repl'] },
    ([source, regexp, repl]) =>
      stringArgument(source, 'text.replace_all_regex').replace(
        regexOf(regexp, 'text.replace_all_regex'),
        // RE2 writes groups as \1; JavaScript as $1.
        stringArgument(repl, 'text.replace_all_regex')
          .replaceAll('$', '$$$$')
          .replace(/\\(\d)/g, '$$$1'),
      ),
  ),
  defineFunction('text.split', { params: ['source', 'separator'] }, ([source, separator]) =>
    stringArgument(source, 'text.split').split(stringArgument(separator, 'text.split')),
  ),
  defineFunction('text.substring', { params: ['source', 'start', 'end'] }, ([source, start, end]) => {
    const characters = [...stringArgument(source, 'text.substring')];
    const from = clamp(integerArgument(start, 'text.substring'), characters.length);
    const to = clamp(integerArgument(end, 'text.substring'), characters.length);
    return from >= to ? '' : characters.slice(from, to).join('');
  }),
  defineFunction('text.to_lower', { params: ['source'] }, ([source]) =>
    stringArgument(source, 'text.to_lower').toLowerCase(),
  ),
  defineFunction('text.to_upper', { params: ['source'] }, ([source]) =>
    stringArgument(source, 'text.to_upper').toUpperCase(),
  ),
  defineFunction('text.url_encode', { params: ['source'] }, ([source]) =>
    encodeURIComponent(stringArgument(source, 'text.url_encode')),
  ),
  defineFunction('text.url_encode_plus', { params: ['source'] }, ([source]) =>
    encodeURIComponent(stringArgument(source, 'text.url_encode_plus')).replaceAll('%20', '+'),
  ),
  defineFunction('text.url_decode', { params: ['source'] }, ([source]) => {
    try {
      return decodeURIComponent(stringArgument(source, 'text.url_decode').replaceAll('+', ' '));
    } catch {
      throw workflowError('ValueError', 'text.url_decode: malformed percent-encoding');
    }
  }),
  defineFunction('text.encode', { params: ['text', 'charset'], required: 1 }, ([text, charset]) => {
    requireUtf8(charset, 'text.encode');
    return bytesValue(Buffer.from(stringArgument(text, 'text.encode'), 'utf8'));
  }),
  defineFunction('text.decode', { params: ['data', 'charset'], required: 1 }, ([data, charset]) => {
    requireUtf8(charset, 'text.decode');
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(bytesArgument(data, 'text.decode'));
    } catch (error) {
      if (error instanceof TypeError)
        throw workflowError('ValueError', 'text.decode: the bytes are not valid UTF-8');
      throw error;
    }
  }),
];

function findAll(source: string, pattern: RegExp): JsonValue[] {
  const found: JsonValue[] = [];
  for (const match of source.matchAll(pattern)) {
    found.push({ index: [...source.slice(0, match.index)].length, match: match[0] });
    if (match[0] === '') pattern.lastIndex += 1;
  }
  return found;
}

function literalPattern(substr: string): RegExp {
  if (substr === '') throw workflowError('ValueError', 'text.find_all: the substring is empty');
  return new RegExp(substr.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'gu');
}

function regexOf(value: JsonValue | undefined, where: string): RegExp {
  const source = stringArgument(value, where);
  try {
    return new RegExp(source, 'gu');
  } catch {
    throw workflowError('ValueError', `${where}: invalid regular expression '${source}'`);
  }
}

function clamp(index: number, length: number): number {
  return Math.max(0, Math.min(index, length));
}

function requireUtf8(charset: JsonValue | undefined, where: string): void {
  if (charset === undefined || charset === null) return;
  const name = stringArgument(charset, where).toUpperCase().replace('-', '');
  if (name !== 'UTF8')
    throw workflowError('ValueError', `${where}: only UTF-8 is supported, got '${String(charset)}'`);
}
