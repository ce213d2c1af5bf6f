import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DuckDbEngine } from '@quanta/engine';
import { type ColumnSpec, type JsonObject, type ProductSpec, QuantaError } from '@quanta/model';
import { columnSpec } from '@quanta/model/test-support';
import { checkWorkflow } from '../check-workflow.ts';
import { parseWorkflow } from '../parse-workflow.ts';
import { parseWorkflowYaml } from '../workflow-yaml.ts';
import { classifyBlock } from './classify-block.ts';
import type { ProductRunContext } from './product-run-context.ts';
import { QUANTA_BLOCKS } from './quanta-blocks.ts';

let dir: string;
let engine: DuckDbEngine;
let staged: JsonObject;
const progress: string[] = [];

function column(name: string, classification: string, tags: string[] = []): ColumnSpec {
  return columnSpec(name, { classification, tags });
}

function contextWith(columns: readonly ColumnSpec[]): ProductRunContext {
  const contract = {
    file: 'domains/crm/products/people/people.odcs.yaml',
    table: { name: 'people', columns },
  };
  const product = {
    domain: 'crm',
    name: 'people',
    address: 'quanta://crm/people',
    outputPorts: [{ name: 'people', address: 'quanta://crm/people/people', contract }],
  };
  return {
    runId: 'run-1',
    meshRoot: dir,
    product: product as unknown as ProductSpec,
    engine,
    inputs: new Map(),
    progress: { update: (message: string) => progress.push(message) },
  } as unknown as ProductRunContext;
}

before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'quanta-classify-'));
  engine = await DuckDbEngine.create({ storageRoot: path.join(dir, 'storage'), threads: 1 });
  // 2,000 people; 3% of the emails are junk, so 97% match.
  const table = await engine.transform({
    sql: `SELECT 'P' || i AS person_id,
                 CASE WHEN i % 100 < 3 THEN 'n/a' ELSE 'person' || i || '@example.com' END AS email,
                 DATE '1970-01-01' + i::INTEGER AS birth_date,
                 'team ' || (i % 7) AS team
          FROM range(2000) AS t(i)`,
    inputs: {},
    target: { domain: 'crm', runId: 'run-1', name: 'people' },
  });
  staged = { kind: 'staged', path: table.path, rowCount: table.rowCount, columns: [] };
});
after(async () => {
  await engine.close();
  await rm(dir, { recursive: true, force: true });
});

describe('quanta.classify', () => {
  test('warns about columns whose data is more sensitive than the contract declares', async () => {
    progress.length = 0;
    const context = contextWith([
      column('person_id', 'internal'),
      column('email', 'internal'),
      column('birth_date', 'restricted'),
      column('team', 'internal'),
    ]);
    const result = (await classifyBlock.run({ from: staged, port: 'people' }, context)) as JsonObject;
    assert.deepEqual(result.columns, [
      {
        name: 'email',
        sampled: 2000,
        detected: [{ kind: 'email', evidence: 'values', ratio: 0.97, matched: 1940 }],
      },
      { name: 'birth_date', sampled: 0, detected: [{ kind: 'birth-date', evidence: 'name' }] },
    ]);
    const message =
      'column `email` holds email addresses (97% of 2,000 sampled values) but is classified `internal`; ' +
      'classify it `restricted` and tag it `pii`';
    assert.deepEqual(result.findings, [
      {
        column: 'email',
        kinds: ['email'],
        declared: 'internal',
        required: 'restricted',
        missingTags: ['pii'],
        message,
      },
      {
        column: 'birth_date',
        kinds: ['birth-date'],
        declared: 'restricted',
        required: 'restricted',
        missingTags: ['pii'],
        message: 'column `birth_date` is named like birth dates but is not tagged `pii`; tag it `pii`',
      },
    ]);
    assert.ok(progress.includes(`classify quanta://crm/people/people: ${message}`));
  });

  test('a correct contract has no finding; minRatio above the share of matches ignores the kind', async () => {
    const correct = contextWith([
      column('person_id', 'internal'),
      column('email', 'restricted', ['pii', 'email']),
      column('birth_date', 'restricted', ['pii']),
      column('team', 'public'),
    ]);
    const result = (await classifyBlock.run(
      { from: staged, port: 'people', onMismatch: 'fail' },
      correct,
    )) as JsonObject;
    assert.deepEqual(result.findings, []);
    const loose = contextWith([column('email', 'internal'), column('birth_date', 'restricted', ['pii'])]);
    const strict = (await classifyBlock.run(
      { from: staged, port: 'people', minRatio: 0.99 },
      loose,
    )) as JsonObject;
    assert.deepEqual(strict.findings, []);
  });

  test('onMismatch: fail raises QUANTA_CLASSIFICATION_MISMATCH naming the columns', async () => {
    const context = contextWith([
      column('email', 'confidential', ['pii']),
      column('birth_date', 'restricted', ['pii']),
    ]);
    await assert.rejects(
      classifyBlock.run({ from: staged, port: 'people', onMismatch: 'fail' }, context),
      (error) =>
        error instanceof QuantaError &&
        error.code === 'QUANTA_CLASSIFICATION_MISMATCH' &&
        error.message.includes(
          'column `email` holds email addresses (97% of 2,000 sampled values) but is classified `confidential`; classify it `restricted`',
        ) &&
        error.details.address === 'quanta://crm/people/people',
    );
    await assert.rejects(
      classifyBlock.run({ from: staged, port: 'people', onMismatch: 'block' }, context),
      (error) => error instanceof QuantaError && error.code === 'QUANTA_WORKFLOW_FAILED',
    );
  });

  test('the static check knows its arguments and their types', () => {
    const yaml = parseWorkflowYaml(
      `
main:
  params: [staged]
  steps:
    - classify:
        call: quanta.classify
        args: {from: '\${staged}', port: people, minRatio: high, onMismatch: fail, sample: 10}
`,
      'workflow.yaml',
    );
    const parsed = parseWorkflow(yaml.data, { file: 'workflow.yaml', locate: yaml.locate });
    assert.ok(parsed.workflow);
    const messages = checkWorkflow(parsed.workflow, { blocks: QUANTA_BLOCKS }).map(
      (finding) => finding.message,
    );
    assert.deepEqual(messages, [
      `quanta.classify argument 'minRatio' must be a number, not "high"`,
      "quanta.classify has no argument 'sample'",
    ]);
  });
});
