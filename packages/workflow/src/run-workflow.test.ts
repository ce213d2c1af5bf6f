import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type JsonValue, QuantaError } from '@quanta/model';
import { parseWorkflow } from './parse-workflow.ts';
import { type Block, runWorkflow, type StepJournal } from './run-workflow.ts';
import type { WorkflowDefinition } from './workflow-definition.ts';

interface Recorded {
  readonly step: string;
  readonly kind: string;
  readonly data?: JsonValue;
}

function journal(): StepJournal & { entries: Recorded[] } {
  const entries: Recorded[] = [];
  return {
    entries,
    async record(entry) {
      entries.push(entry);
    },
  };
}

const double: Block<{ factor: number }> = {
  name: 'test.double',
  description: 'multiplies n by the context factor',
  async run(args, context) {
    return Number(args.n) * context.factor;
  },
};

const failing: Block<{ factor: number }> = {
  name: 'test.fail',
  description: 'always fails',
  async run() {
    throw new QuantaError('QUANTA_INGEST_FAILED', 'no file', { fix: 'add one' });
  },
};

const blocks = new Map([double, failing].map((block) => [block.name, block]));

function definition(document: unknown): WorkflowDefinition {
  const parsed = parseWorkflow(document, { file: 'workflow.yaml' });
  assert.ok(parsed.workflow, JSON.stringify(parsed.findings));
  return parsed.workflow;
}

test('runs calls, assignments and return in order, passing results through variables', async () => {
  const recorded = journal();
  const outcome = await runWorkflow(
    definition({
      main: {
        params: ['input'],
        steps: [
          { init: { assign: [{ n: '${input.start}' }] } },
          { first: { call: 'test.double', args: { n: '${n}' }, result: 'twice' } },
          { second: { call: 'test.double', args: { n: '${twice}' }, result: 'four' } },
          { done: { return: { value: '${four}', label: 'literal ${four}' } } },
          { never: { return: 0 } },
        ],
      },
    }),
    { blocks, context: { factor: 2 }, journal: recorded, args: { start: 5 } },
  );
  assert.deepEqual(outcome, { kind: 'succeeded', result: { value: 20, label: 'literal ${four}' } });
  assert.deepEqual(
    recorded.entries.map((entry) => `${entry.step}:${entry.kind}`),
    [
      'init:started',
      'init:succeeded',
      'first:started',
      'first:succeeded',
      'second:started',
      'second:succeeded',
      'done:started',
      'done:succeeded',
    ],
  );
  assert.equal(recorded.entries[3]?.data, 10);
});

test('a failing step ends the run as a value, journaled with its error', async () => {
  const recorded = journal();
  const outcome = await runWorkflow(definition([{ load: { call: 'test.fail' } }, { after: { return: 1 } }]), {
    blocks,
    context: { factor: 1 },
    journal: recorded,
  });
  assert.equal(outcome.kind, 'failed');
  assert.equal(outcome.kind === 'failed' && outcome.step, 'load');
  assert.equal(outcome.kind === 'failed' && outcome.error.code, 'QUANTA_INGEST_FAILED');
  assert.deepEqual(
    recorded.entries.map((entry) => `${entry.step}:${entry.kind}`),
    ['load:started', 'load:failed'],
  );
});

test('an unknown call and an unassigned variable fail with a fix', async () => {
  const unknown = await runWorkflow(definition([{ x: { call: 'test.nope' } }]), {
    blocks,
    context: { factor: 1 },
    journal: journal(),
  });
  assert.equal(
    unknown.kind === 'failed' && unknown.error.fix,
    'call one of: test.double, test.fail, or a standard library function',
  );
  const unassigned = await runWorkflow(definition([{ x: { return: '${missing.field}' } }]), {
    blocks,
    context: { factor: 1 },
    journal: journal(),
  });
  assert.equal(
    unassigned.kind === 'failed' && unassigned.error.message,
    "KeyError: variable 'missing' is not assigned (at workflow.yaml, expression column 1)",
  );
});

test('stops a run that exceeds the step limit', async () => {
  const outcome = await runWorkflow(
    definition([{ a: { assign: [{ x: 1 }] } }, { b: { assign: [{ y: 2 }] } }]),
    {
      blocks,
      context: { factor: 1 },
      journal: journal(),
      maxSteps: 1,
    },
  );
  assert.equal(
    outcome.kind === 'failed' && outcome.error.message,
    'ResourceLimitError: the run exceeded 1 steps (Cloud Workflows allows 100,000): a loop that never ends?',
  );
  assert.deepEqual(outcome.kind === 'failed' && outcome.raised, {
    message: 'the run exceeded 1 steps (Cloud Workflows allows 100,000): a loop that never ends?',
    tags: ['ResourceLimitError'],
  });
});
