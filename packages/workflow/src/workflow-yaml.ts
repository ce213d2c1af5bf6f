import type { DocumentPath, Finding, JsonValue, SourceLocation } from '@quanta/model';
import { isMap, isPair, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';

/** A workflow file parsed with positions: its data plus a way back to `file:line:col`. */
export interface WorkflowYaml {
  readonly data?: JsonValue;
  readonly locate: (path: DocumentPath) => SourceLocation;
  readonly findings: readonly Finding[];
}

/**
 * Parses a workflow file (YAML 1.2 core schema, so JSON too) keeping every node's position.
 * The same small approach as the spec package's YAML source, kept here so that the workflow
 * package does not depend on spec: the standalone runner reads files without a mesh.
 */
export function parseWorkflowYaml(text: string, file: string): WorkflowYaml {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, version: '1.2', schema: 'core', uniqueKeys: true });
  const position = (offset: number): SourceLocation => ({ file, ...lineCounter.linePos(offset) });
  if (doc.errors.length > 0) {
    return {
      locate: () => ({ file, line: 1, col: 1 }),
      findings: doc.errors.map((error) => ({
        code: 'QUANTA_YAML_MALFORMED',
        severity: 'error',
        message: `malformed YAML: ${error.message.split('\n')[0] ?? error.message}`,
        fix: 'fix the YAML syntax here (indentation, colons, quotes, brackets)',
        location: { file, line: error.linePos?.[0]?.line ?? 1, col: error.linePos?.[0]?.col ?? 1 },
      })),
    };
  }
  const data = (doc.toJS({ maxAliasCount: 1000 }) ?? null) as JsonValue;
  return { data, locate: (path) => position(offsetOf(doc.contents, path)), findings: [] };
}

function offsetOf(root: unknown, path: DocumentPath): number {
  let node = root;
  let offset = rangeStart(node);
  for (const segment of path) {
    const child = childOf(node, segment);
    if (!child) break;
    offset = rangeStart(child.value ?? child.key);
    node = child.value;
  }
  return offset;
}

function childOf(node: unknown, segment: string | number): { key?: unknown; value: unknown } | undefined {
  if (isMap(node)) {
    const pair = node.items.find(
      (item) => isPair(item) && isScalar(item.key) && String(item.key.value) === String(segment),
    );
    return pair ? { key: pair.key, value: pair.value } : undefined;
  }
  if (isSeq(node) && typeof segment === 'number') {
    const item = node.items[segment];
    return item === undefined ? undefined : { value: item };
  }
  return undefined;
}

function rangeStart(node: unknown): number {
  return (node as Node | null | undefined)?.range?.[0] ?? 0;
}
