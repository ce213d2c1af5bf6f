import { execFileSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { benchAccess } from './access.bench.ts';
import { benchArrival } from './arrival.bench.ts';
import type { BenchResult } from './bench-result.ts';
import { benchColdValidate } from './cold-validate.bench.ts';
import { benchIngestPublish } from './ingest-publish.bench.ts';
import { benchPgWire } from './pgwire.bench.ts';
import { benchQuality } from './quality.bench.ts';
import { benchValidatePlan } from './validate-plan.bench.ts';
import { benchWorkflow } from './workflow.bench.ts';

/**
 * `npm run bench`: runs every benchmark and writes BENCHMARKS.md with the machine it ran on.
 * `--orders N` scales the data benchmarks (default 10,000,000 rows); `--only a,b` runs some.
 */
const args = process.argv.slice(2);
const orders = Number(flagValue('--orders') ?? 10_000_000);
const only = flagValue('--only');

const benchmarks: Record<string, () => Promise<BenchResult>> = {
  'cold-validate': benchColdValidate,
  'validate-plan': benchValidatePlan,
  'ingest-publish': () => benchIngestPublish({ orders }),
  quality: () => benchQuality({ orders }),
  access: () => benchAccess({ rows: orders }),
  workflow: benchWorkflow,
  pgwire: () => benchPgWire({ clients: 20, seconds: 60 }),
  arrival: () => benchArrival({ arrivals: 10 }),
};

const RESULTS_FILE = path.join(import.meta.dirname, '..', 'BENCHMARKS.json');
// With --only, the other benchmarks keep the figures of their last run (machine and date per entry).
const results = only ? await previousResults() : new Map<string, StampedResult>();
for (const [name, run] of Object.entries(benchmarks)) {
  if (only && !only.split(',').includes(name)) continue;
  process.stderr.write(`bench ${name}...\n`);
  const result = await run();
  results.set(name, { ...result, measuredAt: new Date().toISOString(), machine: machine() });
  process.stderr.write(`${renderResult(result)}\n`);
}
const ordered = Object.keys(benchmarks).flatMap((name) => results.get(name) ?? []);
await writeFile(RESULTS_FILE, `${JSON.stringify(Object.fromEntries(results), null, 2)}\n`);
const markdown = renderMarkdown(ordered);
await writeFile(path.join(import.meta.dirname, '..', 'BENCHMARKS.md'), markdown);
process.stdout.write(markdown);

/** A benchmark's result with when and where it was measured. */
interface StampedResult extends BenchResult {
  readonly measuredAt: string;
  readonly machine: string;
}

async function previousResults(): Promise<Map<string, StampedResult>> {
  try {
    return new Map(
      Object.entries(JSON.parse(await readFile(RESULTS_FILE, 'utf8')) as Record<string, StampedResult>),
    );
  } catch {
    return new Map();
  }
}

function flagValue(flag: string): string | undefined {
  const index = args.indexOf(flag);
  return index >= 0 ? args[index + 1] : undefined;
}

function renderResult(result: BenchResult): string {
  const figures = result.figures.map(
    (figure) => `${figure.label}: ${formatValue(figure.value)} ${figure.unit}`,
  );
  const ratio = result.ratio ? [`${result.ratio.label}: ${result.ratio.value.toFixed(2)}×`] : [];
  return [...figures, ...ratio].map((line) => `  ${line}`).join('\n');
}

function formatValue(value: number): string {
  return value >= 100 ? value.toFixed(0) : value.toFixed(2);
}

function machine(): string {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const gib = (os.totalmem() / 1024 ** 3).toFixed(0);
  const disk = tryCommand('df', ['-h', '--output=fstype,size', '.']).split('\n')[1]?.trim() ?? '';
  return `${os.cpus().length} × ${cpu}, ${gib} GiB RAM, ${os.type()} ${os.release()}, disk ${disk}, Node ${process.version}`;
}

function tryCommand(command: string, commandArgs: string[]): string {
  try {
    return execFileSync(command, commandArgs, { encoding: 'utf8' });
  } catch {
    return '';
  }
}

function renderMarkdown(list: readonly StampedResult[]): string {
  const rows = list.flatMap((result) => [
    ...result.figures.map(
      (figure) => `| ${result.name} | ${figure.label} | ${formatValue(figure.value)} ${figure.unit} |`,
    ),
    ...(result.ratio
      ? [
          `| ${result.name} | **${result.ratio.label}** | **${result.ratio.value.toFixed(2)}×**${result.ratio.target ? ` (target ${result.ratio.target})` : ''} |`,
        ]
      : []),
  ]);
  const notes = list.map(
    (result) =>
      `- **${result.name}**: measured ${result.measuredAt}.${result.notes ? ` ${result.notes}` : ''}`,
  );
  return [
    '# Benchmarks',
    '',
    `Written by \`npm run bench\` on ${new Date().toISOString()} (\`--only\` re-runs keep the other figures; each has its date below).`,
    '',
    `Machine: ${machine()}.`,
    '',
    'Ratios compare Quanta with a baseline measured in the same run on the same machine.',
    '',
    '| benchmark | figure | value |',
    '|---|---|---|',
    ...rows,
    '',
    ...(notes.length > 0 ? ['## Notes', '', ...notes, ''] : []),
  ].join('\n');
}
