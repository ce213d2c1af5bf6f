import { ERROR_TABLE, QuantaError, type RunRecord } from '@quanta/model';
import { type RunControl, type RunSettings, runTimeline } from '@quanta/services';
import type { QueuedRun } from '@quanta/store';
import type { Command } from 'commander';
import pc from 'picocolors';
import { outputOf, withMesh } from './command-context.ts';
import { renderRuns } from './render.ts';
import { renderTimeline, renderTimelineMermaid } from './timeline-render.ts';

/** Options of `quanta run`. */
interface RunOptions {
  readonly all?: boolean;
  readonly queue?: boolean;
  readonly resume?: string;
  readonly fromRun?: string;
  readonly fromStep?: string;
  readonly lease?: string;
  readonly stepTimeout?: string;
}

/**
 * `quanta run`: run a product now (resuming its abandoned runs first), queue it for workers,
 * resume a run, re-run one from a step; `quanta run cancel <id>` and `quanta run lineage <id>`.
 */
export function addRunCommands(program: Command): void {
  const run = program
    .command('run [product]')
    .description(
      "run a product's workflow (<domain>/<product>), or every product in dependency order with --all",
    )
    .option('--all', 'run every product in dependency order')
    .option('--queue', 'queue the run for `quanta worker` processes instead of running it here')
    .option('--resume <run-id>', 'resume a run whose process died, from its last completed step')
    .option(
      '--from-run <run-id>',
      're-run an earlier run of the product from a chosen step (with --from-step)',
    )
    .option('--from-step <name>', 'the step to re-run from: the steps before it are taken from --from-run')
    .option('--lease <seconds>', 'how long a run stays ours without renewal (default 30)')
    .option('--step-timeout <seconds>', 'default timeout of every block call')
    .action(async (name: string | undefined, options: RunOptions, command: Command) => {
      const result = await withMesh(command, async (service) =>
        options.all && !name ? { runs: await service.runAll() } : runAction(service.runs, { name, options }),
      );
      if ('queued' in result) {
        outputOf(command).result(
          result,
          () => `queued run ${result.queued.runId} of ${result.queued.product}`,
        );
        return;
      }
      reportRuns(command, result.runs);
    });
  run
    .command('cancel <run-id>')
    .description('cancel a run: a queued one at once, a running one at its next step boundary')
    .action(async (runId: string, _options: unknown, command: Command) => {
      const queued = await withMesh(command, (service) => service.runs.cancel(runId));
      outputOf(command).result(queued, () => renderCancel(queued));
    });
  run
    .command('list')
    .description('the latest runs, newest first (`quanta run show <run-id>` draws one)')
    .option('--product <product>', 'only the runs of this product (<domain>/<product>)')
    .option('--limit <n>', 'runs shown', '20')
    .action(async (options: { product?: string; limit: string }, command: Command) => {
      const runs = await withMesh(command, (service) =>
        service.store.listRuns({
          limit: Math.max(1, Number(options.limit) || 20),
          ...(options.product ? { product: `quanta://${options.product.replace(/^quanta:\/\//, '')}` } : {}),
        }),
      );
      outputOf(command).result({ runs }, () =>
        runs.length === 0
          ? 'no run yet'
          : runs.map((item) => `${item.startedAt} ${renderRuns([item])}`).join('\n'),
      );
    });
  run
    .command('show <run-id>')
    .description("a run's timeline: every step on the run's time axis, with durations, loops and takeovers")
    .option('--format <format>', 'text or mermaid (a Gantt chart for GitHub, a wiki or mermaid.live)', 'text')
    .action(async (runId: string, options: { format: string }, command: Command) => {
      const { run, timeline } = await withMesh(command, async (service) => {
        const found = await service.store.getRun(runId);
        if (!found)
          throw new QuantaError('QUANTA_NOT_FOUND', `no run ${runId}`, {
            fix: 'list runs with `quanta run list`',
          });
        return { run: found, timeline: runTimeline(await service.store.listStepEvents(runId)) };
      });
      outputOf(command).result({ run, timeline }, () =>
        options.format === 'mermaid' ? renderTimelineMermaid(run, timeline) : renderTimeline(run, timeline),
      );
    });
  run
    .command('lineage <run-id>')
    .description("the run's OpenLineage RunEvents (START, COMPLETE/FAIL/ABORT), as stored")
    .action(async (runId: string, _options: unknown, command: Command) => {
      const events = await withMesh(command, (service) => service.runs.lineage(runId));
      outputOf(command).result({ events: events.map((event) => event.event) }, () =>
        events.map((event) => `${event.eventTime} ${event.eventType}`).join('\n'),
      );
    });
}

async function runAction(
  runs: RunControl,
  at: { name: string | undefined; options: RunOptions },
): Promise<{ runs: RunRecord[] } | { queued: QueuedRun }> {
  const { name, options } = at;
  const settings = settingsOf(options);
  if (options.resume) return { runs: [await runs.resume(options.resume, settings)] };
  if (Boolean(options.fromRun) !== Boolean(options.fromStep)) {
    throw new QuantaError('QUANTA_USAGE', '--from-run and --from-step go together', {
      fix: 'quanta run sales/orders --from-run <run-id> --from-step publish',
    });
  }
  const fromStep =
    options.fromRun && options.fromStep ? { runId: options.fromRun, step: options.fromStep } : undefined;
  if (!name) {
    throw new QuantaError('QUANTA_USAGE', 'name a product, or pass --all or --resume <run-id>', {
      fix: 'quanta run sales/orders',
    });
  }
  if (options.queue) return { queued: await runs.enqueue(name, fromStep ? { fromStep } : {}) };
  return { runs: await runs.start(name, { ...settings, ...(fromStep ? { fromStep } : {}) }) };
}

function settingsOf(options: RunOptions): RunSettings {
  const lineageEndpoint = process.env.QUANTA_OPENLINEAGE_URL;
  return {
    ...(options.lease ? { leaseMs: secondsOption(options.lease, '--lease') * 1000 } : {}),
    ...(options.stepTimeout
      ? { stepTimeoutMs: secondsOption(options.stepTimeout, '--step-timeout') * 1000 }
      : {}),
    ...(lineageEndpoint ? { lineageEndpoint } : {}),
  };
}

/** A positive number of seconds given on the command line. */
export function secondsOption(text: string, flag: string): number {
  const seconds = Number(text);
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw new QuantaError('QUANTA_USAGE', `${flag} takes a positive number of seconds, not '${text}'`);
  }
  return seconds;
}

function reportRuns(command: Command, runs: readonly RunRecord[]): void {
  outputOf(command).result({ runs }, () => renderRuns(runs));
  process.exitCode = exitCodeOfRuns(runs);
}

function renderCancel(queued: QueuedRun): string {
  return queued.status === 'done'
    ? `${pc.yellow('cancelled')} run ${queued.runId}`
    : `run ${queued.runId} will stop at its next step (held by ${queued.worker ?? '?'})`;
}

/** The exit code of the first run that did not succeed (0 when all did). */
export function exitCodeOfRuns(runs: readonly RunRecord[]): number {
  const failed = runs.find((run) => run.state !== 'succeeded');
  return failed?.error
    ? ERROR_TABLE[failed.error.code].exitCode
    : failed
      ? ERROR_TABLE.QUANTA_WORKFLOW_FAILED.exitCode
      : 0;
}
