import { randomUUID } from 'node:crypto';
import type { EngineCallOptions, RelationFile, StagedTable } from '@quanta/engine';
import { isJsonObject, type JsonObject, QuantaError } from '@quanta/model';
import { portColumnLineage, portColumnLineageJson } from '../lineage/column-lineage-facet.ts';
import type { Block } from '../run-workflow.ts';
import { optionalString, requireString } from './block-arguments.ts';
import { signalOf, stagedHandle, stagedTableOf } from './handles.ts';
import { transformIncrementally } from './incremental-sql.ts';
import type { ProductRunContext } from './product-run-context.ts';

/**
 * `quanta.sql`: a transform reading input ports by name, each at its pinned snapshot. With
 * `incremental: true` it computes only the rows new since the port's current snapshot when that
 * gives the same table as a full recompute, and says which it did (ADR 018).
 */
export const sqlBlock: Block<ProductRunContext> = {
  name: 'quanta.sql',
  description:
    "Runs a SQL transform (a file under sql/ or inline SQL) reading the product's input ports by name, " +
    'each pinned to the snapshot current at run start, and earlier results passed in `inputs`. ' +
    'Args: query, inputs?, as?, incremental?, port?. Result: a staged-table handle.',
  args: {
    query: {
      type: 'string',
      required: true,
      description: 'a file under sql/ (ending in .sql) or inline SQL',
    },
    inputs: { type: 'map', required: false, description: 'names → staged-table handles of earlier steps' },
    as: { type: 'string', required: false, description: 'the name of the staged result' },
    incremental: {
      type: 'boolean',
      required: false,
      description:
        "true: when only appends reached one input since the port's current snapshot and the query distributes " +
        'over them, run it on the new rows only and append its rows to that snapshot; otherwise recompute (the ' +
        'result says which, and why)',
    },
    port: {
      type: 'string',
      required: false,
      description:
        'with incremental: the output port the result is published to (default: the only output port)',
    },
  },
  async run(args, context, control) {
    const query = requireString(args, 'query', 'quanta.sql');
    const sql = sqlText(query, context);
    const name = typeof args.as === 'string' ? args.as : `sql-${randomUUID()}`;
    const port = optionalString(args, 'port', 'quanta.sql');
    const engine = signalOf(control);
    const run = (inputs: Readonly<Record<string, RelationFile>>, as: string) =>
      runTransform({ sql, inputs, name: as, engine }, context);
    context.progress.update(`transforming with ${query.endsWith('.sql') ? query : 'inline SQL'}`);
    if (args.incremental === true) {
      return transformIncrementally({ sql, name, port, passed: passedInputs(args), run, engine }, context);
    }
    return (await run(relationsFor(args, context), name)).handle;
  },
};

/** Runs the query into a staged table; its handle carries the column lineage mapped to input ports. */
async function runTransform(
  request: {
    sql: string;
    inputs: Readonly<Record<string, RelationFile>>;
    name: string;
    engine: EngineCallOptions;
  },
  context: ProductRunContext,
): Promise<{ staged: StagedTable; handle: JsonObject }> {
  const staged = await context.engine.transform(
    {
      sql: request.sql,
      inputs: request.inputs,
      target: { domain: context.product.domain, runId: context.runId, name: request.name },
    },
    request.engine,
  );
  if (!staged.columnLineage) return { staged, handle: stagedHandle(staged) };
  const ports = new Map([...context.inputs].map(([name, snapshot]) => [name, snapshot.port]));
  const lineage = portColumnLineage(staged.columnLineage, ports);
  return { staged, handle: { ...stagedHandle(staged), columnLineage: portColumnLineageJson(lineage) } };
}

function sqlText(query: string, context: ProductRunContext): string {
  if (!query.trim().toLowerCase().endsWith('.sql')) return query;
  const file = context.product.sqlFiles.find((candidate) => candidate.name === query);
  if (!file) {
    const known = context.product.sqlFiles.map((candidate) => candidate.name).join(', ') || 'none';
    throw new QuantaError('QUANTA_WORKFLOW_FAILED', `${context.product.address} has no SQL file '${query}'`, {
      fix: `name one of the product's SQL files: ${known}`,
    });
  }
  return file.text;
}

function relationsFor(args: JsonObject, context: ProductRunContext): Record<string, RelationFile> {
  const relations: Record<string, RelationFile> = {};
  for (const [name, snapshot] of context.inputs) {
    relations[name] = { path: context.engine.resolveStoragePath(snapshot.storagePath) };
  }
  return { ...relations, ...passedInputs(args) };
}

/** The staged tables of earlier steps passed in `inputs`, by name. */
function passedInputs(args: JsonObject): Record<string, RelationFile> {
  const relations: Record<string, RelationFile> = {};
  const passed = args.inputs === undefined ? {} : args.inputs;
  if (!isJsonObject(passed)) {
    throw new QuantaError('QUANTA_WORKFLOW_FAILED', 'quanta.sql `inputs` must map names to step results', {
      fix: 'write `inputs: { raw: ${raw} }`',
    });
  }
  for (const [name, handle] of Object.entries(passed)) {
    relations[name] = { path: stagedTableOf(handle, `inputs.${name}`).path };
  }
  return relations;
}
