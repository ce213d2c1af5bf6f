import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { QuantaError } from '@quanta/model';
import { createDomain, createProduct, initMesh } from '@quanta/services';
import { type CatalogStore, openCatalogStore } from '@quanta/store';
import { PostgresTestServer } from '@quanta/store/test-support';
import { parseWorkflow, runWorkflow, type StepJournal } from '@quanta/workflow';
import type { BenchResult, Figure } from './bench-result.ts';

const BIN = path.resolve(import.meta.dirname, '../packages/cli/src/bin.ts');
const EMBEDDED_STEPS = 2_000;
const POSTGRES_STEPS = 500;
const RUNS_PER_WORKER_BENCH = 8;
const STEPS_PER_RUN = 150;

/**
 * Workflow step overhead: a loop of no-op `assign` steps journaled under a lease (start and
 * success entries, each a fenced transaction with the variables after the step) against the
 * same loop with a journal that records nothing; embedded and PostgreSQL. Then steps per second
 * with 1, 2 and 4 `quanta worker` processes on PostgreSQL (from the first to the last journal
 * entry, so process start-up is not counted).
 */
export async function benchWorkflow(): Promise<BenchResult> {
  const folder = await mkdtemp(path.join(os.tmpdir(), 'quanta-bench-workflow-'));
  const figures: Figure[] = [];
  let notes = '';
  try {
    const embedded = await openCatalogStore({ embeddedPath: path.join(folder, 'catalog.sqlite') });
    const embeddedMs = await stepOverhead(embedded, EMBEDDED_STEPS);
    figures.push(
      { label: 'no-op step, no journal (baseline)', value: embeddedMs.baseline * 1000, unit: 'µs/step' },
      { label: 'journaled no-op step, embedded', value: embeddedMs.journaled, unit: 'ms/step' },
    );
    const availability = await PostgresTestServer.connect();
    if (availability.isReachable) {
      const server = availability.server;
      try {
        const postgres = await openCatalogStore({ databaseUrl: server.createSchemaUrl() });
        const postgresMs = await stepOverhead(postgres, POSTGRES_STEPS);
        figures.push({
          label: 'journaled no-op step, PostgreSQL',
          value: postgresMs.journaled,
          unit: 'ms/step',
        });
        for (const workers of [1, 2, 4]) {
          const rate = await workerThroughput({ folder, databaseUrl: server.createSchemaUrl(), workers });
          figures.push({
            label: `steps/s with ${workers} worker process(es), PostgreSQL`,
            value: rate,
            unit: 'steps/s',
          });
        }
      } finally {
        await server.close();
      }
    } else notes = `PostgreSQL figures skipped: ${availability.reason}`;
    const embeddedFigure = figures.find((figure) => figure.label === 'journaled no-op step, embedded');
    return {
      name: 'workflow',
      figures,
      ratio: {
        label: 'journaled step overhead, embedded (ms; target ≤ 1, PostgreSQL ≤ 10)',
        value: embeddedFigure?.value ?? 0,
        target: '≤ 1 ms embedded, ≤ 10 ms PostgreSQL',
      },
      ...(notes ? { notes } : {}),
    };
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

/** Milliseconds per step of a no-op loop: journaled under a lease, and with a journal that does nothing. */
async function stepOverhead(
  store: CatalogStore,
  steps: number,
): Promise<{ journaled: number; baseline: number }> {
  try {
    const parsed = parseWorkflow(
      {
        main: {
          steps: [
            { init: { assign: [{ total: 0 }] } },
            {
              loop: {
                for: {
                  value: 'i',
                  range: [1, steps],
                  steps: [{ add: { assign: [{ total: '${total + i}' }] } }],
                },
              },
            },
          ],
        },
      },
      { file: 'bench.yaml' },
    );
    if (!parsed.workflow) throw new QuantaError('QUANTA_INTERNAL', 'the bench workflow does not parse');
    const workflow = parsed.workflow;
    const run = async (journal: StepJournal): Promise<number> => {
      const started = performance.now();
      const outcome = await runWorkflow(workflow, { blocks: new Map(), context: null, journal });
      if (outcome.kind !== 'succeeded') throw new QuantaError('QUANTA_INTERNAL', JSON.stringify(outcome));
      return (performance.now() - started) / steps;
    };
    const baseline = await run({ async record() {} });
    await store.runQueue.enqueueRun({ id: 'bench-run', product: 'bench.product', request: {} });
    const claimed = await store.runQueue.claimRun({ worker: 'bench', leaseMs: 60_000 });
    if (!claimed) throw new QuantaError('QUANTA_INTERNAL', 'the bench run was not claimed');
    const journaled = await run({
      record: async (entry) => {
        await store.runQueue.appendLeasedStepEvent(claimed.lease, entry);
      },
    });
    return { journaled: journaled - baseline, baseline };
  } finally {
    await store.close();
  }
}

/** Steps per second that `workers` worker processes journal through queued runs of a no-op loop. */
async function workerThroughput(options: {
  folder: string;
  databaseUrl: string;
  workers: number;
}): Promise<number> {
  const root = path.join(options.folder, `mesh-${options.workers}`);
  await initMesh(root, { name: 'bench' });
  await createDomain(root, { name: 'bench', owner: 'bench@example.com' });
  await createProduct(root, { name: 'bench/loop' });
  await writeFile(
    path.join(root, 'domains/bench/products/loop/workflow.yaml'),
    `main:
  steps:
    - init:
        assign:
          - total: 0
    - loop:
        for:
          value: i
          range: [1, ${STEPS_PER_RUN}]
          steps:
            - add:
                assign:
                  - total: \${total + i}
    - done:
        return: \${total}
`,
  );
  const env = { ...process.env, QUANTA_DATABASE_URL: options.databaseUrl, NO_COLOR: '1' };
  await cli(['apply'], { cwd: root, env });
  for (let run = 0; run < RUNS_PER_WORKER_BENCH; run += 1)
    await cli(['run', 'bench/loop', '--queue'], { cwd: root, env });
  await Promise.all(
    Array.from({ length: options.workers }, (_, index) =>
      cli(['worker', '--drain', '--poll', '0.05', '--name', `bench-${index}`], { cwd: root, env }),
    ),
  );
  const store = await openCatalogStore({ databaseUrl: options.databaseUrl });
  try {
    const runs = await store.listRuns();
    const events = (await Promise.all(runs.map((run) => store.listStepEvents(run.id)))).flat();
    const times = events.map((event) => Date.parse(event.at));
    const steps = events.filter((event) => event.kind === 'succeeded').length;
    return steps / ((Math.max(...times) - Math.min(...times)) / 1000);
  } finally {
    await store.close();
  }
}

function cli(args: readonly string[], options: { cwd: string; env: NodeJS.ProcessEnv }): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: options.cwd,
      env: options.env,
      stdio: 'ignore',
    });
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`quanta ${args.join(' ')} exited with ${code}`)),
    );
  });
}
