import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { DuckDbEngine } from '@quanta/engine';
import { formatFinding, isJsonObject, type ProductSpec } from '@quanta/model';
import { parseYaml, readContract } from '@quanta/spec';
import { checkQualitySql } from './check-quality-sql.ts';

const FILE = 'domains/sales/products/orders/orders.odcs.yaml';
let dir: string;
let engine: DuckDbEngine;

before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'quanta-quality-sql-'));
  engine = await DuckDbEngine.create({ storageRoot: dir, threads: 1 });
});
after(async () => {
  await engine.close();
  await rm(dir, { recursive: true, force: true });
});

function productWith(queries: readonly string[]): ProductSpec {
  const rules = queries
    .map((query) => `      - type: sql\n        query: "${query}"\n        mustBe: 0\n`)
    .join('');
  const text = `apiVersion: v3.1.0\nkind: DataContract\nid: c\nversion: 1.0.0\nstatus: active\nschema:\n  - name: orders\n    quality:\n${rules}    properties:\n      - name: amount\n`;
  const { source } = parseYaml(text, FILE);
  assert.ok(source && isJsonObject(source.data));
  const contract = readContract(source.data, { file: FILE, locate: source.locate });
  const port = {
    name: 'orders',
    address: 'quanta://sales/orders/orders',
    contractId: 'c',
    version: '1.0.0',
    location: { file: FILE, line: 1, col: 1 },
    contract,
  };
  return { outputPorts: [port] } as unknown as ProductSpec;
}

test("bad SQL in a quality rule is rejected at validate time, at the rule's file:line:col", async () => {
  const findings = await checkQualitySql(
    productWith([
      'SELECT count(*) FROM ${table} WHERE amount < 0',
      'SELEC count(*) FROM orders',
      'SELECT count(*) FROM customers',
      "SELECT count(*) FROM read_csv('/etc/passwd')",
      'DELETE FROM orders',
    ]),
    engine,
  );
  assert.deepEqual(
    findings.map((finding) =>
      formatFinding(finding).replace(/does not parse: .*\. Fix/, 'does not parse: …. Fix'),
    ),
    [
      `${FILE}:13:16 error QUANTA_SQL_INVALID quality rule 'sql': the query does not parse: …. Fix: write one SELECT over orders (or \${table}) returning one number`,
      `${FILE}:16:16 error QUANTA_SQL_INVALID quality rule 'sql': the query reads 'customers'; a quality rule reads only its own table 'orders'. Fix: write one SELECT over orders (or \${table}) returning one number`,
      `${FILE}:19:16 error QUANTA_SQL_INVALID quality rule 'sql': the query calls the table function read_csv(). Fix: write one SELECT over orders (or \${table}) returning one number`,
      `${FILE}:22:16 error QUANTA_SQL_INVALID quality rule 'sql': the query must be a single SELECT. Fix: write one SELECT over orders (or \${table}) returning one number`,
    ],
  );
});
