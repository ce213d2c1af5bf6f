import type { JsonValue } from '@quanta/model';
import { parseWorkflow } from './parse-workflow.ts';
import { type RunWorkflowOptions, runWorkflow, type WorkflowOutcome } from './run-workflow.ts';
import type { WorkflowClock } from './stdlib/stdlib-function.ts';
import { parseWorkflowYaml } from './workflow-yaml.ts';

/** A fake clock for tests: `sleep` advances time instantly and records each delay. */
export function fakeClock(start = Date.UTC(2024, 0, 1)): WorkflowClock & { readonly sleeps: number[] } {
  let now = start;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => new Date(now),
    async sleep(milliseconds) {
      sleeps.push(milliseconds);
      now += milliseconds;
    },
  };
}

/** Parses YAML workflow text (with positions) and runs it with no blocks. */
export async function runYaml(
  text: string,
  options: Partial<RunWorkflowOptions<null>> = {},
): Promise<WorkflowOutcome> {
  const yaml = parseWorkflowYaml(text, 'workflow.yaml');
  if (yaml.findings.length > 0) throw new Error(JSON.stringify(yaml.findings));
  const parsed = parseWorkflow(yaml.data, { file: 'workflow.yaml', locate: yaml.locate });
  if (!parsed.workflow) throw new Error(JSON.stringify(parsed.findings));
  return runWorkflow(parsed.workflow, {
    blocks: new Map(),
    context: null,
    journal: { async record() {} },
    clock: fakeClock(),
    ...options,
  });
}

/** The result of a run that must succeed. */
export async function resultOf(
  text: string,
  options: Partial<RunWorkflowOptions<null>> = {},
): Promise<JsonValue> {
  const outcome = await runYaml(text, options);
  if (outcome.kind !== 'succeeded') throw new Error(`failed: ${JSON.stringify(outcome)}`);
  return outcome.result;
}
