import { isJsonObject, type JsonValue } from '@quanta/model';
import { type BinaryOperator, type Expression, parseExpression } from './expression-parser.ts';
import { WorkflowError, workflowError } from './workflow-error.ts';

/** Variables in scope while a workflow runs (a `ReadonlyMap` is one). */
export interface Scope {
  has(name: string): boolean;
  get(name: string): JsonValue | undefined;
}

/** Calls a function from inside an expression: the standard library or a subworkflow. */
export interface ExpressionFunctions {
  call(name: string, args: readonly JsonValue[]): Promise<JsonValue>;
}

/** A Cloud Workflows type name, as `type()` returns it. */
export type WorkflowTypeName = 'null' | 'boolean' | 'integer' | 'double' | 'string' | 'list' | 'map';

const WHOLE_EXPRESSION = /^\$\{(.*)\}$/s;
const PARSED = new Map<string, Expression>();
const NO_FUNCTIONS: ExpressionFunctions = {
  async call(name) {
    throw workflowError('KeyError', `unknown function '${name}'`);
  },
};

/**
 * The text inside `${...}` when the whole string is one expression, as in Cloud Workflows:
 * any other string, even one containing `${`, is literal text.
 */
export function expressionText(value: JsonValue): string | undefined {
  if (typeof value !== 'string') return undefined;
  return WHOLE_EXPRESSION.exec(value)?.[1];
}

/** Parses (once, then from a cache) the text inside `${...}`. */
export function expressionOf(text: string): Expression {
  const cached = PARSED.get(text);
  if (cached) return cached;
  const parsed = parseExpression(text);
  PARSED.set(text, parsed);
  return parsed;
}

/**
 * Resolves `${...}` values inside a JSON value (lists and maps are walked). Numbers follow
 * one rule: a JS number is an integer when `Number.isInteger` holds, a double otherwise.
 */
export async function resolveValue(
  value: JsonValue,
  scope: Scope,
  functions: ExpressionFunctions = NO_FUNCTIONS,
): Promise<JsonValue> {
  const text = expressionText(value);
  if (text !== undefined) return evaluateExpression(expressionOf(text), { scope, functions });
  if (Array.isArray(value)) {
    const items: JsonValue[] = [];
    for (const item of value) items.push(await resolveValue(item, scope, functions));
    return items;
  }
  if (isJsonObject(value)) {
    const resolved: Record<string, JsonValue> = {};
    for (const [key, item] of Object.entries(value))
      resolved[key] = await resolveValue(item, scope, functions);
    return resolved;
  }
  return value;
}

/** What an expression sees: its variables and the functions it may call. */
export interface EvaluationContext {
  readonly scope: Scope;
  readonly functions: ExpressionFunctions;
}

/** Evaluates a parsed expression. Errors are Cloud Workflows error maps with the column. */
export async function evaluateExpression(
  expression: Expression,
  context: EvaluationContext,
): Promise<JsonValue> {
  switch (expression.kind) {
    case 'literal':
      return expression.value;
    case 'variable':
      if (!context.scope.has(expression.name)) {
        throw workflowError('KeyError', `variable '${expression.name}' is not assigned`, expression.at + 1);
      }
      return context.scope.get(expression.name) ?? null;
    case 'member':
      return readKey(await evaluateExpression(expression.object, context), {
        key: expression.name,
        at: expression.at,
      });
    case 'index':
      return readIndex(await evaluateExpression(expression.object, context), {
        index: await evaluateExpression(expression.index, context),
        at: expression.index.at,
      });
    case 'call':
      return callFunction(expression, context);
    case 'unary':
      return applyUnary(expression.operator, {
        value: await evaluateExpression(expression.operand, context),
        at: expression.at,
      });
    case 'binary':
      return evaluateBinary(expression, context);
    case 'list': {
      const items: JsonValue[] = [];
      for (const item of expression.items) items.push(await evaluateExpression(item, context));
      return items;
    }
    case 'map':
      return evaluateMap(expression.entries, context);
  }
}

