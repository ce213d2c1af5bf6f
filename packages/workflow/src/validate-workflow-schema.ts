import { readFileSync } from 'node:fs';
import type { DocumentPath, Finding, JsonValue, SourceLocation } from '@quanta/model';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

/** Where a document comes from: its file and, optionally, the positions of its nodes. */
export interface SchemaSource {
  readonly file: string;
  readonly locate?: (path: DocumentPath) => SourceLocation;
}

const COMBINATORS = new Set(['oneOf', 'anyOf', 'allOf', 'if', 'then', 'else', 'not', '$ref']);
let validators: { readonly map: ValidateFunction; readonly list: ValidateFunction } | undefined;

/**
 * Validates a workflow document against the official Cloud Workflows JSON Schema (vendored in
 * `schemas/`). The schema's top-level `oneOf` is split by the document's form (map of
 * subworkflows, or bare list of steps) so that findings explain the form the author chose.
 */
export function validateWorkflowSchema(document: JsonValue, source: SchemaSource): Finding[] {
  const { map, list } = compiledValidators();
  const validate = Array.isArray(document) ? list : map;
  if (validate(document)) return [];
  return findingsOf(validate.errors ?? [], { document, source });
}

function compiledValidators(): { map: ValidateFunction; list: ValidateFunction } {
  if (validators) return validators;
  const schema = JSON.parse(
    readFileSync(new URL('../schemas/workflows.schema.json', import.meta.url), 'utf8'),
  ) as { definitions: object; oneOf: [object, object] };
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormatsModule.default(ajv);
  const definitions = argsOnlyForHttp(schema.definitions as Record<string, Record<string, unknown>>);
  validators = {
    map: ajv.compile({ definitions, ...schema.oneOf[0] }),
    list: ajv.compile({ definitions, allOf: [{ $ref: '#/definitions/stepArray' }] }),
  };
  return validators;
}

/**
 * The official schema types every `args` as those of `http.*` (`url`, `query` map, `body`...),
 * which would reject a block's own arguments (`quanta.sql`'s `query: sql/x.sql`). The one
 * adjustment: the http argument rules apply when the step calls `http.*`, as Google intends.
 */
function argsOnlyForHttp(definitions: Record<string, Record<string, unknown>>): Record<string, unknown> {
  // JSON Schema's if/then, built by key so that no object literal looks like a promise.
  const httpOnly = Object.fromEntries([
    ['if', { required: ['call'], properties: { call: { type: 'string', pattern: '^http\\.' } } }],
    ['then', { properties: { args: { $ref: '#/definitions/httpArgs' } } }],
  ]);
  return {
    ...definitions,
    httpArgs: definitions.args,
    args: { type: 'object', description: 'Arguments of the call.' },
    step: { ...definitions.step, ...httpOnly },
    condition: { ...definitions.condition, ...httpOnly },
  };
}

function findingsOf(
  errors: readonly ErrorObject[],
  at: { document: JsonValue; source: SchemaSource },
): Finding[] {
  const leaves = errors.filter((error) => !COMBINATORS.has(error.keyword));
  const deepest = leaves.filter(
    (error) => !leaves.some((other) => other.instancePath.startsWith(`${error.instancePath}/`)),
  );
  const typed = new Set(
    deepest.filter((error) => error.keyword === 'type').map((error) => error.instancePath),
  );
  const focused = deepest.filter((error) => error.keyword === 'type' || !typed.has(error.instancePath));
  const kept = focused.length > 0 ? focused : errors.slice(0, 1);
  const byPlace = new Map<string, Finding>();
  for (const error of kept) {
    const path = documentPathOf(error);
    const place = JSON.stringify(path);
    const previous = byPlace.get(place);
    const message = explain(error);
    if (previous) {
      if (!previous.message.includes(message)) {
        byPlace.set(place, { ...previous, message: `${previous.message}, or ${message}` });
      }
      continue;
    }
    byPlace.set(place, {
      code: 'QUANTA_SCHEMA_VIOLATION',
      severity: 'error',
      message: `${describe(path)}: ${message}`,
      fix: 'follow the Cloud Workflows syntax (https://cloud.google.com/workflows/docs/reference/syntax)',
      location: at.source.locate ? at.source.locate(path) : { file: at.source.file, line: 1, col: 1 },
    });
  }
  return [...byPlace.values()];
}

function documentPathOf(error: ErrorObject): DocumentPath {
  const path: (string | number)[] =
    error.instancePath === ''
      ? []
      : error.instancePath
          .slice(1)
          .split('/')
          .map((segment) => segment.replaceAll('~1', '/').replaceAll('~0', '~'))
          .map((segment) => (/^\d+$/.test(segment) ? Number(segment) : segment));
  const extra = (error.params as { additionalProperty?: unknown }).additionalProperty;
  return typeof extra === 'string' ? [...path, extra] : path;
}

function explain(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperties':
      return `'${String(params.additionalProperty)}' is not a Cloud Workflows keyword here`;
    case 'required':
      return `'${String(params.missingProperty)}' is required`;
    case 'dependencies':
      return `'${String(params.property)}' needs '${String(params.missingProperty)}'`;
    case 'enum':
      return `must be one of ${(params.allowedValues as unknown[]).map(String).join(', ')}`;
    default:
      return error.message ?? `fails the schema's '${error.keyword}' rule`;
  }
}

function describe(path: DocumentPath): string {
  if (path.length === 0) return 'the document';
  return path
    .map((segment) => (typeof segment === 'number' ? `[${segment}]` : `.${segment}`))
    .join('')
    .replace(/^\./, '');
}
