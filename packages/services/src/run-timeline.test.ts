import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { StepEvent } from '@quanta/model';
import { runTimeline } from './run-timeline.ts';

const T0 = Date.UTC(2026, 0, 5, 9);

function event(
  seq: number,
  at: { step: string; path: string; kind: StepEvent['kind']; ms: number; attempt?: number; worker?: string },
): StepEvent {
  return {
    runId: 'r1',
    seq,
    step: at.step,
    path: at.path,
    kind: at.kind,
    at: new Date(T0 + at.ms).toISOString(),
    attempt: at.attempt ?? 1,
    worker: at.worker ?? 'w1',
  };
}

test('a loop body is one span with its count; a takeover shows as interrupted, then succeeded', () => {
  const events: StepEvent[] = [
    event(1, { step: 'ingest', path: 'main/ingest', kind: 'started', ms: 0 }),
    event(2, { step: 'ingest', path: 'main/ingest', kind: 'succeeded', ms: 100 }),
    event(3, { step: 'nap', path: 'main/wait[0]/nap', kind: 'started', ms: 100 }),
    event(4, { step: 'nap', path: 'main/wait[0]/nap', kind: 'succeeded', ms: 150 }),
    event(5, { step: 'nap', path: 'main/wait[1]/nap', kind: 'started', ms: 150 }),
    event(6, { step: 'nap', path: 'main/wait[1]/nap', kind: 'succeeded', ms: 210 }),
    event(7, { step: 'publish', path: 'main/publish', kind: 'started', ms: 210 }),
    // The worker dies; another one takes the run over and publishes.
    event(8, { step: 'publish', path: 'main/publish', kind: 'started', ms: 5000, attempt: 2, worker: 'w2' }),
    event(9, {
      step: 'publish',
      path: 'main/publish',
      kind: 'succeeded',
      ms: 5040,
      attempt: 2,
      worker: 'w2',
    }),
  ];
  const spans = runTimeline(events);
  assert.deepEqual(
    spans.map((span) => [span.step, span.depth, span.count, span.state, span.interrupted, span.busyMs]),
    [
      ['ingest', 0, 1, 'succeeded', 0, 100],
      ['nap', 1, 2, 'succeeded', 0, 110],
      ['publish', 0, 2, 'succeeded', 1, 40],
    ],
  );
  assert.deepEqual(spans[2]?.workers, ['w1', 'w2']);
});

test('a step still running, and one whose worker died with nothing after it', () => {
  const running = runTimeline([event(1, { step: 'sql', path: 'main/sql', kind: 'started', ms: 0 })]);
  assert.equal(running[0]?.state, 'running');
  const died = runTimeline([
    event(1, { step: 'sql', path: 'main/sql', kind: 'started', ms: 0 }),
    event(2, { step: 'done', path: 'main/done', kind: 'started', ms: 10, attempt: 2 }),
  ]);
  assert.equal(died[0]?.state, 'interrupted');
});
