import pg from 'pg';
import { PgWireServer } from '../packages/pgwire/src/pg-wire-server.ts';
import { startTestPgWire, TEST_PASSWORDS } from '../packages/pgwire/src/test-backend.ts';
import type { BenchResult } from './bench-result.ts';

/** What the PostgreSQL front door benchmark runs. */
export interface PgWireBenchOptions {
  readonly clients: number;
  readonly seconds: number;
}

const QUERY = "select id, name from customers.customer_profile.profiles where id = '2'";

interface Load {
  readonly latenciesMs: number[];
  errors: number;
}

/** Connects `count` node-postgres clients as ada. */
async function connectClients(port: number, count: number): Promise<pg.Client[]> {
  const clients = Array.from(
    { length: count },
    () =>
      new pg.Client({ host: '127.0.0.1', port, database: 'mesh', user: 'ada', password: TEST_PASSWORDS.ada }),
  );
  await Promise.all(clients.map((client) => client.connect()));
  return clients;
}

/** The wire protocol alone: the same clients against a backend answering a fixed row at once. */
async function driveProtocolOnly(options: PgWireBenchOptions): Promise<Load> {
  const server = await PgWireServer.create({
    port: 0,
    backend: {
      authenticate: async ({ user }) => user,
      query: async () => ({
        columns: [
          { name: 'id', type: 'VARCHAR' },
          { name: 'name', type: 'VARCHAR' },
        ],
        rows: [['2', 'second']],
      }),
    },
  });
  const clients = await connectClients(server.port, options.clients);
  try {
    return await drive({
      workers: options.clients,
      seconds: options.seconds,
      work: (worker) => (clients[worker] as pg.Client).query(QUERY),
    });
  } finally {
    await Promise.all(clients.map((client) => client.end().catch(() => undefined)));
    await server.close();
  }
}

function percentile(sorted: readonly number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))] ?? 0;
}

/** Runs `work` in `workers` concurrent loops until the deadline, recording each latency. */
async function drive(options: {
  workers: number;
  seconds: number;
  work: (worker: number) => Promise<unknown>;
}): Promise<Load> {
  const load: Load = { latenciesMs: [], errors: 0 };
  const deadline = performance.now() + options.seconds * 1000;
  await Promise.all(
    Array.from({ length: options.workers }, async (_unused, worker) => {
      while (performance.now() < deadline) {
        const started = performance.now();
        try {
          await options.work(worker);
          load.latenciesMs.push(performance.now() - started);
        } catch {
          load.errors += 1;
        }
      }
    }),
  );
  return load;
}

/**
 * The PostgreSQL front door under load: N node-postgres clients on loopback, each running a
 * small selective query in a loop for S seconds (throughput, p50/p99, errors), against the
 * same query through MeshService.query in-process with the same concurrency, and the wire
 * protocol alone (a backend answering a fixed row) to show what the front door itself costs.
 * Clients and server share one process, as on a laptop.
 */
export async function benchPgWire(options: PgWireBenchOptions): Promise<BenchResult> {
  const pgWire = await startTestPgWire();
  const clients = await connectClients(pgWire.server.port, options.clients);
  try {
    // Warm both paths first (JIT, DuckDB and policy caches): the gateway speeds up for seconds.
    const warmUp = Math.max(1, options.seconds / 5);
    await drive({
      workers: options.clients,
      seconds: warmUp,
      work: () => pgWire.service.query(QUERY, { principal: 'ada' }),
    });
    await drive({
      workers: options.clients,
      seconds: warmUp,
      work: (worker) => (clients[worker] as pg.Client).query(QUERY),
    });
    const wire = await drive({
      workers: options.clients,
      seconds: options.seconds,
      work: (worker) => (clients[worker] as pg.Client).query(QUERY),
    });
    const inProcess = await drive({
      workers: options.clients,
      seconds: options.seconds,
      work: () => pgWire.service.query(QUERY, { principal: 'ada' }),
    });
    const protocol = await driveProtocolOnly(options);
    const wireSorted = [...wire.latenciesMs].sort((a, b) => a - b);
    const baseSorted = [...inProcess.latenciesMs].sort((a, b) => a - b);
    const wireRate = wire.latenciesMs.length / options.seconds;
    const baseRate = inProcess.latenciesMs.length / options.seconds;
    return {
      name: `PostgreSQL front door (${options.clients} clients × ${options.seconds} s, loopback)`,
      figures: [
        { label: 'pgwire throughput', value: wireRate, unit: 'queries/s' },
        { label: 'pgwire p50 latency', value: percentile(wireSorted, 0.5), unit: 'ms' },
        { label: 'pgwire p99 latency', value: percentile(wireSorted, 0.99), unit: 'ms' },
        { label: 'pgwire errors', value: wire.errors, unit: 'queries' },
        { label: 'in-process throughput', value: baseRate, unit: 'queries/s' },
        { label: 'in-process p50 latency', value: percentile(baseSorted, 0.5), unit: 'ms' },
        { label: 'in-process p99 latency', value: percentile(baseSorted, 0.99), unit: 'ms' },
        { label: 'in-process errors', value: inProcess.errors, unit: 'queries' },
        {
          label: 'protocol only (fixed-row backend) throughput',
          value: protocol.latenciesMs.length / options.seconds,
          unit: 'queries/s',
        },
        {
          label: 'protocol only p99 latency',
          value: percentile(
            [...protocol.latenciesMs].sort((a, b) => a - b),
            0.99,
          ),
          unit: 'ms',
        },
        { label: 'protocol only errors', value: protocol.errors, unit: 'queries' },
      ],
      ratio: {
        label: 'in-process throughput / pgwire throughput',
        value: baseRate / Math.max(wireRate, 1e-9),
      },
      notes: `query: ${QUERY}`,
    };
  } finally {
    await Promise.all(clients.map((client) => client.end().catch(() => undefined)));
    await pgWire.dispose();
  }
}
