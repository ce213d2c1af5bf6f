import { rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { LOCAL_ADMINISTRATOR } from '@quanta/governance';
import { MeshService } from '@quanta/services';
import { createArrivalMesh } from '../test/support/arrival-mesh.ts';
import { type BenchResult, median } from './bench-result.ts';

/** How often the scheduler evaluates the triggers (the `quanta serve --trigger-poll`). */
const POLL_MS = 100;
/** How often the bench looks for the arrived row in the published snapshot. */
const PROBE_MS = 5;
const PORT = 'quanta://sales/orders/orders';

/**
 * File arrival to readable rows: a one-row CSV lands in `landing/sales/orders/`, the trigger loop
 * of `quanta serve` (a real scheduler tick every {@link POLL_MS} ms, then the run executed in
 * process on the embedded store: incremental ingest, publish) picks it up, and the bench queries
 * the published snapshot through the gateway until the row is there. One arrival at a time.
 */
export async function benchArrival(options: { arrivals: number }): Promise<BenchResult> {
  const root = await createArrivalMesh({ prefix: 'quanta-bench-arrival-' });
  const service = await MeshService.create({ root, progress: { update() {} } });
  const stop = new AbortController();
  try {
    await service.apply();
    const scheduling = service.runs.schedule({ pollMs: POLL_MS, signal: stop.signal, isExecuting: true });
    await waitFor(async () => (await service.store.getCurrentSnapshot(PORT)) !== undefined);
    const latencies: number[] = [];
    for (let arrival = 0; arrival < options.arrivals; arrival += 1) {
      latencies.push(await measureArrival(service, { root, arrival }));
    }
    stop.abort();
    await scheduling;
    const figure = (label: string, value: number) => ({ label, value, unit: 'ms' });
    return {
      name: `file arrival to published rows, ${options.arrivals} arrivals`,
      figures: [
        figure(`p50 latency, landing file → rows readable (trigger poll ${POLL_MS} ms)`, median(latencies)),
        figure(
          `max latency, landing file → rows readable (trigger poll ${POLL_MS} ms)`,
          Math.max(...latencies),
        ),
      ],
      notes: `One-row CSV files, one at a time; the scheduler ticks every ${POLL_MS} ms (files trigger, no quiet period) and executes the run in process on the embedded store (incremental ingest + publish); the row is probed through the gateway every ${PROBE_MS} ms.`,
    };
  } finally {
    stop.abort();
    await service.close();
    await rm(path.dirname(root), { recursive: true, force: true });
  }
}

/** Lands one file (written aside, then renamed in) and times until its row is queryable. */
async function measureArrival(service: MeshService, at: { root: string; arrival: number }): Promise<number> {
  const id = `arrival-${at.arrival}`;
  const staging = path.join(at.root, `${id}.csv`);
  await writeFile(staging, `id,name\n${id},bench\n`);
  const started = performance.now();
  await rename(staging, path.join(at.root, 'landing/sales/orders', `${id}.csv`));
  await waitFor(async () => {
    const result = await service.query(`select count(*) from sales.orders.orders where id = '${id}'`, {
      principal: LOCAL_ADMINISTRATOR.id,
    });
    return Number(result.rows[0]?.[0] ?? 0) === 1;
  });
  return performance.now() - started;
}

async function waitFor(condition: () => Promise<boolean>): Promise<void> {
  for (let probe = 0; probe < 60_000; probe += 1) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, PROBE_MS));
  }
  throw new Error('the arrival never became readable');
}
