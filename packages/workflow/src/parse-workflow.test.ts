import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DocumentPath } from '@quanta/model';
import { parseWorkflow } from './parse-workflow.ts';

const locate = (path: DocumentPath) => ({ file: 'workflow.yaml', line: path.length, col: 1 });

test('parses a bare list of steps as main', () => {
  const parsed = parseWorkflow([{ a: { assign: [{ x: 1 }] } }, { b: { return: '${x}' } }], {
    file: 'workflow.yaml',
  });
  assert.deepEqual(parsed.findings, []);
  assert.deepEqual(parsed.workflow?.main.steps, [
    { kind: 'assign', name: 'a', path: [0, 'a'], assignments: [['x', 1]] },
    { kind: 'return', name: 'b', path: [1, 'b'], value: '${x}' },
  ]);
});

test('parses subworkflows with params and call steps', () => {
  const parsed = parseWorkflow(
    {
      main: {
        params: ['args'],
        steps: [{ load: { call: 'quanta.ingest', args: { port: 'orders' }, result: 'staged' } }],
      },
      helper: { params: [{ n: 1 }], steps: [{ done: { return: 1 } }] },
    },
    { file: 'workflow.yaml' },
  );
  assert.deepEqual(parsed.findings, []);
  assert.deepEqual(parsed.workflow?.main, {
    name: 'main',
    params: ['args'],
    steps: [
      {
        kind: 'call',
        name: 'load',
        path: ['main', 'steps', 0, 'load'],
        call: 'quanta.ingest',
        args: { port: 'orders' },
        result: 'staged',
      },
    ],
  });
  assert.deepEqual(parsed.workflow?.subworkflows.get('helper')?.params, ['n']);
});

test('reports schema violations where they are written, and gives no workflow', () => {
  const parsed = parseWorkflow(
    {
      main: {
        steps: [
          { twoKeys: { call: 'x', return: 1 }, extra: {} },
          { badCall: { call: 3 } },
          { loop: { for: { value: 'v', in: [1], steps: [] } } },
          { badAssign: { assign: [{ a: 1, b: 2 }] } },
          { typo: { asign: [{ a: 1 }] } },
        ],
      },
    },
    { file: 'workflow.yaml', locate },
  );
  assert.equal(parsed.workflow, undefined);
  assert.deepEqual(
    parsed.findings.map((finding) => [finding.code, finding.message, finding.location?.line]),
    [
      ['QUANTA_SCHEMA_VIOLATION', 'main.steps[0]: must NOT have more than 1 properties', 3],
      ['QUANTA_SCHEMA_VIOLATION', 'main.steps[1].badCall.call: must be string', 5],
      ['QUANTA_SCHEMA_VIOLATION', 'main.steps[2].loop.for.steps: must NOT have fewer than 1 items', 6],
      [
        'QUANTA_SCHEMA_VIOLATION',
        'main.steps[3].badAssign.assign[0]: must NOT have more than 1 properties',
        6,
      ],
      [
        'QUANTA_SCHEMA_VIOLATION',
        "main.steps[4].typo.asign: 'asign' is not a Cloud Workflows keyword here",
        5,
      ],
    ],
  );
});

test('a document without main is refused', () => {
  const parsed = parseWorkflow({ other: { steps: [{ a: { return: 1 } }] } }, { file: 'w.yaml' });
  assert.deepEqual(
    parsed.findings.map((finding) => [finding.message, finding.location]),
    [["the document: 'main' is required", { file: 'w.yaml', line: 1, col: 1 }]],
  );
  assert.equal(parseWorkflow('text', { file: 'w.yaml' }).findings.length, 1);
});

test('parses every step form into a typed definition', () => {
  const parsed = parseWorkflow(
    [
      {
        s: {
          switch: [{ condition: '${x}', next: 'b', steps: [{ in: { assign: [{ y: 1 }] } }] }],
          next: 'end',
        },
      },
      { l: { for: { value: 'v', index: 'i', range: [1, 3], steps: [{ x: { next: 'continue' } }] } } },
      {
        p: {
          parallel: {
            shared: ['a'],
            concurrency_limit: 2,
            exception_policy: 'continueAll',
            branches: [{ b1: { steps: [{ r: { return: 1 } }] } }, { b2: { steps: [{ r: { return: 2 } }] } }],
          },
        },
      },
      {
        t: {
          try: { call: 'http.get', args: { url: 'http://x' } },
          retry: '${http.default_retry}',
          except: { as: 'e', steps: [{ r: { raise: '${e}' } }] },
        },
      },
    ],
    { file: 'w.yaml' },
  );
  assert.deepEqual(parsed.findings, []);
  const [switchStep, forStep, parallelStep, tryStep] = parsed.workflow?.main.steps ?? [];
  assert.deepEqual(switchStep, {
    kind: 'switch',
    name: 's',
    path: [0, 's'],
    next: 'end',
    cases: [
      {
        condition: '${x}',
        path: [0, 's', 'switch', 0],
        next: 'b',
        body: {
          kind: 'steps',
          name: 's',
          path: [0, 's', 'switch', 0],
          steps: [
            {
              kind: 'assign',
              name: 'in',
              path: [0, 's', 'switch', 0, 'steps', 0, 'in'],
              assignments: [['y', 1]],
            },
          ],
        },
      },
    ],
  });
  assert.equal(forStep?.kind === 'for' && forStep.loop.index, 'i');
  assert.deepEqual(
    parallelStep?.kind === 'parallel' && [
      parallelStep.shared,
      parallelStep.isContinueAll,
      parallelStep.branches?.map((branch) => branch.name),
    ],
    [['a'], true, ['b1', 'b2']],
  );
  assert.deepEqual(tryStep?.kind === 'try' && tryStep.retry, {
    predicate: 'http.default_retry_predicate',
    maxRetries: 5,
    backoff: { initialDelay: 1, maxDelay: 60, multiplier: 1.25 },
  });
});