/** The Cloud Workflows type name of a value. */
export function typeName(value: JsonValue): WorkflowTypeName {
  if (value === null) return 'null';
  if (typeof value === 'boolean') return 'boolean';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'double';
  if (typeof value === 'string') return 'string';
  return Array.isArray(value) ? 'list' : 'map';
}

/** Deep equality, as `==` compares (an integer equals the double of the same value). */
export function isEqual(left: JsonValue, right: JsonValue): boolean {
  if (left === right) return true;
  if (Array.isArray(left) && Array.isArray(right)) {
    return left.length === right.length && left.every((item, index) => isEqual(item, right[index] ?? null));
  }
  if (isJsonObject(left) && isJsonObject(right)) {
    const keys = Object.keys(left);
    return (
      keys.length === Object.keys(right).length &&
      keys.every((key) => key in right && isEqual(left[key] ?? null, right[key] ?? null))
    );
  }
  return false;
}

async function callFunction(
  expression: Expression & { kind: 'call' },
  context: EvaluationContext,
): Promise<JsonValue> {
  const args: JsonValue[] = [];
  for (const arg of expression.args) args.push(await evaluateExpression(arg, context));
  try {
    return await context.functions.call(expression.callee, args);
  } catch (error) {
    if (error instanceof WorkflowError && error.column === undefined) {
      throw new WorkflowError(error.value, {
        column: expression.at + 1,
        ...(error.cause ? { cause: error.cause } : {}),
      });
    }
    throw error;
  }
}

async function evaluateMap(
  entries: readonly (readonly [Expression, Expression])[],
  context: EvaluationContext,
): Promise<JsonValue> {
  const map: Record<string, JsonValue> = {};
  for (const [keyExpression, valueExpression] of entries) {
    const key = await evaluateExpression(keyExpression, context);
    if (typeof key !== 'string') {
      throw workflowError(
        'TypeError',
        `map keys must be strings, got ${typeName(key)}`,
        keyExpression.at + 1,
      );
    }
    map[key] = await evaluateExpression(valueExpression, context);
  }
  return map;
}

function readKey(value: JsonValue, access: { key: string; at: number }): JsonValue {
  if (!isJsonObject(value)) {
    throw workflowError('TypeError', `cannot read '${access.key}' of a ${typeName(value)}`, access.at + 1);
  }
  if (!Object.hasOwn(value, access.key)) {
    throw workflowError('KeyError', `key not found: ${access.key}`, access.at + 1);
  }
  return value[access.key] ?? null;
}

function readIndex(value: JsonValue, access: { index: JsonValue; at: number }): JsonValue {
  const { index, at } = access;
  if (Array.isArray(value)) {
    if (typeof index !== 'number' || !Number.isInteger(index)) {
      throw workflowError('TypeError', `list indices must be integers, got ${typeName(index)}`, at + 1);
    }
    if (index < 0 || index >= value.length) {
      throw workflowError('IndexError', `list index ${index} out of range (length ${value.length})`, at + 1);
    }
    return value[index] ?? null;
  }
  if (isJsonObject(value)) {
    if (typeof index !== 'string') {
      throw workflowError('TypeError', `map keys must be strings, got ${typeName(index)}`, at + 1);
    }
    return readKey(value, { key: index, at });
  }
  throw workflowError('TypeError', `cannot index a ${typeName(value)}`, at + 1);
}

function applyUnary(operator: '-' | 'not', operand: { value: JsonValue; at: number }): JsonValue {
  const { value, at } = operand;
  if (operator === 'not') {
    if (typeof value !== 'boolean') {
      throw workflowError('TypeError', `\`not\` needs a boolean, got ${typeName(value)}`, at + 1);
    }
    return !value;
  }
  if (typeof value !== 'number') {
    throw workflowError('TypeError', `unary \`-\` needs a number, got ${typeName(value)}`, at + 1);
  }
  return value === 0 ? 0 : -value;
}

