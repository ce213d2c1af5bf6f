import type { RunRecord } from '@quanta/model';
import type { SpanState, TimelineSpan } from '@quanta/services';
import pc from 'picocolors';

const WIDTH = 40;

const PAINT: Readonly<Record<SpanState, (text: string) => string>> = {
  succeeded: pc.green,
  failed: pc.red,
  running: pc.yellow,
  interrupted: pc.magenta,
};

/**
 * A run as a text Gantt chart: one line per step, indented by nesting, its bar placed and sized
 * on the run's own time axis, then its duration, state and what else happened (loops, takeovers).
 */
export function renderTimeline(run: RunRecord, spans: readonly TimelineSpan[]): string {
  const start = Date.parse(run.startedAt);
  const end = Date.parse(run.endedAt ?? spans.at(-1)?.endedAt ?? run.startedAt);
  const total = Math.max(1, end - start);
  const labels = spans.map((span) => `${'  '.repeat(span.depth)}${span.step}`);
  const labelWidth = Math.max(4, ...labels.map((label) => label.length));
  const header = `run ${run.id} of ${run.product}: ${PAINT[stateOf(run)](run.state)} (${run.trigger}, ${formatMs(total)})`;
  const lines = spans.map((span, index) => {
    const from = Math.floor(((Date.parse(span.startedAt) - start) / total) * WIDTH);
    const until = span.endedAt ? Date.parse(span.endedAt) : end;
    const length = Math.max(1, Math.round(((until - Date.parse(span.startedAt)) / total) * WIDTH));
    const bar = `${' '.repeat(Math.min(from, WIDTH - 1))}${'█'.repeat(Math.min(length, WIDTH - Math.min(from, WIDTH - 1)))}`;
    const notes = [
      span.count > 1 ? `×${span.count}` : '',
      span.interrupted > 0 ? `${span.interrupted} interrupted` : '',
      span.state === 'succeeded' ? '' : span.state,
    ].filter(Boolean);
    return `${(labels[index] ?? '').padEnd(labelWidth)} ${PAINT[span.state](bar.padEnd(WIDTH))} ${formatMs(span.busyMs).padStart(8)}${notes.length > 0 ? `  ${notes.join(', ')}` : ''}`;
  });
  const workers = [...new Set(spans.flatMap((span) => span.workers))];
  return [header, ...lines, pc.dim(`workers: ${workers.join(', ') || 'none'}`)].join('\n');
}

/** The same timeline as a Mermaid Gantt chart (paste into GitHub, a wiki or mermaid.live). */
export function renderTimelineMermaid(run: RunRecord, spans: readonly TimelineSpan[]): string {
  const lines = [
    'gantt',
    `  title run ${run.id} of ${run.product} (${run.state})`,
    '  dateFormat x',
    '  axisFormat %M:%S',
  ];
  spans.forEach((span, index) => {
    const tag = span.state === 'failed' ? 'crit, ' : span.state === 'succeeded' ? 'done, ' : 'active, ';
    const end = span.endedAt ?? run.endedAt ?? span.startedAt;
    const name = `${span.step}${span.count > 1 ? ` ×${span.count}` : ''} ${formatMs(span.busyMs)}`.replaceAll(
      ':',
      ' ',
    );
    lines.push(
      `  ${name} :${tag}s${index}, ${Date.parse(span.startedAt)}, ${Math.max(Date.parse(end), Date.parse(span.startedAt) + 1)}`,
    );
  });
  return lines.join('\n');
}

function stateOf(run: RunRecord): SpanState {
  if (run.state === 'succeeded') return 'succeeded';
  return run.state === 'running' ? 'running' : 'failed';
}

function formatMs(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(2)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}
