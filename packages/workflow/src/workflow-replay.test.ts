import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JsonValue } from '@quanta/model';
import { parseWorkflow } from './parse-workflow.ts';
import { type Block, runWorkflow, type StepJournalEntry, type WorkflowOutcome } from './run-workflow.ts';
import { type JournaledStep, replayOfJournal } from './step-replay.ts';
import type { WorkflowDefinition } from './workflow-definition.ts';
import { fakeClock } from './workflow-test-support.ts';
import { parseWorkflowYaml } from './workflow-yaml.ts';

/** Every construct of the language that keys journal entries: loops, parallel, subworkflows, retry, jumps, switch. */
const WORKFLOW = `
main:
  params: [input]
  steps:
    - init:
        assign:
          - total: 0
          - rounds: 0
    - each:
        for:
          value: n
          index: i
          in: [1, 2, 3]
          steps:
            - double:
                call: test.effect
                args: {id: '\${"loop" + string(n)}', value: '\${n * 2}'}
                result: d
            - add:
                assign:
                  - total: \${total + d + i}
    - fan:
        parallel:
          shared: [total]
          branches:
            - left:
                steps:
                  - l1:
                      call: test.effect
                      args: {id: left, value: 100}
                      result: l
                  - ladd:
                      assign:
                        - total: \${total + l}
            - right:
                steps:
                  - r1:
                      call: helper
                      args: {x: 7}
                      result: r
                  - radd:
                      assign:
                        - total: \${total + r}
    - guarded:
        try:
          steps:
            - shaky:
                call: test.flaky
                args: {id: shaky}
                result: s
        retry:
          predicate: \${retry.always}
          max_retries: 3
          backoff: {initial_delay: 1, max_delay: 5, multiplier: 2}
    - again:
        assign:
          - rounds: \${rounds + 1}
          - total: \${total + s}
    - loop_back:
        switch:
          - condition: \${rounds < 2}
            next: again
    - done:
        return: {total: '\${total}', rounds: '\${rounds}'}
helper:
  params: [x]
  steps:
    - inner:
        call: test.effect
        args: {id: helper, value: '\${x}'}
        result: v
    - back:
        return: \${v + 1}
`;

interface Effects {
  readonly calls: string[];
  flakyFailures: number;
}

function blocks(effects: Effects): Map<string, Block<null>> {
  const effect: Block<null> = {
    name: 'test.effect',
    description: 'records a side effect and returns its value',
    async run(args) {
      effects.calls.push(String(args.id));
      return args.value ?? null;
    },
  };
  const flaky: Block<null> = {
    name: 'test.flaky',
    description: 'fails the first time it is ever called',
    async run(args) {
      if (effects.flakyFailures === 0) {
        effects.flakyFailures += 1;
        throw new Error('transient');
      }
      effects.calls.push(String(args.id));
      return 1000;
    },
  };
  return new Map([effect, flaky].map((block) => [block.name, block]));
}

function definition(): WorkflowDefinition {
  const yaml = parseWorkflowYaml(WORKFLOW, 'workflow.yaml');
  assert.deepEqual(yaml.findings, []);
  const parsed = parseWorkflow(yaml.data, { file: 'workflow.yaml', locate: yaml.locate });
  assert.ok(parsed.workflow, JSON.stringify(parsed.findings));
  return parsed.workflow;
}

/** A journal in memory that "crashes" (throws, as a killed process would stop) at entry `crashAt`. */
function crashingJournal(crashAt: number): {
  entries: (StepJournalEntry & JournaledStep)[];
  record(entry: StepJournalEntry): Promise<void>;
} {
  const entries: (StepJournalEntry & JournaledStep)[] = [];
  return {
    entries,
    async record(entry) {
      if (entries.length + 1 === crashAt) throw new Error('killed');
      entries.push({ ...entry, seq: entries.length + 1 });
    },
  };
}

async function run(options: {
  effects: Effects;
  crashAt?: number;
  replay?: ReturnType<typeof replayOfJournal>;
}): Promise<{ outcome: WorkflowOutcome; entries: (StepJournalEntry & JournaledStep)[] }> {
  const journal = crashingJournal(options.crashAt ?? Number.POSITIVE_INFINITY);
  const outcome = await runWorkflow(definition(), {
    blocks: blocks(options.effects),
    context: null,
    journal,
    clock: fakeClock(),
    ...(options.replay ? { replay: options.replay } : {}),
  });
  return { outcome, entries: journal.entries };
}

