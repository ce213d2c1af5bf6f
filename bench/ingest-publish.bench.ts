import { cp, mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { generateLandingData } from '@quanta/datagen';
import { MeshService } from '@quanta/services';
import { type BenchResult, timeMs } from './bench-result.ts';

const EXAMPLE = path.resolve(import.meta.dirname, '../examples/mesh');
const ROUNDS = 2;

/**
 * Ingest-and-publish of the `sales/orders` CSV files (ingest with schema enforcement and
 * quarantine, audit, atomic publish) against raw DuckDB `CREATE TABLE AS SELECT * FROM
 * read_csv(...)` on the same files into a database file. Best of two rounds each, interleaved.
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
    const service = await MeshService.create({ root });
    const raw: number[] = [];
    const quanta: number[] = [];
    try {
      await service.apply({ appliedBy: 'bench' });
      for (let round = 0; round < ROUNDS; round += 1) {
        raw.push(await timeMs(() => rawCreateTableAs(orderFiles, path.join(root, `raw-${round}.duckdb`))));
        quanta.push(await timeMs(() => runOrders(service)));
      }
    } finally {
      await service.close();
    }
    const best = { raw: Math.min(...raw), quanta: Math.min(...quanta) };
    return {
      name: `ingest + publish sales/orders, ${options.orders.toLocaleString('en')} rows`,
      figures: [
        {
          label: 'raw DuckDB CREATE TABLE AS SELECT * FROM read_csv (baseline)',
          value: best.raw,
          unit: 'ms',
        },
        {
          label: 'Quanta run sales/orders (ingest, quarantine, audit, publish)',
          value: best.quanta,
          unit: 'ms',
        },
        { label: 'Quanta throughput', value: options.orders / (best.quanta / 1000), unit: 'rows/s' },
      ],
      ratio: { label: 'Quanta / raw DuckDB', value: best.quanta / best.raw, target: '≤ 1.30' },
      notes: `${orderFiles.length} CSV files, ${generated.orders.rows.toLocaleString('en')} rows; best of ${ROUNDS} interleaved rounds.`,
    };
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

async function runOrders(service: MeshService): Promise<void> {
  const run = await service.run('sales/orders', { trigger: 'bench' });
  if (run.state !== 'succeeded') throw new Error(`bench run ${run.state}: ${run.error?.message ?? ''}`);
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
