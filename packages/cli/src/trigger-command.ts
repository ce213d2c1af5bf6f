import type { TriggerEvaluation } from '@quanta/store';
import type { Command } from 'commander';
import { outputOf, withMesh } from './command-context.ts';

/** `quanta triggers why <product>` and `quanta triggers tick`: why a product did (not) run. */
export function addTriggerCommands(program: Command): void {
  const triggers = program
    .command('triggers')
    .description("evaluate products' triggers and explain their decisions");
  triggers
    .command('why')
    .argument('<product>', 'domain/product')
    .option('--limit <n>', 'evaluations shown', '20')
    .description('the latest trigger evaluations of a product, newest first, each with its reason')
    .action(async (product: string, options: { limit: string }, command: Command) => {
      const address = `quanta://${product.replace(/^quanta:\/\//, '')}`;
      const evaluations = await withMesh(command, (service) =>
        service.store.triggers.listEvaluations(address, { limit: Number(options.limit) || 20 }),
      );
      outputOf(command).result({ evaluations }, () =>
        evaluations.length === 0
          ? `no trigger evaluation recorded for ${address} (does it have a triggers.yaml? is a worker running?)`
          : evaluations
              .map(
                (item) =>
                  `${item.evaluatedAt} ${item.trigger} ${item.decision}${item.runId ? ` run ${item.runId}` : ''}: ${item.reason}${repeatsOf(item)}`,
              )
              .join('\n'),
      );
    });
  triggers
    .command('tick')
    .description('evaluate every trigger once now and queue the runs they call for')
    .action(async (_options: unknown, command: Command) => {
      const { queued, status } = await withMesh(command, async (service) => {
        const scheduler = service.runs.scheduler();
        try {
          return { queued: await scheduler.tick(), status: scheduler.status };
        } finally {
          await scheduler.release();
        }
      });
      outputOf(command).result({ queued, scheduler: status }, () =>
        status.isLeader
          ? `${queued.length} run(s) queued`
          : `standing by: the scheduler ${status.lease?.holder} holds the lease until ${status.lease?.expiresAt}; nothing evaluated`,
      );
    });
}

/** ` (×12 until <time>)` when the verdict held for several evaluations in a row. */
function repeatsOf(evaluation: TriggerEvaluation): string {
  if (evaluation.repeats <= 1) return '';
  return ` (×${evaluation.repeats}${evaluation.lastEvaluatedAt ? ` until ${evaluation.lastEvaluatedAt}` : ''})`;
}
