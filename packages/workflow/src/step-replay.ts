import { isJsonObject, type JsonObject, type JsonValue } from '@quanta/model';

/** A snapshot of variables larger than this is not journaled; the step then runs again on resume. */
export const MAX_REPLAY_BYTES = 256 * 1024;

/** How a step handed control on: as Cloud Workflows' `next`, `return`, `break`... */
export type StepFlow =
  | { readonly kind: 'normal' }
  | { readonly kind: 'return'; readonly value: JsonValue }
  | { readonly kind: 'end' }
  | { readonly kind: 'break' }
  | { readonly kind: 'continue' }
  | { readonly kind: 'jump'; readonly target: string };

/**
 * What the journal knows of a finished step, by its path: a resumed (or re-run) workflow takes
 * it instead of executing the step again. `seq` is the journal order.
 */
export type ReplayedStep =
  | {
      readonly kind: 'succeeded';
      readonly seq: number;
      readonly flow: StepFlow;
      readonly scopes: readonly JsonObject[];
    }
  | { readonly kind: 'failed'; readonly seq: number; readonly raised: JsonValue };

/** A journal entry as the store keeps it, enough to rebuild the replay of its step. */
export interface JournaledStep {
  readonly seq: number;
  readonly path?: string;
  readonly kind: 'started' | 'succeeded' | 'failed';
  readonly replay?: JsonValue;
}

/** The `replay` payload of a succeeded step, or `undefined` when its variables are too large to keep. */
export function succeededReplay(flow: StepFlow, scopes: readonly JsonObject[]): JsonObject | undefined {
  const payload = { flow: flow as unknown as JsonObject, scopes: [...scopes] };
  return Buffer.byteLength(JSON.stringify(payload)) > MAX_REPLAY_BYTES ? undefined : payload;
}

/** The `replay` payload of a failed step: the error `except` saw. */
export function failedReplay(raised: JsonValue): JsonObject {
  return { raised };
}

/**
 * The replayable steps of a journal, by path. With `before`, only entries journaled before that
 * sequence number count (re-running a run from a chosen step).
 */
export function replayOfJournal(
  entries: readonly JournaledStep[],
  options: { before?: number } = {},
): Map<string, ReplayedStep> {
  const replay = new Map<string, ReplayedStep>();
  for (const entry of entries) {
    if (options.before !== undefined && entry.seq >= options.before) break;
    if (entry.path === undefined || !isJsonObject(entry.replay)) continue;
    const step = replayedStep(entry.kind, { seq: entry.seq, payload: entry.replay });
    if (step) replay.set(entry.path, step);
  }
  return replay;
}

function replayedStep(
  kind: JournaledStep['kind'],
  entry: { seq: number; payload: JsonObject },
): ReplayedStep | undefined {
  const { seq, payload } = entry;
  if (kind === 'failed' && Object.hasOwn(payload, 'raised')) {
    return { kind: 'failed', seq, raised: payload.raised ?? null };
  }
  if (kind !== 'succeeded' || !isJsonObject(payload.flow) || !Array.isArray(payload.scopes)) return undefined;
  const flow = flowOf(payload.flow);
  if (!flow) return undefined;
  return { kind: 'succeeded', seq, flow, scopes: payload.scopes.filter(isJsonObject) };
}

function flowOf(value: JsonObject): StepFlow | undefined {
  switch (value.kind) {
    case 'normal':
    case 'end':
    case 'break':
    case 'continue':
      return { kind: value.kind };
    case 'return':
      return { kind: 'return', value: value.value ?? null };
    case 'jump':
      return typeof value.target === 'string' ? { kind: 'jump', target: value.target } : undefined;
    default:
      return undefined;
  }
}
