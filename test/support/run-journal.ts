import assert from 'node:assert/strict';
import { isJsonObject, type JsonObject, type StepEvent } from '@quanta/model';

/** What a step returned, from a run's journal (a block's `result`, or the step's data itself). */
export function stepResult(events: readonly StepEvent[], step: string): JsonObject {
  const data = events.find((event) => event.step === step && event.kind === 'succeeded')?.data;
  const result = isJsonObject(data) && isJsonObject(data.result) ? data.result : data;
  assert.ok(isJsonObject(result), `step ${step} has a result: ${JSON.stringify(events.map((e) => e.step))}`);
  return result;
}
