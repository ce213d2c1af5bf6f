import { randomUUID } from 'node:crypto';
import type { RelationFile } from '@quanta/engine';
import { isJsonObject, type JsonObject, QuantaError } from '@quanta/model';
import { portColumnLineage, portColumnLineageJson } from '../lineage/column-lineage-facet.ts';
import type { Block } from '../run-workflow.ts';
import { requireString } from './block-arguments.ts';
import { signalOf, stagedHandle, stagedTableOf } from './handles.ts';
import type { ProductRunContext } from './product-run-context.ts';

/** `quanta.sql`: a transform reading input ports by name, each at its pinned snapshot. */
export const sqlBlock: Block<ProductRunContext> = {
  name: 'quanta.sql',
  description:
    "Runs a SQL transform (a file under sql/ or inline SQL) reading the product's input ports by name, " +
    'each pinned to the snapshot current at run start, and earlier results passed in `inputs`. ' +
    'Args: query, inputs?, as?. Result: a staged-table handle.',
  args: {
    query: {
      type: 'string',
      required: true,
      description: 'a file under sql/ (ending in .sql) or inline SQL',
    },
    inputs: { type: 'map', required: false, description: 'names → staged-table handles of earlier steps' },
    as: { type: 'string', required: false, description: 'the name of the staged result' },
  },
  async run(args, context, control) {
    const query = requireString(args, 'query', 'quanta.sql');
    const sql = sqlText(query, context);
    const name = typeof args.as === 'string' ? args.as : `sql-${randomUUID()}`;
    context.progress.update(`transforming with ${query.endsWith('.sql') ? query : 'inline SQL'}`);
    const staged = await context.engine.transform(
      {
        sql,
        inputs: relationsFor(args, context),
        target: { domain: context.product.domain, runId: context.runId, name },
      },
      signalOf(control),
    );
    if (!staged.columnLineage) return stagedHandle(staged);
    const ports = new Map([...context.inputs].map(([name, snapshot]) => [name, snapshot.port]));
    const lineage = portColumnLineage(staged.columnLineage, ports);
    return { ...stagedHandle(staged), columnLineage: portColumnLineageJson(lineage) };
  },
};

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