test('journal entries are keyed by a deterministic path: iterations, branches, calls, attempts, visits', async () => {
  const { outcome, entries } = await run({ effects: { calls: [], flakyFailures: 0 } });
  assert.deepEqual(outcome, { kind: 'succeeded', result: { total: 2123, rounds: 2 } });
  const paths = new Set(entries.filter((entry) => entry.kind === 'succeeded').map((entry) => entry.path));
  for (const path of [
    'main/init',
    'main/each[0]/double',
    'main/each[2]/add',
    'main/fan{left}/l1',
    'main/fan{right}/r1>helper#0/inner',
    'main/guarded@1/shaky',
    'main/again#1',
    'main/loop_back#1',
    'main/done',
  ]) {
    assert.ok(paths.has(path), `${path} in ${[...paths].join(', ')}`);
  }
  const failed = entries.filter((entry) => entry.kind === 'failed').map((entry) => entry.path);
  assert.deepEqual(failed, ['main/guarded/shaky']);
});

test('a run stopped at any journal entry resumes to the same result, never re-running a completed block call', async () => {
  const reference = await run({ effects: { calls: [], flakyFailures: 0 } });
  const total = reference.entries.length;
  for (let crashAt = 1; crashAt <= total; crashAt += 1) {
    const effects: Effects = { calls: [], flakyFailures: 0 };
    const first = await run({ effects, crashAt });
    assert.equal(first.outcome.kind, 'failed', `crash at ${crashAt}`);
    const callsBefore = effects.calls.length;
    const completedCalls = first.entries.filter(
      (entry) => entry.kind === 'succeeded' && /\/(double|l1|inner|shaky)$/.test(entry.path),
    ).length;
    const resumed = await run({ effects, replay: replayOfJournal(first.entries) });
    assert.deepEqual(resumed.outcome, reference.outcome, `crash at entry ${crashAt}`);
    const rerun = effects.calls.length - callsBefore;
    // 6 block calls succeed in a whole run; those journaled as done are not called again.
    assert.equal(rerun, 6 - completedCalls, `crash at ${crashAt}`);
  }
});

test('re-running from a chosen step replays the journal before it and executes the rest', async () => {
  const effects: Effects = { calls: [], flakyFailures: 0 };
  const original = await run({ effects });
  const cut = original.entries.find((entry) => entry.kind === 'started' && entry.step === 'guarded');
  assert.ok(cut);
  const again: Effects = { calls: [], flakyFailures: 1 };
  const rerun = await run({ effects: again, replay: replayOfJournal(original.entries, { before: cut.seq }) });
  assert.deepEqual(rerun.outcome, original.outcome);
  assert.deepEqual(again.calls, ['shaky']);
});

test('a cancelled run stops at the next step boundary', async () => {
  let steps = 0;
  const outcome = await runWorkflow(definition(), {
    blocks: blocks({ calls: [], flakyFailures: 0 }),
    context: null,
    journal: {
      async record(entry) {
        if (entry.kind === 'started') steps += 1;
      },
    },
    clock: fakeClock(),
    isCancelled: () => steps >= 3,
  });
  assert.equal(outcome.kind, 'cancelled');
  assert.equal(steps, 3);
});

test('a block over its timeout is aborted and raises a catchable TimeoutError', async () => {
  let aborted = false;
  const slow: Block<null> = {
    name: 'test.slow',
    description: 'waits until aborted',
    run: (_args, _context, control) =>
      new Promise<JsonValue>((_resolve, reject) => {
        control?.signal.addEventListener('abort', () => {
          aborted = true;
          reject(new Error('interrupted'));
        });
      }),
  };
  const yaml = parseWorkflowYaml(
    `
- t:
    try:
      call: test.slow
      args: {timeout: 5}
    except:
      as: e
      steps:
        - r:
            return: \${e.tags}
`,
    'workflow.yaml',
  );
  const parsed = parseWorkflow(yaml.data, { file: 'workflow.yaml' });
  assert.ok(parsed.workflow);
  const clock = fakeClock();
  const outcome = await runWorkflow(parsed.workflow, {
    blocks: new Map([[slow.name, slow]]),
    context: null,
    journal: { async record() {} },
    clock,
  });
  assert.deepEqual(outcome, { kind: 'succeeded', result: ['TimeoutError'] });
  assert.equal(aborted, true);
  assert.deepEqual(clock.sleeps, [5000]);
});
