import { isJsonObject, type JsonValue } from '@quanta/model';
import { workflowError } from '../workflow-error.ts';
import {
  bytesArgument,
  bytesValue,
  defineFunction,
  describeType,
  integerArgument,
  isBytes,
  listArgument,
  mapArgument,
  numberArgument,
  type StdlibFunction,
} from './stdlib-function.ts';

/** The `json`, `map`, `list` and `math` modules. */
export const COLLECTION_FUNCTIONS: readonly StdlibFunction[] = [
  defineFunction('json.decode', { params: ['data'] }, ([data]) => {
    const text = isBytes(data ?? null) ? bytesArgument(data, 'json.decode').toString('utf8') : data;
    if (typeof text !== 'string') {
      throw workflowError('TypeError', `json.decode needs bytes or a string, got ${describeType(data)}`);
    }
    try {
      return JSON.parse(text) as JsonValue;
    } catch (error) {
      throw workflowError('ValueError', `json.decode: ${(error as Error).message}`);
    }
  }),
  defineFunction('json.encode', { params: ['data', 'indent'], required: 1 }, ([data, indent]) =>
    bytesValue(Buffer.from(encodeJson(data ?? null, indent), 'utf8')),
  ),
  defineFunction('json.encode_to_string', { params: ['data', 'indent'], required: 1 }, ([data, indent]) =>
    encodeJson(data ?? null, indent),
  ),
  defineFunction('map.get', { params: ['map', 'keys'] }, ([map, keys]) => mapGet(map ?? null, keys ?? null)),
  defineFunction('map.delete', { params: ['map', 'key'] }, ([map, key]) => {
    const copy = { ...mapArgument(map, 'map.delete') };
    if (typeof key !== 'string') throw workflowError('TypeError', 'map.delete needs a string key');
    delete copy[key];
    return copy;
  }),
  defineFunction('map.merge', { params: ['first', 'second'] }, ([first, second]) => ({
    ...mapArgument(first, 'map.merge'),
    ...mapArgument(second, 'map.merge'),
  })),
  defineFunction('map.merge_nested', { params: ['first', 'second'] }, ([first, second]) =>
    mergeNested(mapArgument(first, 'map.merge_nested'), mapArgument(second, 'map.merge_nested')),
  ),
  defineFunction('list.concat', { params: ['objs', 'val'] }, ([objs, value]) => [
    ...listArgument(objs, 'list.concat'),
    value ?? null,
  ]),
  defineFunction('list.prepend', { params: ['objs', 'val'] }, ([objs, value]) => [
    value ?? null,
    ...listArgument(objs, 'list.prepend'),
  ]),
  defineFunction('math.abs', { params: ['x'] }, ([x]) => Math.abs(numberArgument(x, 'math.abs'))),
  defineFunction('math.floor', { params: ['x'] }, ([x]) => Math.floor(numberArgument(x, 'math.floor'))),
  defineFunction('math.max', { params: ['x', 'y'] }, ([x, y]) =>
    Math.max(numberArgument(x, 'math.max'), numberArgument(y, 'math.max')),
  ),
  defineFunction('math.min', { params: ['x', 'y'] }, ([x, y]) =>
    Math.min(numberArgument(x, 'math.min'), numberArgument(y, 'math.min')),
  ),
  defineFunction('math.sqrt', { params: ['x'] }, ([x]) => {
    const value = numberArgument(x, 'math.sqrt');
    if (value < 0) throw workflowError('ValueError', 'math.sqrt of a negative number');
    return Math.sqrt(value);
  }),
];

function encodeJson(data: JsonValue, indent: JsonValue | undefined): string {
  if (indent === undefined || indent === null || indent === false) return JSON.stringify(data);
  if (indent === true) return JSON.stringify(data, null, 2);
  if (isJsonObject(indent)) {
    const prefix = typeof indent.prefix === 'string' ? indent.prefix : '';
    const spaces = typeof indent.indent === 'string' ? indent.indent : '  ';
    return JSON.stringify(data, null, spaces).replaceAll('\n', `\n${prefix}`);
  }
  return JSON.stringify(data, null, integerArgument(indent, 'json.encode indent'));
}

/** `map.get(m, "k")` or `map.get(m, ["a", "b"])`: null when any key is missing. */
function mapGet(map: JsonValue, keys: JsonValue): JsonValue {
  let value: JsonValue = mapArgument(map, 'map.get');
  for (const key of Array.isArray(keys) ? keys : [keys]) {
    if (typeof key !== 'string') throw workflowError('TypeError', 'map.get keys must be strings');
    if (!isJsonObject(value) || !Object.hasOwn(value, key)) return null;
    value = value[key] ?? null;
  }
  return value;
}

function mergeNested(
  first: Record<string, JsonValue>,
  second: Record<string, JsonValue>,
): Record<string, JsonValue> {
  const merged = { ...first };
  for (const [key, value] of Object.entries(second)) {
    const existing = merged[key];
    merged[key] = isJsonObject(existing) && isJsonObject(value) ? mergeNested(existing, value) : value;
  }
  return merged;
}
