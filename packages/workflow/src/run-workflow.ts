import {
  type JsonObject,
  type JsonValue,
  QuantaError,
  type SerializedError,
  serializeError,
} from '@quanta/model';
import { resolveValue } from './evaluate-expression.ts';
import type { Step, WorkflowDefinition } from './workflow-definition.ts';

/** A building block a workflow calls, such as `quanta.ingest`. */
export interface Block<Context> {
  readonly name: string;
  /** One line saying what the block does, for `--help` and the docs. */
  readonly description: string;
  run(args: JsonObject, context: Context): Promise<JsonValue>;
}

/** Where a run records each step's start, result and error. */
export interface StepJournal {
  record(entry: { step: string; kind: 'started' | 'succeeded' | 'failed'; data?: JsonValue }): Promise<void>;
}

/** How a workflow run ended: a value, never thrown. */
export type WorkflowOutcome =
  | { readonly kind: 'succeeded'; readonly result: JsonValue }
  | { readonly kind: 'failed'; readonly error: SerializedError; readonly step: string };

/** Everything a run needs besides the definition. */
export interface RunWorkflowOptions<Context> {
  readonly blocks: ReadonlyMap<string, Block<Context>>;
  readonly context: Context;
  readonly journal: StepJournal;
  readonly args?: JsonObject;
  /** Steps executed at most, as Cloud Workflows' limit (100,000 by default). */
  readonly maxSteps?: number;
}

const DEFAULT_MAX_STEPS = 100_000;

/** Runs the `main` subworkflow step by step, journaling every step. */
export async function runWorkflow<Context>(
  workflow: WorkflowDefinition,
  options: RunWorkflowOptions<Context>,
): Promise<WorkflowOutcome> {
  const scope = new Map<string, JsonValue>();
  const [argsParam] = workflow.main.params;
  if (argsParam) scope.set(argsParam, options.args ?? {});
  const maxSteps = options.maxSteps ?? DEFAULT_MAX_STEPS;
  let executed = 0;
  for (const step of workflow.main.steps) {
    executed += 1;
    if (executed > maxSteps) return stepLimitOutcome(step, maxSteps);
    await options.journal.record({ step: step.name, kind: 'started' });
    try {
      const outcome = await executeStep(step, scope, options);
      await options.journal.record({ step: step.name, kind: 'succeeded', data: outcome.value });
      if (outcome.isReturn) return { kind: 'succeeded', result: outcome.value };
    } catch (error) {
      const serialized = serializeError(error);
      await options.journal.record({ step: step.name, kind: 'failed', data: jsonOf(serialized) });
      return { kind: 'failed', error: serialized, step: step.name };
    }
  }
  return { kind: 'succeeded', result: null };
}

interface StepOutcome {
  readonly value: JsonValue;
  readonly isReturn: boolean;
}

async function executeStep<Context>(
  step: Step,
  scope: Map<string, JsonValue>,
  options: RunWorkflowOptions<Context>,
): Promise<StepOutcome> {
  switch (step.kind) {
    case 'assign':
      for (const [name, value] of step.assignments) scope.set(name, resolveValue(value, scope));
      return { value: null, isReturn: false };
    case 'return':
      return { value: resolveValue(step.value, scope), isReturn: true };
    case 'call': {
      const block = options.blocks.get(step.call);
      if (!block) throw unknownCallError(step.call, options.blocks);
      const args = resolveValue(step.args, scope) as JsonObject;
      const value = await block.run(args, options.context);
      if (step.result) scope.set(step.result, value);
      return { value, isReturn: false };
    }
  }
}

function unknownCallError<Context>(call: string, blocks: ReadonlyMap<string, Block<Context>>): QuantaError {
  return new QuantaError('QUANTA_WORKFLOW_FAILED', `unknown call '${call}'`, {
    fix: `call one of: ${[...blocks.keys()].sort().join(', ')}`,
  });
}

function stepLimitOutcome(step: Step, maxSteps: number): WorkflowOutcome {
  const error = new QuantaError('QUANTA_WORKFLOW_FAILED', `the run exceeded ${maxSteps} steps`, {
    fix: 'look for a loop that never ends, or split the work',
  });
  return { kind: 'failed', error: serializeError(error), step: step.name };
}

/** A serialized error as a JSON value for the journal. */
function jsonOf(serialized: SerializedError): JsonValue {
  return JSON.parse(JSON.stringify(serialized)) as JsonValue;
}
