/** The parts of the JSON global that TypeScript's lib does not describe yet (Node 21+, ES2025). */
interface SourceAwareJson {
  parse(
    text: string,
    reviver: (key: string, value: unknown, context?: { source?: string }) => unknown,
  ): unknown;
  rawJSON(text: string): unknown;
}

const sourceAwareJson = JSON as unknown as SourceAwareJson;

/**
 * Parses JSON keeping every number exactly as written: numbers that a double would round
 * (DuckDB's 64-bit positions, big integer constants) come back as raw JSON, which
 * `JSON.stringify` writes out unchanged.
 */
export function parseLosslessJson(text: string): unknown {
  return sourceAwareJson.parse(text, (_key, value, context) => {
    if (typeof value !== 'number' || context?.source === undefined) return value;
    return JSON.stringify(value) === context.source ? value : sourceAwareJson.rawJSON(context.source);
  });
}
