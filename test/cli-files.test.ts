import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parseYaml } from '@quanta/spec';
import { EXAMPLE_MESH } from './support/example-mesh.ts';
import { jsonOf, runCli } from './support/run-cli.ts';

const STANDARDS = path.resolve(import.meta.dirname, '../packages/spec/fixtures/standards');

describe('single-file commands: contract lint, contract fmt, product lint', () => {
  let workspace: string;

  before(async () => {
    workspace = await mkdtemp(path.join(os.tmpdir(), 'quanta-files-'));
    await cp(path.join(EXAMPLE_MESH, 'domains/sales/products/orders'), workspace, { recursive: true });
  });

  after(async () => {
    await rm(workspace, { recursive: true, force: true });
  });

  test('a complete contract lints OK without a mesh', async () => {
    const lint = await runCli(['contract', 'lint', 'orders.odcs.yaml'], { cwd: workspace });
    assert.equal(lint.code, 0, lint.stdout);
    assert.equal(lint.stdout.trim(), 'orders.odcs.yaml: OK');
    const product = await runCli(['product', 'lint', 'product.odps.yaml', '--json'], { cwd: workspace });
    assert.deepEqual(jsonOf(product), { file: 'product.odps.yaml', isValid: true, findings: [] });
  });

  test('an incomplete contract gives file:line:col findings with fixes and exit 2', async () => {
    const text = await readFile(path.join(workspace, 'orders.odcs.yaml'), 'utf8');
    await writeFile(
      path.join(workspace, 'broken.odcs.yaml'),
      text.replace('        classification: public\n', ''),
    );
    const lint = await runCli(['contract', 'lint', 'broken.odcs.yaml'], { cwd: workspace });
    assert.equal(lint.code, 2);
    assert.match(
      lint.stdout,
      /^broken\.odcs\.yaml:\d+:\d+ error QUANTA_METADATA_INCOMPLETE .*currency.* Fix: /m,
    );
  });

  test('fmt is canonical, lossless and idempotent on the standard examples', async () => {
    for (const name of ['all--full-example.odcs.yaml', 'schema--all-schema-types.odcs.yaml']) {
      const file = path.join(workspace, name);
      await cp(path.join(STANDARDS, 'odcs', name), file);
      const original = dataOf(await readFile(file, 'utf8'));
      const check = await runCli(['contract', 'fmt', name, '--check'], { cwd: workspace });
      const wrote = await runCli(['contract', 'fmt', name, '--write'], { cwd: workspace });
      assert.equal(wrote.code, 0, wrote.stderr);
      assert.deepEqual(dataOf(await readFile(file, 'utf8')), original);
      const again = await runCli(['contract', 'fmt', name, '--check'], { cwd: workspace });
      assert.equal(again.code, 0, `${name} is stable after one fmt`);
      assert.match(again.stdout, /is formatted/);
      if (check.code === 0) assert.match(check.stdout, /is formatted/);
      else assert.match(check.stdout, /is not formatted/);
    }
  });

  test('the official examples that declare their version correctly lint without schema errors', async () => {
    const lint = await runCli(
      ['contract', 'lint', path.join(STANDARDS, 'odcs/schema--table-column.odcs.yaml'), '--json'],
      {
        cwd: workspace,
      },
    );
    const report = jsonOf<{ findings: { code: string }[] }>(lint);
    assert.deepEqual(
      report.findings.filter((finding) => finding.code === 'QUANTA_SCHEMA_VIOLATION'),
      [],
    );
  });
});

function dataOf(text: string): unknown {
  const parsed = parseYaml(text, 'contract.odcs.yaml');
  assert.deepEqual(parsed.findings, []);
  return parsed.source?.data;
}
