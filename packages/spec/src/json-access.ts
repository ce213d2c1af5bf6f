import { isJsonObject, type JsonObject, type JsonValue } from '@quanta/model';

/** The object at `key`, or undefined when absent or not an object. */
export function objectField(value: JsonValue | undefined, key: string): JsonObject | undefined {
  const child = isJsonObject(value) ? value[key] : undefined;
  return isJsonObject(child) ? child : undefined;
}

/** The array at `key`, or an empty array when absent or not an array. */
export function arrayField(value: JsonValue | undefined, key: string): JsonValue[] {
  const child = isJsonObject(value) ? value[key] : undefined;
  return Array.isArray(child) ? child : [];
}

/** The string at `key`; numbers are turned into text (YAML `version: 1.0` is a number). */
export function stringField(value: JsonValue | undefined, key: string): string | undefined {
  const child = isJsonObject(value) ? value[key] : undefined;
  if (typeof child === 'string') return child;
  if (typeof child === 'number') return String(child);
  return undefined;
}

/** The boolean at `key`, or `fallback`. */
export function booleanField(value: JsonValue | undefined, key: string, fallback: boolean): boolean {
  const child = isJsonObject(value) ? value[key] : undefined;
  return typeof child === 'boolean' ? child : fallback;
}

/** The number at `key`; numeric strings count. */
export function numberField(value: JsonValue | undefined, key: string): number | undefined {
  const child = isJsonObject(value) ? value[key] : undefined;
  if (typeof child === 'number') return child;
  if (typeof child === 'string' && child.trim() !== '' && Number.isFinite(Number(child)))
    return Number(child);
  return undefined;
}

/** The strings of an array field (other items are skipped). */
export function stringsField(value: JsonValue | undefined, key: string): string[] {
  return arrayField(value, key).filter((item): item is string => typeof item === 'string');
}

/** JSON text with object keys sorted at every level: equal content gives equal text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value !== 'object' || value === null) return value;
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const child = (value as Record<string, unknown>)[key];
    if (child !== undefined) sorted[key] = sortKeys(child);
  }
  return sorted;
}
