import { isJsonObject, type JsonValue, QuantaError } from '@quanta/model';

/** Variables in scope while a workflow runs. */
export type Scope = ReadonlyMap<string, JsonValue>;

const WHOLE_EXPRESSION = /^\$\{(.*)\}$/s;
const PATH_SEGMENT =
  /^(?:\.([A-Za-z_][A-Za-z0-9_]*)|\[\s*(\d+)\s*\]|\[\s*"([^"]*)"\s*\]|\[\s*'([^']*)'\s*\])/;
const ROOT_NAME = /^[A-Za-z_][A-Za-z0-9_]*/;

/**
 * Resolves `${...}` values inside a JSON value. As in Cloud Workflows, only a string that is
 * entirely one `${...}` is an expression; other strings are literal text. This runner evaluates
 * variable paths (`${a}`, `${a.b}`, `${a["k"]}`, `${a[0]}`); the full expression language is
 * the workflows issue's.
 */
export function resolveValue(value: JsonValue, scope: Scope): JsonValue {
  if (typeof value === 'string') return resolveString(value, scope);
  if (Array.isArray(value)) return value.map((item) => resolveValue(item, scope));
  if (isJsonObject(value)) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, resolveValue(item, scope)]));
  }
  return value;
}

function resolveString(text: string, scope: Scope): JsonValue {
  const match = WHOLE_EXPRESSION.exec(text);
  if (!match) return text;
  return evaluatePath((match[1] ?? '').trim(), scope);
}

function evaluatePath(expression: string, scope: Scope): JsonValue {
  const root = ROOT_NAME.exec(expression)?.[0];
  if (!root) throw expressionError(expression, 'expected a variable name');
  if (!scope.has(root)) throw expressionError(expression, `variable '${root}' is not assigned`);
  let value = scope.get(root) as JsonValue;
  let rest = expression.slice(root.length).trim();
  while (rest.length > 0) {
    const segment = PATH_SEGMENT.exec(rest);
    if (!segment) throw expressionError(expression, `cannot read '${rest}'`);
    value = readMember(value, segment[1] ?? segment[3] ?? segment[4] ?? Number(segment[2]), expression);
    rest = rest.slice(segment[0].length).trim();
  }
  return value;
}

function readMember(value: JsonValue, key: string | number, expression: string): JsonValue {
  if (typeof key === 'number' && Array.isArray(value) && key < value.length) return value[key] as JsonValue;
  if (typeof key === 'string' && isJsonObject(value) && key in value) return value[key] as JsonValue;
  throw expressionError(expression, `no member ${JSON.stringify(key)}`);
}

function expressionError(expression: string, reason: string): QuantaError {
  return new QuantaError('QUANTA_WORKFLOW_FAILED', `in \${${expression}}: ${reason}`, {
    fix: 'assign the variable in an earlier step (or as a `result`) before using it',
  });
}
