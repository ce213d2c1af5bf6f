import { readFile } from 'node:fs/promises';
import {
  invalidSpecError,
  type JsonValue,
  QuantaError,
  type SerializedError,
  serializeError,
} from '@quanta/model';
import { QUANTA_BLOCKS } from './blocks/quanta-blocks.ts';
import { checkWorkflow } from './check-workflow.ts';
import { parseWorkflow } from './parse-workflow.ts';
import { type Block, runWorkflow } from './run-workflow.ts';
import type { LogEntry, WorkflowClock } from './stdlib/stdlib-function.ts';
import { parseWorkflowYaml } from './workflow-yaml.ts';

/** What a standalone run takes besides the file. */
export interface RunWorkflowFileOptions {
  readonly args?: JsonValue;
  /** What `sys.get_env` reads; the caller decides what to expose (never all of process.env by default). */
  readonly env?: Readonly<Record<string, string>>;
  readonly clock?: WorkflowClock;
  readonly log?: (entry: LogEntry) => void;
  readonly maxSteps?: number;
}

/** The result of a standalone run, in the shape of a Cloud Workflows execution. */
export type WorkflowFileRun =
  | { readonly state: 'SUCCEEDED'; readonly result: JsonValue }
  | {
      readonly state: 'FAILED';
      readonly error: JsonValue;
      readonly failure: SerializedError;
      readonly step: string;
    };

/**
 * Runs a workflow file on its own, with no mesh: the standard library and `http.*` work, and
 * `quanta.*` blocks fail with an error saying they need a product. Invalid files (YAML,
 * schema, static checks) throw a QuantaError carrying every finding with `file:line:col`.
 */
export async function runWorkflowFile(
  file: string,
  options: RunWorkflowFileOptions = {},
): Promise<WorkflowFileRun> {
  const text = await readFile(file, 'utf8').catch((error: unknown) => {
    throw new QuantaError('QUANTA_NOT_FOUND', `cannot read ${file}`, { cause: error, fix: 'check the path' });
  });
  const yaml = parseWorkflowYaml(text, file);
  if (yaml.findings.length > 0) throw invalidSpecError(yaml.findings);
  const parsed = parseWorkflow(yaml.data, { file, locate: yaml.locate });
  if (!parsed.workflow) throw invalidSpecError(parsed.findings);
  const findings = checkWorkflow(parsed.workflow, { blocks: PRODUCT_ONLY_BLOCKS });
  if (findings.length > 0) throw invalidSpecError(findings);
  const outcome = await runWorkflow(parsed.workflow, {
    blocks: PRODUCT_ONLY_BLOCKS,
    context: null,
    journal: { async record() {} },
    args: options.args ?? null,
    ...(options.env ? { env: options.env } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.log ? { log: options.log } : {}),
    ...(options.maxSteps === undefined ? {} : { maxSteps: options.maxSteps }),
  });
  if (outcome.kind === 'succeeded') return { state: 'SUCCEEDED', result: outcome.result };
  if (outcome.kind === 'cancelled') {
    const failure = serializeError(new QuantaError('QUANTA_WORKFLOW_FAILED', 'the run was cancelled'));
    return { state: 'FAILED', error: failure.message, failure, step: outcome.step };
  }
  return {
    state: 'FAILED',
    error: outcome.raised ?? outcome.error.message,
    failure: outcome.error,
    step: outcome.step,
  };
}

/** The `quanta.*` blocks as the standalone runner sees them: known (so checks pass), but needing a product. */
const PRODUCT_ONLY_BLOCKS: ReadonlyMap<string, Block<null>> = new Map(
  [...QUANTA_BLOCKS.values()].map((block): [string, Block<null>] => [
    block.name,
    {
      name: block.name,
      description: block.description,
      ...(block.args ? { args: block.args } : {}),
      async run() {
        throw new QuantaError('QUANTA_WORKFLOW_FAILED', `${block.name} needs a data product to run in`, {
          fix: 'run the product with `quanta run <domain>/<product>`; `quanta workflow run` has only the standard library and http',
        });
      },
    },
  ]),
);
