import type { Finding, JsonValue, SourceLocation } from '@quanta/model';
import { CORE_SCHEMA, load as loadFast } from 'js-yaml';
import {
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parseDocument,
  type YAMLError,
} from 'yaml';

/** A path into a parsed document: object keys and array indexes, as in a JSON pointer. */
export type JsonPath = readonly (string | number)[];

/** Finds where a path of a document is written; `key` asks for the key rather than the value. */
export type Locate = (path: JsonPath, options?: { key?: boolean }) => SourceLocation;

/** A YAML file parsed with positions: its data as JSON plus a way back to `file:line:col`. */
export interface YamlSource {
  /** Path relative to the mesh root (or as given), the `file` of every finding. */
  readonly file: string;
  readonly data: JsonValue;
  readonly locate: Locate;
}

/** The outcome of parsing: a source, or the findings that explain why there is none. */
export interface YamlParseResult {
  readonly source?: YamlSource;
  readonly findings: Finding[];
}

const YAML_FIXES: Readonly<Record<string, string>> = {
  DUPLICATE_KEY: 'remove or rename one of the duplicate keys',
  BAD_INDENT: 'indent the entry like its siblings (YAML uses spaces for structure)',
  TAB_AS_INDENT: 'indent with spaces, never tabs',
  MULTIPLE_DOCS: 'keep one YAML document per file (remove the `---` separator)',
  MISSING_CHAR: 'add the missing closing quote or bracket',
  BLOCK_AS_IMPLICIT_KEY: 'put a space after the colon, or quote the key',
  MULTILINE_IMPLICIT_KEY: 'write the key on one line, or quote the value',
};

/**
 * Parses YAML 1.2 (core schema: an unquoted `2022-10-03` stays a string) keeping the position
 * of every node. Malformed YAML gives QUANTA_YAML_MALFORMED findings at the parser's position.
 *
 * Most files are well formed and never asked for a position, so the data comes from js-yaml,
 * about three times faster, and the document with positions (`yaml`) is built only when a
 * line and column are first read. Files with anchors, and files js-yaml refuses, take the
 * `yaml` path at once: it bounds alias expansion and explains errors with their positions.
 */
export function parseYaml(text: string, file: string): YamlParseResult {
  const data = hasAnchor(text) ? undefined : loadQuickly(text);
  if (data === undefined) return parseWithPositions(text, file);
  let positioned: Locate | undefined;
  const locateNow: Locate = (path, options) => {
    positioned ??= parseWithPositions(text, file).source?.locate ?? (() => ({ file, line: 1, col: 1 }));
    return positioned(path, options);
  };
  const locate: Locate = (path, options) => lazyLocation(file, () => locateNow(path, options));
  return { source: { file, data, locate }, findings: [] };
}

function parseWithPositions(text: string, file: string): YamlParseResult {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, version: '1.2', schema: 'core', uniqueKeys: true });
  if (doc.errors.length > 0) {
    return { findings: doc.errors.map((error) => malformedFinding(error, file)) };
  }
  const data = (doc.toJS({ maxAliasCount: 1000 }) ?? null) as JsonValue;
  const position = (offset: number): SourceLocation => ({ file, ...lineCounter.linePos(offset) });
  const locate: Locate = (path, options) => position(offsetOf(doc.contents, path, options?.key === true));
  return { source: { file, data, locate }, findings: [] };
}

/** The data of a well-formed file without anchors, or undefined when js-yaml refuses it. */
function loadQuickly(text: string): JsonValue | undefined {
  try {
    return (loadFast(text, { schema: CORE_SCHEMA }) ?? null) as JsonValue;
  } catch {
    return undefined;
  }
}

/** An anchor (`&name`) anywhere outside a quoted or plain word: aliases need the bounded path. */
function hasAnchor(text: string): boolean {
  return /(^|[\s[{,:-])&[^\s]/m.test(text);
}

/** A location whose line and column are computed when first read (they are, for findings). */
function lazyLocation(file: string, compute: () => SourceLocation): SourceLocation {
  let computed: SourceLocation | undefined;
  const get = (): SourceLocation => {
    computed ??= compute();
    return computed;
  };
  return {
    file,
    get line() {
      return get().line;
    },
    get col() {
      return get().col;
    },
  };
}

function malformedFinding(error: YAMLError, file: string): Finding {
  const [start] = error.linePos ?? [];
  const message = error.message.split(' at line ')[0]?.split('\n')[0] ?? error.message;
  return {
    code: 'QUANTA_YAML_MALFORMED',
    severity: 'error',
    message: `malformed YAML: ${message}`,
    fix:
      YAML_FIXES[error.code] ?? 'fix the YAML syntax here (check indentation, colons, quotes and brackets)',
    location: { file, line: start?.line ?? 1, col: start?.col ?? 1 },
  };
}

/** The offset of the deepest node of the path that exists (the document start at worst). */
function offsetOf(root: unknown, path: JsonPath, wantKey: boolean): number {
  let node = resolveAlias(root);
  let offset = rangeStart(node);
  for (const [index, segment] of path.entries()) {
    const isLast = index === path.length - 1;
    const step = childOf(node, segment);
    if (!step) break;
    offset = isLast && wantKey && step.key ? rangeStart(step.key) : rangeStart(step.value ?? step.key);
    node = resolveAlias(step.value);
    if (!node) break;
  }
  return offset;
}

function childOf(node: unknown, segment: string | number): { key?: unknown; value: unknown } | undefined {
  if (isMap(node)) {
    const pair = node.items.find((item) => isPair(item) && keyText(item.key) === String(segment));
    return pair ? { key: pair.key, value: pair.value } : undefined;
  }
  if (isSeq(node) && typeof segment === 'number') {
    const item = node.items[segment];
    return item === undefined ? undefined : { value: item };
  }
  return undefined;
}

function keyText(key: unknown): string | undefined {
  if (isScalar(key)) return String(key.value);
  return undefined;
}

function resolveAlias(node: unknown): unknown {
  // Aliases point at their anchor; positions are those of the anchored node.
  return isAlias(node) ? (node as { source?: unknown }).source : node;
}

function rangeStart(node: unknown): number {
  const range = (node as Node | null | undefined)?.range;
  return range ? range[0] : 0;
}
