import { cp, mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { generateLandingData } from '@quanta/datagen';
import { MeshService } from '@quanta/services';
import { type BenchResult, timeMs } from './bench-result.ts';

const EXAMPLE = path.resolve(import.meta.dirname, '../examples/mesh');
const ROUNDS = 2;

/** What one Quanta run of sales/orders cost, in total and in its profile step. */
interface RunCost {
  readonly totalMs: number;
  readonly profileMs: number;
}

/**
 * Ingest-and-publish of the `sales/orders` CSV files through the example product's workflow
 * (the shared template: ingest with schema enforcement and quarantine, every contract clause
 * checked, profile, atomic publish), against raw DuckDB `CREATE TABLE AS SELECT * FROM
 * read_csv(...)` on the same files into a database file. Each round starts from an empty
 * catalog (the product ingests only new files). Best of two rounds each, interleaved.
 */
export async function benchIngestPublish(options: { orders: number }): Promise<BenchResult> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'quanta-bench-ingest-'));
  try {
    await cp(EXAMPLE, root, {
      recursive: true,
      filter: (source) => !/[/\\](landing|\.quanta)$/.test(source),
    });
    const generated = await generateLandingData(root, {
      seed: 7,
      orders: options.orders,
      onProgress: (done, total) =>
        process.stderr.write(`\r  generating orders ${Math.round((100 * done) / total)}%`),
    });
    process.stderr.write('\n');
    const orderFiles = await listCsv(path.join(root, 'landing/sales/orders'));
    const raw: number[] = [];
    const quanta: RunCost[] = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      raw.push(await timeMs(() => rawCreateTableAs(orderFiles, path.join(root, `raw-${round}.duckdb`))));
      quanta.push(await runOrdersFromScratch(root));
    }
    const best = {
      raw: Math.min(...raw),
      total: Math.min(...quanta.map((cost) => cost.totalMs)),
      withoutProfile: Math.min(...quanta.map((cost) => cost.totalMs - cost.profileMs)),
    };
    return {
      name: `ingest + publish sales/orders, ${options.orders.toLocaleString('en')} rows`,
      figures: [
        {
          label: 'raw DuckDB CREATE TABLE AS SELECT * FROM read_csv (baseline)',
          value: best.raw,
          unit: 'ms',
        },
        {
          label: 'Quanta run sales/orders without its profile step (ingest, quarantine, checks, publish)',
          value: best.withoutProfile,
          unit: 'ms',
        },
        { label: 'Quanta run sales/orders, whole (with the profile step)', value: best.total, unit: 'ms' },
        { label: 'whole run / raw DuckDB', value: best.total / best.raw, unit: '×' },
        {
          label: 'Quanta throughput, whole run',
          value: options.orders / (best.total / 1000),
          unit: 'rows/s',
        },
      ],
      ratio: {
        label: 'ingest + checks + publish / raw DuckDB',
        value: best.withoutProfile / best.raw,
        target: '≤ 1.30',
      },
      notes:
        `${orderFiles.length} CSV files, ${generated.orders.rows.toLocaleString('en')} rows; best of ${ROUNDS} interleaved rounds. ` +
        'The run includes validating the whole mesh, pinning inputs, the journal and the catalog commit. ' +
        'The profile step (issue 5: every snapshot is profiled) is reported apart.',
    };
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

/** A fresh catalog and storage, the upstream product the foreign key checks against, then the timed run. */
async function runOrdersFromScratch(root: string): Promise<RunCost> {
  await rm(path.join(root, '.quanta'), { recursive: true, force: true });
  const service = await MeshService.create({ root });
  try {
    await service.apply({ appliedBy: 'bench' });
    const upstream = await service.run('customers/crm-customers', { trigger: 'bench' });
    if (upstream.state !== 'succeeded') throw new Error(`bench upstream run ${upstream.state}`);
    const started = performance.now();
    const run = await service.run('sales/orders', { trigger: 'bench' });
    const totalMs = performance.now() - started;
    if (run.state !== 'succeeded') throw new Error(`bench run ${run.state}: ${run.error?.message ?? ''}`);
    const events = await service.store.listStepEvents(run.id);
    const profile = events.find((event) => event.step === 'profile' && event.kind === 'succeeded');
    return { totalMs, profileMs: profile?.durationMs ?? 0 };
  } finally {
    await service.close();
  }
}

async function rawCreateTableAs(files: readonly string[], database: string): Promise<void> {
  const instance = await DuckDBInstance.create(database);
  const connection = await instance.connect();
  try {
    const list = files.map((file) => `'${file.replaceAll("'", "''")}'`).join(', ');
    await connection.run(`CREATE TABLE orders AS SELECT * FROM read_csv([${list}], header = true)`);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

async function listCsv(dir: string): Promise<string[]> {
  return (await readdir(dir))
    .filter((file) => file.endsWith('.csv'))
    .map((file) => path.join(dir, file))
    .sort();
}
