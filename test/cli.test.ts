import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { jsonOf, runCli } from './support/run-cli.ts';

describe('the README walk-through with the quanta command', () => {
  let workspace: string;
  let mesh: string;

  before(async () => {
    workspace = await mkdtemp(path.join(os.tmpdir(), 'quanta-cli-'));
    mesh = path.join(workspace, 'my-mesh');
  });

  after(async () => {
    await rm(workspace, { recursive: true, force: true });
  });

  test('init, domain create and product create scaffold a valid mesh', async () => {
    const init = await runCli(['init', 'my-mesh', '--json'], { cwd: workspace });
    assert.equal(init.code, 0, init.stderr);
    assert.ok(jsonOf<{ files: string[] }>(init).files.includes('quanta.yaml'));
    const domain = await runCli(['domain', 'create', 'customers', '--owner', 'data-owner@example.com'], {
      cwd: mesh,
    });
    assert.equal(domain.code, 0, domain.stderr);
    assert.match(domain.stdout, /domains\/customers\/domain\.yaml/);
    const product = await runCli(['product', 'create', 'customers/customer-profile'], { cwd: mesh });
    assert.equal(product.code, 0, product.stderr);
    const validate = await runCli(['validate'], { cwd: mesh });
    assert.equal(validate.stdout.trim(), 'OK', validate.stderr);
    assert.equal(validate.code, 0);
  });

  test('plan shows the creations, apply deploys them, a second plan shows none', async () => {
    const plan = await runCli(['plan'], { cwd: mesh });
    assert.equal(plan.code, 0, plan.stderr);
    assert.match(plan.stdout, /\+ port quanta:\/\/customers\/customer-profile\/profiles/);
    assert.match(plan.stdout, /Plan: 3 to create, 0 to update, 0 to remove\./);
    const apply = await runCli(['apply', '--json'], { cwd: mesh });
    assert.equal(apply.code, 0, apply.stderr);
    assert.equal(jsonOf<{ result: { created: number } }>(apply).result.created, 3);
    const again = await runCli(['plan'], { cwd: mesh });
    assert.match(again.stdout, /No changes/);
  });

  test('run publishes the product, query and catalog read it', async () => {
    const run = await runCli(['run', 'customers/customer-profile', '--json'], { cwd: mesh });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(jsonOf<{ runs: { state: string }[] }>(run).runs[0]?.state, 'succeeded');
    const query = await runCli(
      ['query', 'select * from customers.customer_profile.profiles order by id limit 5', '--format', 'csv'],
      {
        cwd: mesh,
      },
    );
    assert.equal(query.code, 0, query.stderr);
    assert.equal(query.stdout, 'id,name\n1,first\n2,second\n3,third\n');
    const list = await runCli(['catalog', 'list', '--json'], { cwd: mesh });
    const entries = jsonOf<{ entries: { address: string; currentVersion: number; rowCount: number }[] }>(
      list,
    ).entries;
    assert.deepEqual(
      entries.map((entry) => [entry.address, entry.currentVersion, entry.rowCount]),
      [['quanta://customers/customer-profile/profiles', 1, 3]],
    );
    const show = await runCli(['catalog', 'show', 'quanta://customers/customer-profile/profiles'], {
      cwd: mesh,
    });
    assert.equal(show.code, 0, show.stderr);
    assert.match(show.stdout, /snapshot @1: 3 rows \(0 quarantined\)/);
    const lineage = await runCli(['lineage'], { cwd: mesh });
    assert.equal(lineage.stdout, 'customers/customer-profile ──▶ customers/customer-profile/profiles\n');
  });

  test('a broken contract gives file:line:col, a fix, and the exit code of the error table', async () => {
    const contract = path.join(mesh, 'domains/customers/products/customer-profile/profiles.odcs.yaml');
    await writeFile(contract, 'apiVersion: v3.1.0\nkind: DataContract\nid: x\n  version: [\n');
    const validate = await runCli(['validate'], { cwd: mesh });
    assert.equal(validate.code, 2);
    assert.match(
      validate.stdout,
      /domains\/customers\/products\/customer-profile\/profiles\.odcs\.yaml:\d+:\d+ error QUANTA_YAML_MALFORMED/,
    );
    const json = await runCli(['validate', '--json'], { cwd: mesh });
    const report = jsonOf<{ isValid: boolean; findings: { code: string; fix?: string }[] }>(json);
    assert.equal(report.isValid, false);
    assert.ok(report.findings.every((finding) => finding.fix));
    const apply = await runCli(['apply'], { cwd: mesh });
    assert.equal(apply.code, 2);
  });

  test('every command answers --help, and usage errors exit 64', async () => {
    for (const command of [
      [],
      ['init'],
      ['validate'],
      ['plan'],
      ['apply'],
      ['run'],
      ['query'],
      ['catalog', 'list'],
      ['contract', 'lint'],
    ]) {
      const help = await runCli([...command, '--help'], { cwd: workspace });
      assert.equal(help.code, 0, `${command.join(' ')}: ${help.stderr}`);
      assert.match(help.stdout, /Usage: quanta/);
    }
    const unknown = await runCli(['frobnicate'], { cwd: workspace });
    assert.equal(unknown.code, 64);
    const outside = await runCli(['validate', '--json'], { cwd: workspace });
    assert.equal(outside.code, 2);
    assert.equal(jsonOf<{ error: { code: string } }>(outside).error.code, 'QUANTA_SPEC_NOT_FOUND');
  });
});
