import { type ExpiredSnapshot, enforceRetention } from '@quanta/services';
import type { Command } from 'commander';
import { outputOf, withMesh } from './command-context.ts';
import { formatBytes, renderTable } from './output.ts';

/** `quanta retention [--dry-run]`: removes snapshots older than their contract's retention. */
export function addRetentionCommands(program: Command): void {
  program
    .command('retention')
    .description(
      "remove snapshots published longer ago than their contract's retention (never a port's current one); runs after every successful run too",
    )
    .option('--dry-run', 'list what would be removed, remove nothing')
    .action(async (options: { dryRun?: boolean }, command: Command) => {
      const expired = await withMesh(command, (service) =>
        enforceRetention({ store: service.store, engine: service.engine, isDryRun: Boolean(options.dryRun) }),
      );
      outputOf(command).result({ isDryRun: Boolean(options.dryRun), expired }, () =>
        renderExpired(expired, Boolean(options.dryRun)),
      );
    });
}

function renderExpired(expired: readonly ExpiredSnapshot[], isDryRun: boolean): string {
  if (expired.length === 0) return 'No snapshot is past its retention.';
  const table = renderTable(
    ['snapshot', 'published', 'rows', 'size', 'retention'],
    expired.map((snapshot) => [
      snapshot.address,
      snapshot.createdAt,
      snapshot.rowCount,
      formatBytes(snapshot.bytes),
      `${snapshot.retentionDays} d`,
    ]),
  );
  return `${table}\n${expired.length} snapshot(s) ${isDryRun ? 'would be removed' : 'removed'}.`;
}
