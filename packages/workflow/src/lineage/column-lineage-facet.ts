import type { ColumnLineage, LineageInputField } from '@quanta/engine';
import { isJsonObject, type JsonObject, type JsonValue, parseAddress } from '@quanta/model';

/** An input port column an output column derives from, with how (DIRECT/INDIRECT and subtype). */
export interface PortLineageField {
  /** The input port's address (`quanta://d/p/port`). */
  readonly port: string;
  readonly column: string;
  readonly transformations: readonly { readonly type: string; readonly subtype: string }[];
}

/** The column lineage of a published port, in terms of input ports: what the run's handles carry. */
export interface PortColumnLineage {
  readonly fields: Readonly<Record<string, readonly PortLineageField[]>>;
  readonly dataset: readonly PortLineageField[];
}

/**
 * Maps a transform's lineage over relation names to input ports. An output column with any
 * input that is not a port (an earlier step's staged table) is left out, and so are such
 * dataset-wide inputs: lineage through a staged table is not followed, and not guessed.
 */
export function portColumnLineage(
  lineage: ColumnLineage,
  ports: ReadonlyMap<string, string>,
): PortColumnLineage {
  const toPort = (field: LineageInputField): PortLineageField | undefined => {
    const port = ports.get(field.relation);
    return port === undefined
      ? undefined
      : { port, column: field.column, transformations: field.transformations };
  };
  const fields: Record<string, PortLineageField[]> = {};
  for (const [output, inputs] of Object.entries(lineage.fields)) {
    const mapped = inputs.map(toPort);
    if (mapped.every((field) => field !== undefined)) fields[output] = mapped as PortLineageField[];
  }
  const dataset = lineage.dataset.map(toPort).filter((field) => field !== undefined);
  return { fields, dataset };
}

/** The lineage as a JSON handle field. */
export function portColumnLineageJson(lineage: PortColumnLineage): JsonObject {
  return JSON.parse(JSON.stringify(lineage)) as JsonObject;
}

/** Reads the lineage back from a handle (a journaled step result); undefined when absent or malformed. */
export function portColumnLineageOf(value: JsonValue | undefined): PortColumnLineage | undefined {
  if (!isJsonObject(value) || !isJsonObject(value.fields) || !Array.isArray(value.dataset)) return undefined;
  const fields: Record<string, PortLineageField[]> = {};
  for (const [output, inputs] of Object.entries(value.fields)) {
    if (Array.isArray(inputs)) fields[output] = inputs.flatMap(fieldOf);
  }
  return { fields, dataset: value.dataset.flatMap(fieldOf) };
}

/**
 * The OpenLineage `columnLineage` dataset facet (1-2-0): per output column its DIRECT input
 * fields, and the INDIRECT ones (filters, joins, grouping, sorting) under `dataset`.
 */
export function columnLineageFacet(lineage: PortColumnLineage, base: JsonObject): JsonObject {
  return {
    ...base,
    fields: Object.fromEntries(
      Object.entries(lineage.fields).map(([output, inputs]) => [
        output,
        { inputFields: inputs.map(inputFieldOf) },
      ]),
    ),
    dataset: lineage.dataset.map(inputFieldOf),
  };
}

function inputFieldOf(field: PortLineageField): JsonObject {
  const { domain, product = '', port = '' } = parseAddress(field.port);
  return {
    namespace: `quanta://${domain}`,
    name: `${product}/${port}`,
    field: field.column,
    transformations: field.transformations.map((transformation) => ({ ...transformation })),
  };
}

function fieldOf(value: JsonValue): PortLineageField[] {
  if (!isJsonObject(value) || typeof value.port !== 'string' || typeof value.column !== 'string') return [];
  const transformations = Array.isArray(value.transformations)
    ? value.transformations.filter(isJsonObject).map((transformation) => ({
        type: String(transformation.type),
        subtype: String(transformation.subtype),
      }))
    : [];
  return [{ port: value.port, column: value.column, transformations }];
}
