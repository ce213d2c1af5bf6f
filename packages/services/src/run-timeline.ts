import type { StepEvent } from '@quanta/model';

/** How a step ended: `interrupted` when its worker died and the run was taken over before it ended. */
export type SpanState = 'succeeded' | 'failed' | 'running' | 'interrupted';

/** One step of a run on its timeline; a step run many times (a loop body) is one span with a count. */
export interface TimelineSpan {
  readonly step: string;
  /** The step's path with loop iterations folded (`main/wait/nap`). */
  readonly path: string;
  /** Nesting under steps, subworkflows and template calls (0: a step of `main`). */
  readonly depth: number;
  readonly startedAt: string;
  readonly endedAt?: string;
  /** Time spent in the step's executions, summed (a loop's iterations). */
  readonly busyMs: number;
  readonly count: number;
  readonly state: SpanState;
  /** Executions cut short by a dead worker, resumed by another attempt. */
  readonly interrupted: number;
  readonly workers: readonly string[];
}

/** The timeline of a run from its journal: one span per step, in the order the steps started. */
export function runTimeline(events: readonly StepEvent[]): TimelineSpan[] {
  const spans = new Map<string, MutableSpan>();
  const open = new Map<string, StepEvent>();
  for (const event of [...events].sort((a, b) => a.seq - b.seq)) {
    const path = event.path ?? event.step;
    const span = spanOf(spans, event);
    if (event.worker && !span.workers.includes(event.worker)) span.workers.push(event.worker);
    if (event.kind === 'started') {
      if (open.has(path)) span.interrupted += 1;
      open.set(path, event);
      span.count += 1;
      span.state = 'running';
      continue;
    }
    const started = open.get(path);
    open.delete(path);
    span.state = event.kind;
    span.endedAt = event.at;
    span.busyMs += event.durationMs ?? (started ? Date.parse(event.at) - Date.parse(started.at) : 0);
  }
  for (const [path, started] of open) {
    const span = spans.get(foldPath(path));
    // A start with no end while later steps ran: its worker died and the run moved on elsewhere.
    if (span && events.some((event) => event.seq > started.seq && event.attempt !== started.attempt))
      span.state = 'interrupted';
  }
  return [...spans.values()].map(({ workers, ...span }) => ({ ...span, workers: [...workers] }));
}

interface MutableSpan {
  step: string;
  path: string;
  depth: number;
  startedAt: string;
  endedAt?: string;
  busyMs: number;
  count: number;
  state: SpanState;
  interrupted: number;
  workers: string[];
}

function spanOf(spans: Map<string, MutableSpan>, event: StepEvent): MutableSpan {
  const path = foldPath(event.path ?? event.step);
  const existing = spans.get(path);
  if (existing) return existing;
  const span: MutableSpan = {
    step: event.step,
    path,
    depth: Math.max(0, path.split('/').length - 2),
    startedAt: event.at,
    busyMs: 0,
    count: 0,
    state: 'running',
    interrupted: 0,
    workers: [],
  };
  spans.set(path, span);
  return span;
}

/** A path without iteration and call indexes: every execution of a loop body shares it. */
function foldPath(path: string): string {
  return path.replace(/\[\d+\]|#\d+/g, '');
}
