import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { QuantaError } from '@quanta/model';
import { runWorkflowFile } from './run-workflow-file.ts';

const BIN = path.resolve(import.meta.dirname, '../../cli/src/bin.ts');

async function workflowFile(text: string): Promise<string> {
  const folder = await mkdtemp(path.join(tmpdir(), 'quanta-workflow-'));
  const file = path.join(folder, 'workflow.yaml');
  await writeFile(file, text);
  return file;
}

function cli(file: string, args: string): { status: number | null; stdout: string } {
  const run = spawnSync(process.execPath, [BIN, 'workflow', 'run', file, '--args', args, '--json'], {
    encoding: 'utf8',
  });
  return { status: run.status, stdout: run.stdout };
}

const GREETING = `main:
  params: [args]
  steps:
    - check:
        switch:
          - condition: \${not ("name" in args)}
            raise: {message: name is required, code: 400}
    - done:
        return: \${"Hello, " + args.name}
`;

test('runWorkflowFile runs a file standalone and reports quanta blocks as needing a product', async () => {
  assert.deepEqual(await runWorkflowFile(await workflowFile(GREETING), { args: { name: 'Ann' } }), {
    state: 'SUCCEEDED',
    result: 'Hello, Ann',
  });
  const blocked = await runWorkflowFile(
    await workflowFile('- b:\n    call: quanta.sql\n    args:\n      query: select 1\n'),
  );
  assert.equal(blocked.state, 'FAILED');
  assert.equal(
    blocked.state === 'FAILED' && blocked.failure.message,
    'quanta.sql needs a data product to run in',
  );
});

test('an invalid file throws every finding with file:line:col', async () => {
  const file = await workflowFile('main:\n  steps:\n    - a:\n        retrun: 1\n');
  await assert.rejects(runWorkflowFile(file), (error: unknown) => {
    assert.ok(error instanceof QuantaError);
    assert.deepEqual(
      error.details.findings?.map((finding) => [
        finding.message,
        finding.location?.line,
        finding.location?.col,
      ]),
      [["main.steps[0].a.retrun: 'retrun' is not a Cloud Workflows keyword here", 4, 17]],
    );
    return true;
  });
});

test('quanta workflow run prints the execution as JSON with the exit code', async () => {
  const file = await workflowFile(GREETING);
  const ok = cli(file, '{"name": "Bob"}');
  assert.equal(ok.status, 0);
  assert.deepEqual(JSON.parse(ok.stdout), { state: 'SUCCEEDED', result: 'Hello, Bob', error: null });
  const failed = cli(file, '{}');
  assert.equal(failed.status, 9);
  assert.deepEqual(JSON.parse(failed.stdout), {
    state: 'FAILED',
    result: null,
    error: { message: 'name is required', code: 400 },
  });
});
