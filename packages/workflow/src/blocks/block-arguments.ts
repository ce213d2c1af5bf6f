import { type JsonObject, QuantaError } from '@quanta/model';

/** Reads a required string argument of a block call. */
export function requireString(args: JsonObject, name: string, block: string): string {
  const value = args[name];
  if (typeof value !== 'string' || value.length === 0) {
    throw new QuantaError('QUANTA_WORKFLOW_FAILED', `${block} needs the string argument '${name}'`, {
      fix: `add \`${name}:\` under the step's \`args\``,
    });
  }
  return value;
}

/** Reads an optional string argument. */
export function optionalString(args: JsonObject, name: string, block: string): string | undefined {
  return args[name] === undefined ? undefined : requireString(args, name, block);
}
