/**
 * Measures ingest + audit + publish of landing CSV files against a raw DuckDB
 * `CREATE TABLE AS SELECT * FROM read_csv(...)` of the same files, interleaved, and prints the
 * median and best ratio. Generate data first, e.g.
 * `npx node packages/datagen/src/main.ts /tmp/mesh --orders 2000000 --ragged 5 --wrong-type 5 --missing-required 5`,
 * then `npx node packages/engine/bench/ingest-ratio.ts /tmp/mesh/landing/sales/orders [runs]`.
 */
import { mkdir, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import type { ColumnSpec } from '@quanta/model';
import { DuckDbEngine } from '../src/index.ts';

const [landing = '/tmp/mesh/landing/sales/orders', runsText = '5'] = process.argv.slice(2);
const files = (await readdir(landing))
  .filter((name) => name.endsWith('.csv'))
  .sort()
  .map((name) => path.join(landing, name));
const work = path.join(tmpdir(), 'quanta-ingest-ratio');

function column(name: string, logicalType: string, extra: Partial<ColumnSpec> = {}): ColumnSpec {
  return { name, logicalType, required: false, unique: false, primaryKey: false, tags: [], ...extra };
}

const columns: ColumnSpec[] = [
  column('order_id', 'string', { required: true, primaryKey: true }),
  column('customer_id', 'string', { required: true }),
  column('order_date', 'date', { required: true }),
  column('status', 'string', { enumValues: ['placed', 'shipped', 'delivered', 'cancelled', 'returned'] }),
  column('channel', 'string'),
  column('campaign_id', 'string'),
  column('quantity', 'integer', { physicalType: 'integer', required: true }),
  column('unit_price', 'number', { physicalType: 'decimal(12,2)' }),
  column('amount', 'number', { physicalType: 'decimal(12,2)' }),
  column('currency', 'string', { maxLength: 3 }),
];

async function rawSeconds(): Promise<number> {
  const file = path.join(work, 'raw.duckdb');
  await rm(file, { force: true });
  const started = performance.now();
  const instance = await DuckDBInstance.create(file, { threads: '2' });
  const connection = await instance.connect();
  const list = files.map((name) => `'${name}'`).join(', ');
  await connection.run(
    `CREATE TABLE t AS SELECT * FROM read_csv([${list}], header = true, ignore_errors = true)`,
  );
  connection.closeSync();
  instance.closeSync();
  return (performance.now() - started) / 1000;
}

async function platformSeconds(run: number): Promise<{ seconds: number; rows: number; quarantined: number }> {
  const engine = await DuckDbEngine.create({ storageRoot: path.join(work, 'storage'), threads: 2 });
  const started = performance.now();
  const target = { domain: 'sales', runId: `run-${run}`, name: 'orders' };
  const staged = await engine.ingest({ files, format: 'csv', columns, target });
  const audit = await engine.audit(staged, columns);
  if (!audit.passed) throw new Error(JSON.stringify(audit.checks.filter((check) => !check.passed)));
  await engine.promote(staged, {
    domain: 'sales',
    product: 'orders',
    port: 'orders',
    snapshotId: `s-${run}`,
  });
  const seconds = (performance.now() - started) / 1000;
  await engine.close();
  return { seconds, rows: staged.rowsIn, quarantined: staged.quarantinedRows };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((left, right) => left - right);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

await rm(work, { recursive: true, force: true });
await mkdir(work, { recursive: true });
const raw: number[] = [];
const platform: number[] = [];
let rows = 0;
for (let run = 0; run < Number(runsText); run++) {
  raw.push(await rawSeconds());
  const result = await platformSeconds(run);
  platform.push(result.seconds);
  rows = result.rows;
  console.log(
    `run ${run}: raw ${raw.at(-1)?.toFixed(2)}s, platform ${result.seconds.toFixed(2)}s (${result.quarantined} quarantined)`,
  );
}
console.log(
  `${rows} rows: raw median ${median(raw).toFixed(2)}s, platform median ${median(platform).toFixed(2)}s, ` +
    `ratio of medians ${(median(platform) / median(raw)).toFixed(2)}, best/best ${(Math.min(...platform) / Math.min(...raw)).toFixed(2)}`,
);
await rm(work, { recursive: true, force: true });
