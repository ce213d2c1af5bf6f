import type { Finding, JsonValue } from '@quanta/model';
import type { ErrorObject } from 'ajv';
import { finding } from './finding.ts';
import type { JsonPath, YamlSource } from './yaml-source.ts';

/** Keywords that only say "a sub-schema failed": the failing sub-schema says why. */
const COMBINATOR_KEYWORDS = new Set(['if', 'then', 'else', 'oneOf', 'anyOf', 'allOf', 'not', '$ref']);
const NOISY_KEYWORDS = new Set(['unevaluatedProperties', 'unevaluatedItems']);
const MAX_ALTERNATIVES = 3;

/**
 * Turns ajv's errors into readable findings: one per offending place, keeping the deepest
 * meaningful errors and dropping the echo of combinators (`if`/`oneOf`/...) and the
 * `unevaluatedProperties` noise a failed branch leaves on its parent.
 */
export function schemaFindings(errors: readonly ErrorObject[], source: YamlSource): Finding[] {
  const meaningful = meaningfulErrors(errors);
  const byPlace = new Map<string, ErrorObject[]>();
  for (const error of meaningful) {
    const place = `${error.instancePath}|${offendingKey(error) ?? ''}`;
    byPlace.set(place, [...(byPlace.get(place) ?? []), error]);
  }
  return [...byPlace.values()].map((group) => groupFinding(group, source));
}

function meaningfulErrors(errors: readonly ErrorObject[]): ErrorObject[] {
  const leaves = errors.filter((error) => !COMBINATOR_KEYWORDS.has(error.keyword));
  const concrete = leaves.filter((error) => !NOISY_KEYWORDS.has(error.keyword));
  const kept = leaves.filter((error) => {
    if (!NOISY_KEYWORDS.has(error.keyword)) return true;
    return !concrete.some((other) => isWithin(other.instancePath, error.instancePath));
  });
  const deepest = kept.filter(
    (error) =>
      !kept.some(
        (other) =>
          other.instancePath !== error.instancePath && isWithin(other.instancePath, error.instancePath),
      ),
  );
  const first = errors[0];
  return deepest.length > 0 ? deepest : first ? [first] : [];
}

function isWithin(path: string, ancestor: string): boolean {
  return path === ancestor || path.startsWith(`${ancestor}/`);
}

function groupFinding(group: readonly ErrorObject[], source: YamlSource): Finding {
  const [first] = group as [ErrorObject, ...ErrorObject[]];
  const path = jsonPathOf(first.instancePath);
  const key = offendingKey(first);
  const where = describePath(key === undefined ? path : [...path, key]);
  const location = key === undefined ? source.locate(path) : source.locate([...path, key], { key: true });
  const explained = group.slice(0, MAX_ALTERNATIVES).map((error) => explain(error, source.data));
  const messages = [...new Set(explained.map((item) => item.message))];
  const fixes = [...new Set(explained.map((item) => item.fix))];
  return finding('QUANTA_SCHEMA_VIOLATION', location, {
    message: `${where}: ${messages.join(', or ')}`,
    fix: fixes.join('; or '),
  });
}

/** The property an error is about, when the error names one (an extra or a missing key). */
function offendingKey(error: ErrorObject): string | undefined {
  const params = error.params as Record<string, unknown>;
  const key = params.additionalProperty ?? params.unevaluatedProperty;
  return typeof key === 'string' ? key : undefined;
}

function explain(error: ErrorObject, data: JsonValue): { message: string; fix: string } {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return {
        message: `required property '${String(params.missingProperty)}' is missing`,
        fix: `add '${String(params.missingProperty)}'`,
      };
    case 'additionalProperties':
    case 'unevaluatedProperties':
      return {
        message: 'this property is not defined by the schema of the declared apiVersion',
        fix: 'remove or rename it (check its spelling and the apiVersion), or move it under customProperties',
      };
    case 'enum':
      return {
        message: `${JSON.stringify(valueAt(data, error.instancePath))} is not allowed`,
        fix: `use one of: ${(params.allowedValues as unknown[]).map(String).join(', ')}`,
      };
    case 'type':
      return {
        message: `must be ${String(params.type)}, not ${typeName(valueAt(data, error.instancePath))}`,
        fix: `write ${/^[aeiou]/.test(String(params.type)) ? 'an' : 'a'} ${String(params.type)} here`,
      };
    case 'const':
      return {
        message: `must be ${JSON.stringify(params.allowedValue)}`,
        fix: `write ${JSON.stringify(params.allowedValue)}`,
      };
    default:
      return {
        message: error.message ?? `fails the '${error.keyword}' rule`,
        fix: 'make the value match the schema',
      };
  }
}

function jsonPathOf(instancePath: string): JsonPath {
  if (instancePath === '') return [];
  return instancePath
    .slice(1)
    .split('/')
    .map((segment) => segment.replaceAll('~1', '/').replaceAll('~0', '~'))
    .map((segment) => (/^\d+$/.test(segment) ? Number(segment) : segment));
}

function valueAt(data: JsonValue, instancePath: string): JsonValue | undefined {
  let value: JsonValue | undefined = data;
  for (const segment of jsonPathOf(instancePath)) {
    if (Array.isArray(value) && typeof segment === 'number') value = value[segment];
    else if (value !== null && typeof value === 'object' && !Array.isArray(value)) value = value[segment];
    else return undefined;
  }
  return value;
}

function typeName(value: JsonValue | undefined): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/** `schema[0].properties[1].name`: a path as a reader writes it. */
export function describePath(path: JsonPath): string {
  if (path.length === 0) return 'the document';
  return path
    .map((segment, index) =>
      typeof segment === 'number' ? `[${segment}]` : index === 0 ? segment : `.${segment}`,
    )
    .join('');
}
