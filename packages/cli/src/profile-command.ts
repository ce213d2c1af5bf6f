import { type ColumnProfile, enforcementSummary, type HistogramBin, type JsonValue } from '@quanta/model';
import { type SnapshotProfile, snapshotProfile } from '@quanta/services';
import type { Command } from 'commander';
import pc from 'picocolors';
import { outputOf, withMesh } from './command-context.ts';

const BARS = ' ▁▂▃▄▅▆▇█';

/** `quanta profile <address[@version]>`: a snapshot's column profile, compact, or JSON with --json. */
export function addProfileCommands(program: Command): void {
  program
    .command('profile <address>')
    .description("show the column profile of a port's snapshot (quanta://d/p/port[@version][#column])")
    .action(async (address: string, _options: unknown, command: Command) => {
      const found = await withMesh(command, (service) => snapshotProfile(service.store, address));
      outputOf(command).result(found, () => renderProfile(found));
    });
}

/** One header line, then per column its counts, range, spread, histogram sparkline and top values. */
export function renderProfile(found: SnapshotProfile): string {
  const { snapshot, profile, quality } = found;
  const head = `${pc.bold(found.address)}  ${profile.rowCount} rows, ${snapshot.quarantinedRows} quarantined, ${profile.columns.length} columns`;
  const trust = quality
    ? `quality: ${enforcementSummary(quality)}, ${quality.clauses.filter((clause) => clause.status === 'failed').length} failed`
    : 'quality: no report';
  return [head, pc.dim(trust), '', ...profile.columns.map(renderColumn)].join('\n');
}

function renderColumn(column: ColumnProfile): string {
  const nullRate =
    column.count + column.nulls === 0 ? 0 : (column.nulls * 100) / (column.count + column.nulls);
  const lines = [
    `${pc.bold(column.name)} ${pc.dim(column.type)}  nulls ${column.nulls} (${round(nullRate)}%)  distinct ≈${column.distinct}`,
  ];
  if (column.min !== undefined) lines.push(`  range   ${show(column.min)} … ${show(column.max ?? null)}`);
  if (column.mean !== undefined)
    lines.push(`  mean    ${round(column.mean)}  stddev ${round(column.stddev ?? 0)}`);
  if (column.quantiles) {
    const { p25, p50, p75, p95 } = column.quantiles;
    lines.push(`  p25 ${show(p25)}  p50 ${show(p50)}  p75 ${show(p75)}  p95 ${show(p95)}`);
  }
  if (column.histogram && column.histogram.length > 0)
    lines.push(`  hist    ${pc.cyan(sparkline(column.histogram))}`);
  if (column.length)
    lines.push(`  length  ${column.length.min}–${column.length.max} (mean ${column.length.mean})`);
  if (column.topValues.length > 0) lines.push(`  top     ${valueList(column.topValues.slice(0, 5))}`);
  if (column.patterns && column.patterns.length > 0)
    lines.push(`  shapes  ${valueList(column.patterns.slice(0, 3))}`);
  return lines.join('\n');
}

/** A one-line histogram: one block character per bin, its height the bin's share of the tallest. */
export function sparkline(bins: readonly HistogramBin[]): string {
  const tallest = Math.max(...bins.map((bin) => bin.count), 0);
  const top = BARS.length - 1;
  return bins.map((bin) => BARS[tallest === 0 ? 0 : Math.ceil((bin.count / tallest) * top)] ?? ' ').join('');
}

function valueList(values: readonly { value: string; count: number }[]): string {
  return values.map((entry) => `${entry.value} ${pc.dim(`×${entry.count}`)}`).join(', ');
}

function show(value: JsonValue): string {
  return typeof value === 'number' ? String(round(value)) : JSON.stringify(value);
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