async function evaluateBinary(
  expression: Expression & { kind: 'binary' },
  context: EvaluationContext,
): Promise<JsonValue> {
  const { operator } = expression;
  const left = await evaluateExpression(expression.left, context);
  if (operator === 'and' || operator === 'or') {
    requireBoolean(left, { operator, at: expression.left.at });
    if (operator === 'and' ? !left : left) return left;
    const right = await evaluateExpression(expression.right, context);
    requireBoolean(right, { operator, at: expression.right.at });
    return right;
  }
  const right = await evaluateExpression(expression.right, context);
  return applyBinary(operator, { left, right, at: expression.at });
}

function requireBoolean(value: JsonValue, where: { operator: string; at: number }): void {
  if (typeof value !== 'boolean') {
    throw workflowError(
      'TypeError',
      `\`${where.operator}\` needs booleans, got ${typeName(value)}`,
      where.at + 1,
    );
  }
}

/** Applies an operator to two evaluated operands, with no implicit conversion. */
export function applyBinary(
  operator: BinaryOperator,
  operands: { left: JsonValue; right: JsonValue; at: number },
): JsonValue {
  const { left, right, at } = operands;
  switch (operator) {
    case '==':
      return isEqual(left, right);
    case '!=':
      return !isEqual(left, right);
    case 'in':
      return isMember(left, { container: right, at });
    case '<':
    case '<=':
    case '>':
    case '>=':
      return compare(operator, operands);
    case '+':
      if (typeof left === 'string' && typeof right === 'string') return left + right;
      return arithmetic(operator, operands);
    case '-':
    case '*':
    case '/':
    case '//':
    case '%':
      return arithmetic(operator, operands);
    case 'and':
    case 'or':
      requireBoolean(left, { operator, at });
      requireBoolean(right, { operator, at });
      return operator === 'and' ? left && right : left || right;
  }
}

function isMember(value: JsonValue, where: { container: JsonValue; at: number }): boolean {
  const { container, at } = where;
  if (Array.isArray(container)) return container.some((item) => isEqual(item, value));
  if (isJsonObject(container)) {
    if (typeof value !== 'string') {
      throw workflowError('TypeError', `\`in\` on a map needs a string key, got ${typeName(value)}`, at + 1);
    }
    return Object.hasOwn(container, value);
  }
  throw workflowError(
    'TypeError',
    `\`in\` needs a list or a map on its right, got ${typeName(container)}`,
    at + 1,
  );
}

function compare(
  operator: '<' | '<=' | '>' | '>=',
  operands: { left: JsonValue; right: JsonValue; at: number },
): boolean {
  const { left, right, at } = operands;
  const isComparable =
    (typeof left === 'number' && typeof right === 'number') ||
    (typeof left === 'string' && typeof right === 'string');
  if (!isComparable) {
    throw workflowError(
      'TypeError',
      `\`${operator}\` cannot compare ${typeName(left)} with ${typeName(right)}`,
      at + 1,
    );
  }
  switch (operator) {
    case '<':
      return left < right;
    case '<=':
      return left <= right;
    case '>':
      return left > right;
    case '>=':
      return left >= right;
  }
}

function arithmetic(
  operator: '+' | '-' | '*' | '/' | '//' | '%',
  operands: { left: JsonValue; right: JsonValue; at: number },
): number {
  const { left, right, at } = operands;
  if (typeof left !== 'number' || typeof right !== 'number') {
    throw workflowError(
      'TypeError',
      `unsupported operand types for ${operator}: ${typeName(left)} and ${typeName(right)}`,
      at + 1,
    );
  }
  if ((operator === '/' || operator === '//' || operator === '%') && right === 0) {
    throw workflowError('ZeroDivisionError', `division by zero in \`${operator}\``, at + 1);
  }
  switch (operator) {
    case '+':
      return left + right;
    case '-':
      return left - right;
    case '*':
      return left * right;
    case '/':
      return left / right;
    case '//':
      return Math.floor(left / right);
    case '%':
      return left - right * Math.floor(left / right);
  }
}
