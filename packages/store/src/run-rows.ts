import type { JsonValue, RunRecord, RunState, SerializedError, StepEvent } from '@quanta/model';
import type { SqlRow } from './sql-database.ts';
import { readNumber, readOptionalJson, readOptionalText, readText } from './sql-row.ts';

/** The columns of `runs` that make a {@link RunRecord}. */
export const RUN_COLUMNS: readonly string[] = [
  'id',
  'product',
  'state',
  'triggered_by',
  'started_at',
  'ended_at',
  'error',
  'result',
];

/** The columns of `step_events` that make a {@link StepEvent}. */
export const STEP_EVENT_COLUMNS: readonly string[] = [
  'run_id',
  'seq',
  'step',
  'kind',
  'at',
  'data',
  'path',
  'replay',
  'worker',
  'attempt',
  'duration_ms',
];

/** Reads a `runs` row; SQL NULL leaves the optional fields out (JSON `null` stays `null`). */
export function runFromRow(row: SqlRow): RunRecord {
  const endedAt = readOptionalText(row, 'ended_at');
  const error = readOptionalJson<SerializedError>(row, 'error');
  const result = readOptionalJson<JsonValue>(row, 'result');
  return {
    id: readText(row, 'id'),
    product: readText(row, 'product'),
    // The table's CHECK constraint admits only the RunState values.
    state: readText(row, 'state') as RunState,
    trigger: readText(row, 'triggered_by'),
    startedAt: readText(row, 'started_at'),
    ...(endedAt === undefined ? {} : { endedAt }),
    ...(error === undefined ? {} : { error }),
    ...(result === undefined ? {} : { result }),
  };
}

/** Reads a `step_events` row. */
export function stepEventFromRow(row: SqlRow): StepEvent {
  const data = readOptionalJson<JsonValue>(row, 'data');
  const path = readOptionalText(row, 'path');
  const replay = readOptionalJson<JsonValue>(row, 'replay');
  const worker = readOptionalText(row, 'worker');
  const attempt = row.attempt;
  const durationMs = row.duration_ms;
  return {
    runId: readText(row, 'run_id'),
    seq: readNumber(row, 'seq'),
    step: readText(row, 'step'),
    // The table's CHECK constraint admits only the StepEvent kinds.
    kind: readText(row, 'kind') as StepEvent['kind'],
    at: readText(row, 'at'),
    ...(data === undefined ? {} : { data }),
    ...(path === undefined ? {} : { path }),
    ...(replay === undefined ? {} : { replay }),
    ...(worker === undefined ? {} : { worker }),
    ...(typeof attempt === 'number' ? { attempt } : {}),
    ...(typeof durationMs === 'number' ? { durationMs } : {}),
  };
}
