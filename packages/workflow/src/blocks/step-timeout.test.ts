import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { DuckDbEngine } from '@quanta/engine';
import { type JsonValue, type ProductSpec, QuantaError } from '@quanta/model';
import { parseWorkflow } from '../parse-workflow.ts';
import { type Block, runWorkflow } from '../run-workflow.ts';
import { parseWorkflowYaml } from '../workflow-yaml.ts';
import type { ProductRunContext } from './product-run-context.ts';
import { sqlBlock } from './sql-block.ts';

let dir: string;
let engine: DuckDbEngine;
let context: ProductRunContext;

before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'quanta-timeout-'));
  engine = await DuckDbEngine.create({ storageRoot: path.join(dir, 'storage'), threads: 1 });
  const product = { domain: 'sales', name: 'orders', address: 'quanta://sales/orders', sqlFiles: [] };
  context = {
    runId: 'run-1',
    meshRoot: dir,
    product: product as unknown as ProductSpec,
    engine,
    inputs: new Map(),
    progress: { update() {} },
  } as unknown as ProductRunContext;
});
after(async () => {
  await engine.close();
  await rm(dir, { recursive: true, force: true });
});

/** A workflow calling `quanta.sql` once with the given args. */
function workflowOf(args: string) {
  const yaml = parseWorkflowYaml(
    `
main:
  steps:
    - build:
        call: quanta.sql
        args: ${args}
        result: built
    - done:
        return: \${built.rowCount}
`,
    'workflow.yaml',
  );
  const parsed = parseWorkflow(yaml.data, { file: 'workflow.yaml', locate: yaml.locate });
  assert.ok(parsed.workflow, JSON.stringify(parsed.findings));
  return parsed.workflow;
}

test('a quanta.sql step over its timeout fails QUANTA_STEP_TIMEOUT and DuckDB is interrupted', {
  timeout: 120_000,
}, async () => {
  // The block's own work, to see how it ended: it only ends if DuckDB was interrupted (the
  // query would otherwise scan ten trillion rows).
  let work: Promise<JsonValue> | undefined;
  const watched: Block<ProductRunContext> = {
    ...sqlBlock,
    run: (args, runContext, control) => {
      work = sqlBlock.run(args, runContext, control);
      return work;
    },
  };
  const outcome = await runWorkflow(
    workflowOf(
      `{query: 'SELECT count(*) AS n FROM range(10000000000000) AS t(i) WHERE i % 7 = 3', as: big, timeout: 0.3}`,
    ),
    { blocks: new Map([[sqlBlock.name, watched]]), context, journal: { async record() {} } },
  );
  assert.equal(outcome.kind, 'failed');
  assert.equal(outcome.kind === 'failed' && outcome.error.code, 'QUANTA_STEP_TIMEOUT');
  assert.equal(outcome.kind === 'failed' && outcome.step, 'build');
  assert.ok(work, 'the block ran');
  await assert.rejects(work, (error) => error instanceof QuantaError && error.code === 'QUANTA_INTERRUPTED');

  // The engine is still usable, and a step under its timeout succeeds.
  const next = await runWorkflow(workflowOf(`{query: 'SELECT * FROM range(5)', as: small, timeout: 600}`), {
    blocks: new Map([[sqlBlock.name, sqlBlock]]),
    context,
    journal: { async record() {} },
  });
  assert.deepEqual(next, { kind: 'succeeded', result: 5 });
});

test('an aborted run interrupts its running block and ends cancelled at that step', {
  timeout: 120_000,
}, async () => {
  const run = new AbortController();
  let work: Promise<JsonValue> | undefined;
  const watched: Block<ProductRunContext> = {
    ...sqlBlock,
    run: (args, runContext, control) => {
      work = sqlBlock.run(args, runContext, control);
      // Cancelled while the statement runs.
      setImmediate(() => run.abort());
      return work;
    },
  };
  const outcome = await runWorkflow(
    workflowOf(
      `{query: 'SELECT count(*) AS n FROM range(10000000000000) AS t(i) WHERE i % 7 = 3', as: cancelled}`,
    ),
    {
      blocks: new Map([[sqlBlock.name, watched]]),
      context,
      journal: { async record() {} },
      signal: run.signal,
    },
  );
  assert.deepEqual(outcome, { kind: 'cancelled', step: 'build' });
  await assert.rejects(
    work as Promise<JsonValue>,
    (error) => error instanceof QuantaError && error.code === 'QUANTA_INTERRUPTED',
  );
});
