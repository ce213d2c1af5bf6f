import { isJsonObject, type JsonValue } from '@quanta/model';
import { workflowError } from '../workflow-error.ts';
import {
  defineFunction,
  describeType,
  isBytes,
  mapArgument,
  type StdlibFunction,
} from './stdlib-function.ts';

const INTEGER_TEXT = /^\s*[+-]?\d+\s*$/;
const DOUBLE_TEXT = /^\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*$/;

/** The expression helpers: `default`, `if`, `keys`, `len`, `int`, `double`, `string`, `bool`, `type`. */
export const CORE_FUNCTIONS: readonly StdlibFunction[] = [
  defineFunction('default', { params: ['value', 'default'] }, ([value, fallback]) =>
    value === null || value === undefined ? (fallback ?? null) : value,
  ),
  defineFunction('if', { params: ['condition', 'if_true', 'if_false'] }, ([condition, ifTrue, ifFalse]) => {
    if (typeof condition !== 'boolean') {
      throw workflowError('TypeError', `if() needs a boolean condition, got ${describeType(condition)}`);
    }
    return (condition ? ifTrue : ifFalse) ?? null;
  }),
  defineFunction('keys', { params: ['map'] }, ([map]) => Object.keys(mapArgument(map, 'keys()'))),
  defineFunction('len', { params: ['value'] }, ([value]) => lengthOf(value)),
  defineFunction('int', { params: ['value'] }, ([value]) => toInteger(value)),
  defineFunction('double', { params: ['value'] }, ([value]) => toDouble(value)),
  defineFunction('string', { params: ['value'] }, ([value]) => toText(value)),
  defineFunction('bool', { params: ['value'] }, ([value]) => toBoolean(value)),
  defineFunction('type', { params: ['value'] }, ([value]) => describeType(value)),
];

function lengthOf(value: JsonValue | undefined): number {
  if (typeof value === 'string') return [...value].length;
  if (Array.isArray(value)) return value.length;
  if (isJsonObject(value) && !isBytes(value)) return Object.keys(value).length;
  throw workflowError('TypeError', `len() needs a string, list or map, got ${describeType(value)}`);
}

function toInteger(value: JsonValue | undefined): number {
  if (typeof value === 'number') return Math.trunc(value);
  if (typeof value === 'string') {
    if (INTEGER_TEXT.test(value)) return Number.parseInt(value, 10);
    if (DOUBLE_TEXT.test(value)) return Math.trunc(Number(value));
    throw workflowError('ValueError', `int() cannot convert '${value}'`);
  }
  throw workflowError('TypeError', `int() needs a string or a number, got ${describeType(value)}`);
}

function toDouble(value: JsonValue | undefined): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string') {
    if (DOUBLE_TEXT.test(value)) return Number(value);
    throw workflowError('ValueError', `double() cannot convert '${value}'`);
  }
  throw workflowError('TypeError', `double() needs a string or a number, got ${describeType(value)}`);
}

function toText(value: JsonValue | undefined): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw workflowError('TypeError', `string() needs a number, boolean or string, got ${describeType(value)}`);
}

function toBoolean(value: JsonValue | undefined): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value !== 0;
  if (typeof value === 'string') {
    const lowered = value.toLowerCase();
    if (lowered === 'true' || lowered === 'false') return lowered === 'true';
    throw workflowError('ValueError', `bool() cannot convert '${value}'`);
  }
  throw workflowError('TypeError', `bool() needs a boolean, number or string, got ${describeType(value)}`);
}
