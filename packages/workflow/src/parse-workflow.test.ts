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

test('reports each malformed step where it is written, and gives no workflow', () => {
  const parsed = parseWorkflow(
    {
      main: {
        steps: [
          { twoKeys: { call: 'x', return: 1 }, extra: {} },
          { badCall: { call: 3 } },
          { loop: { for: { value: 'v', in: [1], steps: [] } } },
          { badAssign: { assign: [{ a: 1, b: 2 }] } },
        ],
      },
    },
    { file: 'workflow.yaml', locate },
  );
  assert.equal(parsed.workflow, undefined);
  assert.deepEqual(
    parsed.findings.map((finding) => [finding.message, finding.location?.line]),
    [
      ['each step is a map with exactly one key: its name', 3],
      ["step 'badCall': `call` must name a function", 5],
      ["step 'loop' uses `for`, which this runner does not execute yet", 5],
      ["step 'badAssign': each assignment is one { variable: value }", 6],
    ],
  );
});

test('a document without main is refused', () => {
  const parsed = parseWorkflow({ other: { steps: [] } }, { file: 'w.yaml' });
  assert.deepEqual(
    parsed.findings.map((finding) => [finding.message, finding.location]),
    [['the workflow has no `main` subworkflow', { file: 'w.yaml', line: 1, col: 1 }]],
  );
  assert.equal(parseWorkflow('text', { file: 'w.yaml' }).findings.length, 1);
});
