import type { Finding, JsonValue } from '@quanta/model';
import { formatFinding } from '@quanta/model';
import pc from 'picocolors';

/** Where a command writes: stdout for results, stderr for progress and diagnostics. */
export interface Output {
  readonly isJson: boolean;
  /** Prints a result: JSON when --json, otherwise the human rendering. */
  result(value: unknown, render: () => string): void;
  info(message: string): void;
}

/** Creates the output of one command invocation. */
export function createOutput(options: {
  isJson: boolean;
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WritableStream;
}): Output {
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  return {
    isJson: options.isJson,
    result(value, render) {
      stdout.write(options.isJson ? `${JSON.stringify(value, null, 2)}\n` : `${render()}\n`);
    },
    info(message) {
      if (!options.isJson) stderr.write(`${message}\n`);
    },
  };
}

/** Renders rows as an aligned text table with a header. */
export function renderTable(headers: readonly string[], rows: readonly (readonly JsonValue[])[]): string {
  const cells = rows.map((row) => row.map(cellText));
  const widths = headers.map((header, index) =>
    Math.max(header.length, ...cells.map((row) => (row[index] ?? '').length)),
  );
  const line = (values: readonly string[]): string =>
    values
      .map((value, index) => value.padEnd(widths[index] ?? 0))
      .join('  ')
      .trimEnd();
  return [pc.bold(line(headers)), ...cells.map(line)].join('\n');
}

function cellText(value: JsonValue): string {
  if (value === null) return pc.dim('null');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** Renders findings one per line, errors in red, warnings in yellow. */
export function renderFindings(findings: readonly Finding[]): string {
  return findings
    .map((finding) =>
      finding.severity === 'error' ? pc.red(formatFinding(finding)) : pc.yellow(formatFinding(finding)),
    )
    .join('\n');
}

/** Renders rows as CSV (RFC 4180 quoting). */
export function renderCsv(headers: readonly string[], rows: readonly (readonly JsonValue[])[]): string {
  const quote = (value: JsonValue): string => {
    if (value === null) return '';
    const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
    return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
  };
  return [headers.map(quote), ...rows.map((row) => row.map(quote))].map((line) => line.join(',')).join('\n');
}

/** Human-readable byte size. */
export function formatBytes(bytes: number | undefined): string {
  if (bytes === undefined) return '';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}
