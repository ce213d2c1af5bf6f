import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createDurableMesh } from './support/durable-mesh.ts';
import { jsonOf, runCli } from './support/run-cli.ts';

test('quanta run list and quanta run show: a run as a timeline, in text and as a Mermaid Gantt chart', async () => {
  const root = await createDurableMesh('quanta-timeline-');
  assert.equal((await runCli(['apply'], { cwd: root })).code, 0);
  assert.equal((await runCli(['run', 'sales/orders'], { cwd: root })).code, 0);
  const list = jsonOf<{ runs: { id: string; state: string }[] }>(
    await runCli(['--json', 'run', 'list', '--product', 'sales/orders'], { cwd: root }),
  );
  assert.equal(list.runs.length, 1);
  const runId = list.runs[0]?.id ?? '';

  const json = jsonOf<{ timeline: { step: string; count: number; depth: number; state: string }[] }>(
    await runCli(['--json', 'run', 'show', runId], { cwd: root }),
  );
  assert.deepEqual(
    json.timeline.map((span) => [span.step, span.depth, span.count, span.state]),
    [
      ['ingest', 0, 1, 'succeeded'],
      ['wait', 0, 1, 'succeeded'],
      ['nap', 1, 30, 'succeeded'],
      ['publish', 0, 1, 'succeeded'],
      ['done', 0, 1, 'succeeded'],
    ],
  );
  const text = await runCli(['run', 'show', runId], { cwd: root, env: { NO_COLOR: '1' } });
  assert.match(text.stdout, new RegExp(`^run ${runId} of quanta://sales/orders: succeeded`));
  assert.match(text.stdout, /^ {2}nap +█+ +[\d.]+ m?s {2}×30$/m);
  const mermaid = await runCli(['run', 'show', runId, '--format', 'mermaid'], { cwd: root });
  assert.match(mermaid.stdout, /^gantt\n/);
  assert.match(mermaid.stdout, /^ {2}nap ×30 .* :done, s2, \d+, \d+$/m);
  const missing = await runCli(['run', 'show', 'no-such-run'], { cwd: root });
  assert.notEqual(missing.code, 0);
});
