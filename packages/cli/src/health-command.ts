import type { HealthDay, PortHealth } from '@quanta/services';
import type { Command } from 'commander';
import pc from 'picocolors';
import { outputOf, withMesh } from './command-context.ts';

const LEVELS = '▁▂▃▄▅▆▇█';

/** `quanta health [address]`: the trust summary of every port, or of a domain, product or port. */
export function addHealthCommands(program: Command): void {
  program
    .command('health [address]')
    .description(
      'trust summary per port: SLO compliance over 30 days (freshness, quality, completeness), last check, freshness now, open incidents',
    )
    .action(async (address: string | undefined, _options: unknown, command: Command) => {
      const ports = await withMesh(command, (service) => service.health(address));
      outputOf(command).result({ ports }, () => renderHealth(ports));
    });
}

/**
 * One row per port: status, age against the freshness SLA, last check, the three SLOs over 30
 * days, open incidents, and a sparkline of the 30 days (oldest left; `·` a day without data).
 */
export function renderHealth(ports: readonly PortHealth[]): string {
  if (ports.length === 0) return 'no deployed ports';
  const rows = ports.map((port) => [
    port.port.replace(/^quanta:\/\//, ''),
    port.status,
    freshText(port),
    lastCheckText(port),
    `${percent(port.slo.freshness)} ${percent(port.slo.quality)} ${percent(port.slo.completeness)}`,
    port.openIncidents.length === 0 ? '-' : port.openIncidents.map((incident) => incident.id).join(','),
    healthSparkline(port.days),
  ]);
  const header = ['port', 'status', 'fresh', 'last check', 'slo f q c', 'incidents', 'last 30 days'];
  const widths = header.map((title, index) =>
    Math.max(title.length, ...rows.map((row) => (row[index] ?? '').length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, index) => cell.padEnd(widths[index] ?? 0))
      .join('  ')
      .trimEnd();
  return [pc.bold(line(header)), ...rows.map((row) => colorStatus(line(row), row[1] ?? ''))].join('\n');
}

/** One character per day: its score (share of checks passed, and freshness) as a bar height. */
export function healthSparkline(days: readonly HealthDay[]): string {
  return days
    .map((day) => {
      const parts = [
        ...(day.isFresh === undefined ? [] : [day.isFresh ? 1 : 0]),
        ...(day.checks === 0 ? [] : [day.passed / day.checks]),
      ];
      if (parts.length === 0) return '·';
      const score = parts.reduce((sum, part) => sum + part, 0) / parts.length;
      return LEVELS[Math.round(score * (LEVELS.length - 1))] ?? '·';
    })
    .join('');
}

function freshText(port: PortHealth): string {
  const { ageHours, limitHours, isFresh } = port.freshness;
  if (ageHours === undefined) return 'never';
  const age = `${ageHours}h`;
  if (limitHours === undefined) return age;
  return `${age}/${limitHours}h${isFresh ? '' : ' late'}`;
}

function lastCheckText(port: PortHealth): string {
  const last = port.lastQuality;
  if (!last) return '-';
  const verdict = last.isBlocking ? 'blocked' : last.failed > 0 ? `${last.failed} failed` : 'passed';
  return `${verdict} ${last.enforced}/${last.total}`;
}

function percent(value: number | undefined): string {
  return value === undefined ? '-' : `${Math.round(value * 100)}%`;
}

function colorStatus(text: string, status: string): string {
  switch (status) {
    case 'failing':
      return pc.red(text);
    case 'degraded':
      return pc.yellow(text);
    default:
      return text;
  }
}
