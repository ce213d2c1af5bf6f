import type { JsonValue } from '@quanta/model';
import { parseDocument } from 'yaml';
import type { JsonPath } from './yaml-source.ts';

/** One change to a YAML document: set a value at a path, or append an item to a list. */
export type YamlEdit =
  | { readonly kind: 'set'; readonly path: JsonPath; readonly value: JsonValue }
  | { readonly kind: 'append'; readonly path: JsonPath; readonly value: JsonValue };

/**
 * Applies edits to a YAML text and returns the new text, keeping comments, key order and the
 * layout of everything it does not touch, so that a generated change diffs like a hand edit.
 */
export function editYaml(text: string, edits: readonly YamlEdit[]): string {
  const document = parseDocument(text);
  for (const edit of edits) {
    if (edit.kind === 'set') document.setIn(edit.path, document.createNode(edit.value));
    else if (document.hasIn(edit.path)) document.addIn(edit.path, document.createNode(edit.value));
    else document.setIn(edit.path, document.createNode([edit.value]));
  }
  return document.toString();
}
