import type { Command } from 'commander';
import { outputOf, withMesh } from './command-context.ts';
import { secondsOption } from './run-command.ts';

/** Options of `quanta worker`. */
interface WorkerOptions {
  readonly concurrency: string;
  readonly name?: string;
  readonly lease?: string;
  readonly poll: string;
  readonly drain?: boolean;
  readonly stepTimeout?: string;
}

/**
 * `quanta worker`: claims queued and abandoned runs from the store and executes them. Start
 * any number, on any machine sharing the PostgreSQL store (QUANTA_DATABASE_URL); embedded, it
 * is the in-process pool. It also evaluates the products' triggers on every poll (ADR 013).
 * SIGINT/SIGTERM stop it after the runs in hand.
 */
export function addWorkerCommands(program: Command): void {
  program
    .command('worker')
    .description(
      'work through queued runs (and resume abandoned ones) until stopped, or until none is left with --drain',
    )
    .option('--concurrency <n>', 'runs executed at once by this process', '1')
    .option('--name <name>', "this worker's name in leases and the journal (default <host>:<pid>)")
    .option('--lease <seconds>', 'how long a claimed run stays ours without renewal (default 30)')
    .option('--poll <seconds>', 'how often an idle worker looks for work', '0.5')
    .option('--step-timeout <seconds>', 'default timeout of every block call')
    .option('--drain', 'exit once no run is queued or running anywhere')
    .action(async (options: WorkerOptions, command: Command) => {
      const stop = new AbortController();
      const onSignal = () => stop.abort();
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      const lineageEndpoint = process.env.QUANTA_OPENLINEAGE_URL;
      try {
        const runs = await withMesh(command, (service) =>
          service.runs.work({
            concurrency: Math.max(1, Math.floor(Number(options.concurrency) || 1)),
            pollMs: secondsOption(options.poll, '--poll') * 1000,
            isDraining: Boolean(options.drain),
            signal: stop.signal,
            scheduler: service.runs.scheduler(),
            ...(options.name ? { worker: options.name } : {}),
            ...(options.lease ? { leaseMs: secondsOption(options.lease, '--lease') * 1000 } : {}),
            ...(options.stepTimeout
              ? { stepTimeoutMs: secondsOption(options.stepTimeout, '--step-timeout') * 1000 }
              : {}),
            ...(lineageEndpoint ? { lineageEndpoint } : {}),
          }),
        );
        outputOf(command).result({ runs }, () => `worker done: ${runs.length} run(s)`);
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
    });
}
