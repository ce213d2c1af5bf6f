import {
  type DocumentPath,
  formatLocation,
  isJsonObject,
  type JsonObject,
  type JsonValue,
  QuantaError,
  type SerializedError,
  serializeError,
} from '@quanta/model';
import { type ExpressionFunctions, expressionOf, resolveValue } from './evaluate-expression.ts';
import type { Expression } from './expression-parser.ts';
import { BUILTIN_PREDICATES, retryDelay } from './retry-policies.ts';
import { STANDARD_LIBRARY } from './stdlib/standard-library.ts';
import {
  type LogEntry,
  type RuntimeServices,
  type StdlibFunction,
  systemWorkflowClock,
  type WorkflowClock,
} from './stdlib/stdlib-function.ts';
import { failedReplay, type ReplayedStep, type StepFlow, succeededReplay } from './step-replay.ts';
import { VariableScope } from './variable-scope.ts';
import type {
  CallStep,
  ForLoop,
  ParallelStep,
  Step,
  Subworkflow,
  SwitchStep,
  TryStep,
  WorkflowDefinition,
} from './workflow-definition.ts';
import { messageOf, tagsOf, toWorkflowError, WorkflowError, workflowError } from './workflow-error.ts';

/** The type a block argument must have, for static checks and docs. */
export type BlockArgumentType = 'string' | 'number' | 'boolean' | 'list' | 'map' | 'handle' | 'any';

/** One argument of a block: what it is and whether it must be given. */
export interface BlockArgument {
  readonly type: BlockArgumentType;
  readonly required: boolean;
  readonly description: string;
}

/** A building block a workflow calls, such as `quanta.ingest`. */
export interface Block<Context> {
  readonly name: string;
  /** One line saying what the block does, for `--help` and the docs. */
  readonly description: string;
  /** The arguments it takes, by name; `checkWorkflow` flags unknown names and wrong literal types. */
  readonly args?: Readonly<Record<string, BlockArgument>>;
  /** `control.signal` aborts when the step times out: long work should stop then. */
  run(args: JsonObject, context: Context, control?: BlockControl): Promise<JsonValue>;
}

/** What a block gets besides its arguments and context. */
export interface BlockControl {
  readonly signal: AbortSignal;
}

/** The call argument every block accepts: a step timeout in seconds, taken by the interpreter. */
export const TIMEOUT_ARGUMENT = 'timeout';

/** One journal entry: a step started, succeeded (with its result) or failed (with its error). */
export interface StepJournalEntry {
  readonly step: string;
  /**
   * The step's deterministic position in the run: subworkflow call chain, step name and visit,
   * loop iteration, parallel branch and try attempt (`main/load`, `main/each/files[2]/ingest`).
   */
  readonly path: string;
  readonly kind: 'started' | 'succeeded' | 'failed';
  readonly data?: JsonValue;
  /** What a resumed run takes instead of executing the step again (see step-replay.ts). */
  readonly replay?: JsonObject;
  /** How long the step took (succeeded and failed entries). */
  readonly durationMs?: number;
}

/** Where a run records each step's start, result and error. */
export interface StepJournal {
  record(entry: StepJournalEntry): Promise<void>;
}

/**
 * How a workflow run ended: a value, never thrown. A failed run carries the Quanta error and,
 * in `raised`, the Cloud Workflows error map (or raised value) an `except` would have seen.
 */
export type WorkflowOutcome =
  | { readonly kind: 'succeeded'; readonly result: JsonValue }
  | {
      readonly kind: 'failed';
      readonly error: SerializedError;
      readonly step: string;
      readonly raised?: JsonValue;
    }
  | { readonly kind: 'cancelled'; readonly step: string };

/** Everything a run needs besides the definition. */
export interface RunWorkflowOptions<Context> {
  readonly blocks: ReadonlyMap<string, Block<Context>>;
  readonly context: Context;
  readonly journal: StepJournal;
  /** The runtime arguments, bound to `main`'s parameter. */
  readonly args?: JsonValue;
  /** Steps executed at most, as Cloud Workflows' limit (100,000 by default). */
  readonly maxSteps?: number;
  /** Nested subworkflow calls at most (20 by default). */
  readonly maxCallDepth?: number;
  /** The clock `sys.now`, `sys.sleep` and retry backoff use (the real one by default). */
  readonly clock?: WorkflowClock;
  /** What `sys.get_env` reads. */
  readonly env?: Readonly<Record<string, string>>;
  /** Where `sys.log` writes. */
  readonly log?: (entry: LogEntry) => void;
  /**
   * Steps already finished in an earlier attempt of the run, by path: they are not executed
   * again; their journaled result, jump and variables are taken instead (a resumed run).
   */
  readonly replay?: ReadonlyMap<string, ReplayedStep>;
  /** Asked before each step: true ends the run `cancelled` at that step boundary. */
  readonly isCancelled?: () => boolean;
  /** A block call taking longer raises TimeoutError, unless its `timeout` argument says otherwise. */
  readonly stepTimeoutMs?: number;
  /**
   * Aborts the run now (cancelled, or its lease lost): the running block is told through its
   * abort signal, the engine interrupts its statement, and the run ends `cancelled` at that step.
   */
  readonly signal?: AbortSignal;
}

const DEFAULT_MAX_STEPS = 100_000;
const DEFAULT_MAX_CALL_DEPTH = 20;
const LOCATED_TAGS = new Set([
  'TypeError',
  'KeyError',
  'IndexError',
  'ValueError',
  'ZeroDivisionError',
  'RecursionError',
]);

/** Runs the `main` subworkflow step by step, journaling every step. */
export async function runWorkflow<Context>(
  workflow: WorkflowDefinition,
  options: RunWorkflowOptions<Context>,
): Promise<WorkflowOutcome> {
  const run = new WorkflowRun(workflow, options);
  try {
    const result = await run.callSubworkflow(workflow.main, { kind: 'main', args: options.args ?? null });
    return { kind: 'succeeded', result };
  } catch (error) {
    return run.failedOutcome(error);
  }
}

/** How a list of steps ended. */
type Flow = StepFlow;

/** Arguments of a call: named (a `call` step) or positional (an expression). */
type CallArguments =
  | { readonly kind: 'named'; readonly args: JsonObject }
  | { readonly kind: 'positional'; readonly args: readonly JsonValue[] }
  | { readonly kind: 'main'; readonly args: JsonValue };

/** The state of one executing (sub)workflow call. */
interface Frame {
  readonly scope: VariableScope;
  readonly depth: number;
  /** Inside a parallel branch: assign steps run one at a time, so shared updates are atomic. */
  readonly isParallel: boolean;
  /** This frame already holds the assignment lock (a subworkflow called from a locked assign). */
  readonly holdsLock: boolean;
  /** The journal path steps of this frame are keyed under. */
  readonly path: string;
  /** Subworkflow calls made by the step executing in this frame, to key each call's steps. */
  readonly calls: { count: number };
}

const NORMAL: Flow = { kind: 'normal' };

class WorkflowRun<Context> {
  readonly #workflow: WorkflowDefinition;
  readonly #options: RunWorkflowOptions<Context>;
  readonly #services: RuntimeServices;
  readonly #maxSteps: number;
  readonly #maxCallDepth: number;
  readonly #failedSteps = new WeakMap<object, { step: string; path: DocumentPath }>();
  /** Errors of the run itself (journal unavailable, lease lost): fatal, never journaled again. */
  readonly #journalFailures = new WeakSet<object>();
  /** Errors taken from the journal: retried without sleeping the backoff again. */
  readonly #replayedFailures = new WeakSet<object>();
  #cancelledAt: string | undefined;
  #executed = 0;
  #depth = 0;
  #assignments: Promise<void> = Promise.resolve();

  constructor(workflow: WorkflowDefinition, options: RunWorkflowOptions<Context>) {
    this.#workflow = workflow;
    this.#options = options;
    this.#maxSteps = options.maxSteps ?? DEFAULT_MAX_STEPS;
    this.#maxCallDepth = options.maxCallDepth ?? DEFAULT_MAX_CALL_DEPTH;
    this.#services = {
      clock: options.clock ?? systemWorkflowClock,
      env: options.env ?? {},
      log: options.log ?? (() => {}),
    };
  }

  async callSubworkflow(subworkflow: Subworkflow, call: CallArguments, caller?: Frame): Promise<JsonValue> {
    const depth = this.#depth + 1;
    if (depth > this.#maxCallDepth) {
      throw workflowError(
        'RecursionError',
        `maximum call depth of ${this.#maxCallDepth} exceeded calling '${subworkflow.name}'`,
      );
    }
    const scope = bindParameters(subworkflow, call);
    this.#depth = depth;
    const path = caller ? `${caller.path}>${subworkflow.name}#${caller.calls.count++}` : subworkflow.name;
    try {
      const flow = await this.#runSteps(subworkflow.steps, {
        scope,
        depth,
        isParallel: caller?.isParallel ?? false,
        holdsLock: caller?.holdsLock ?? false,
        path,
        calls: { count: 0 },
      });
      if (flow.kind === 'return') return flow.value;
      if (flow.kind === 'end' || flow.kind === 'normal') return null;
      throw misplacedFlow(flow, `subworkflow '${subworkflow.name}'`);
    } finally {
      this.#depth = depth - 1;
    }
  }

  failedOutcome(error: unknown): WorkflowOutcome {
    if (this.#cancelledAt !== undefined) return { kind: 'cancelled', step: this.#cancelledAt };
    const failure = toWorkflowError(error);
    const at = this.#failedSteps.get(failure) ?? { step: this.#workflow.main.name, path: [] };
    const location = this.#workflow.locate?.(at.path);
    const tags = tagsOf(failure.value);
    const quantaError =
      failure.cause ??
      new QuantaError(
        'QUANTA_WORKFLOW_FAILED',
        `${tags.length > 0 ? `${tags.join(', ')}: ` : ''}${messageOf(failure.value)}`,
        {
          ...(location ? { location } : {}),
          fix: tags.includes('ResourceLimitError')
            ? 'look for a loop that never ends, or split the work'
            : 'catch it with try/except, or fix the step that raised it',
        },
      );
    return { kind: 'failed', error: serializeError(quantaError), step: at.step, raised: failure.value };
  }

  async #runSteps(steps: readonly Step[], frame: Frame): Promise<Flow> {
    let index = 0;
    // A jump back makes a step run again: each visit is a journal entry of its own.
    const visits = new Map<string, number>();
    while (index < steps.length) {
      const step = steps[index] as Step;
      const visit = visits.get(step.name) ?? 0;
      visits.set(step.name, visit + 1);
      const key = `${frame.path}/${step.name}${visit === 0 ? '' : `#${visit}`}`;
      const flow = await this.#runStep(step, { ...frame, path: key, calls: { count: 0 } });
      if (flow.kind === 'normal') {
        index += 1;
        continue;
      }
      if (flow.kind !== 'jump') return flow;
      if (flow.target === 'end') return { kind: 'end' };
      if (flow.target === 'break') return { kind: 'break' };
      if (flow.target === 'continue') return { kind: 'continue' };
      const target = steps.findIndex((step) => step.name === flow.target);
      if (target < 0) return flow;
      index = target;
    }
    return NORMAL;
  }

  /** Runs one step in `frame`, whose path is the step's own journal key. */
  async #runStep(step: Step, frame: Frame): Promise<Flow> {
    this.#executed += 1;
    if (this.#executed > this.#maxSteps) {
      const error = new WorkflowError(
        {
          message: `the run exceeded ${this.#maxSteps} steps (Cloud Workflows allows 100,000): a loop that never ends?`,
          tags: ['ResourceLimitError'],
        },
        { isFatal: true },
      );
      this.#failedSteps.set(error, { step: step.name, path: step.path });
      throw error;
    }
    const replayed = this.#options.replay?.get(frame.path);
    const flow = replayed
      ? this.#replayStep(replayed, { step, frame })
      : await this.#executeJournaled(step, frame);
    if (flow.kind === 'normal' && step.next !== undefined) return { kind: 'jump', target: step.next };
    return flow;
  }

  /** Takes a step's journaled outcome instead of executing it: restores its variables, or raises its error. */
  #replayStep(replayed: ReplayedStep, at: { step: Step; frame: Frame }): Flow {
    if (replayed.kind === 'failed') {
      const error = new WorkflowError(replayed.raised, { isLocated: true });
      this.#replayedFailures.add(error);
      this.#failedSteps.set(error, { step: at.step.name, path: at.step.path });
      throw error;
    }
    at.frame.scope.restore(replayed.scopes, replayed.seq);
    return replayed.flow;
  }

  async #executeJournaled(step: Step, frame: Frame): Promise<Flow> {
    if (this.#options.isCancelled?.() || this.#options.signal?.aborted) throw this.#cancelled(step.name);
    const entry = { step: step.name, path: frame.path };
    await this.#record({ ...entry, kind: 'started' });
    const started = performance.now();
    let outcome: { flow: Flow; data?: JsonValue };
    try {
      outcome = await this.#execute(step, frame);
    } catch (error) {
      const failure = toWorkflowError(error);
      if (this.#journalFailures.has(failure)) throw failure;
      if (!this.#failedSteps.has(failure))
        this.#failedSteps.set(failure, { step: step.name, path: step.path });
      await this.#record({
        ...entry,
        kind: 'failed',
        data: journalError(failure),
        durationMs: performance.now() - started,
        ...(failure.isFatal ? {} : { replay: failedReplay(failure.value) }),
      });
      throw failure;
    }
    const { flow, data } = outcome;
    const replay = succeededReplay(flow, frame.scope.snapshot());
    await this.#record({
      ...entry,
      kind: 'succeeded',
      ...(data === undefined ? {} : { data }),
      durationMs: performance.now() - started,
      ...(replay ? { replay } : {}),
    });
    return flow;
  }

  /** Journals an entry; a journal that cannot record ends the run (nothing may run unjournaled). */
  async #record(entry: StepJournalEntry): Promise<void> {
    try {
      await this.#options.journal.record(entry);
    } catch (error) {
      const cause =
        error instanceof QuantaError
          ? error
          : new QuantaError('QUANTA_STORE_UNAVAILABLE', `the step journal failed: ${String(error)}`);
      const failure = new WorkflowError(
        { message: cause.message, code: cause.code, tags: ['SystemError'] },
        { isFatal: true, cause },
      );
      this.#journalFailures.add(failure);
      this.#failedSteps.set(failure, { step: entry.step, path: [] });
      throw failure;
    }
  }

  async #execute(step: Step, frame: Frame): Promise<{ flow: Flow; data?: JsonValue }> {
    switch (step.kind) {
      case 'assign':
        if (frame.isParallel && !frame.holdsLock) {
          await this.#exclusive(() => this.#runAssignments(step, { ...frame, holdsLock: true }));
        } else await this.#runAssignments(step, frame);
        return { flow: NORMAL };
      case 'call':
        return this.#runCall(step, frame);
      case 'return':
        return this.#returnFlow(step.value, { path: [...step.path, 'return'], frame });
      case 'raise': {
        const value = await this.#evaluate(step.value, { path: [...step.path, 'raise'], frame });
        throw new WorkflowError(value, { isLocated: true });
      }
      case 'switch':
        return { flow: await this.#runSwitch(step, frame) };
      case 'for':
        return { flow: await this.#runLoop(step.loop, frame) };
      case 'parallel':
        return { flow: await this.#runParallel(step, frame) };
      case 'try':
        return { flow: await this.#runTry(step, frame) };
      case 'steps':
        return { flow: await this.#runSteps(step.steps, frame) };
      case 'next':
        return { flow: NORMAL };
    }
  }

  async #runAssignments(step: Step & { kind: 'assign' }, frame: Frame): Promise<void> {
    for (const [index, [target, value]] of step.assignments.entries()) {
      const resolved = await this.#evaluate(value, { path: [...step.path, 'assign', index, target], frame });
      await this.#assign(target, { value: resolved, frame, path: [...step.path, 'assign', index] });
    }
  }

  /** Runs work after every earlier exclusive work of the run, one at a time. */
  #exclusive(work: () => Promise<void>): Promise<void> {
    const run = this.#assignments.then(work);
    this.#assignments = run.catch(() => {});
    return run;
  }

  async #returnFlow(
    value: JsonValue,
    at: { path: DocumentPath; frame: Frame },
  ): Promise<{ flow: Flow; data: JsonValue }> {
    const resolved = await this.#evaluate(value, at);
    return { flow: { kind: 'return', value: resolved }, data: resolved };
  }

  async #runCall(step: CallStep, frame: Frame): Promise<{ flow: Flow; data: JsonValue }> {
    const args = await this.#evaluate(step.args, { path: [...step.path, 'args'], frame });
    const value = await this.#invoke(step.call, {
      call: { kind: 'named', args: isJsonObject(args) ? args : {} },
      frame,
      step: step.name,
    });
    if (step.result) frame.scope.set(step.result, value);
    return { flow: NORMAL, data: value };
  }

  async #invoke(name: string, at: { call: CallArguments; frame: Frame; step?: string }): Promise<JsonValue> {
    const { call } = at;
    const block = this.#options.blocks.get(name);
    if (block) {
      if (call.kind !== 'named') {
        throw workflowError(
          'TypeError',
          `${name} is a block: call it with a \`call:\` step, not in an expression`,
        );
      }
      return this.#runBlock(block, { args: call.args, step: at.step ?? name });
    }
    const subworkflow = this.#workflow.subworkflows.get(name);
    if (subworkflow && name !== 'main') return this.callSubworkflow(subworkflow, call, at.frame);
    const fn = STANDARD_LIBRARY.get(name);
    if (fn) return this.#callFunction(fn, call);
    throw new QuantaError('QUANTA_WORKFLOW_FAILED', `unknown call '${name}'`, {
      fix: `call one of: ${[...this.#options.blocks.keys(), ...[...this.#workflow.subworkflows.keys()].filter((key) => key !== 'main')].sort().join(', ')}, or a standard library function`,
    });
  }

  /**
   * Runs a block under its timeout (the call's `timeout` argument in seconds, else the run's
   * default) and the run's abort signal. A block still busy when either fires is told through
   * its own abort signal (the engine interrupts its statement): a timeout raises TimeoutError
   * with code QUANTA_STEP_TIMEOUT, which `try`/`retry` may catch like any other error; an
   * aborted run ends `cancelled` at this step.
   */
  async #runBlock(block: Block<Context>, at: { args: JsonObject; step: string }): Promise<JsonValue> {
    const { [TIMEOUT_ARGUMENT]: timeout, ...blockArgs } = at.args;
    const timeoutMs = typeof timeout === 'number' ? timeout * 1000 : this.#options.stepTimeoutMs;
    const runSignal = this.#options.signal;
    if (runSignal?.aborted) throw this.#cancelled(at.step);
    const controller = new AbortController();
    if (timeoutMs === undefined && !runSignal) return block.run(blockArgs, this.#options.context, controller);
    const timers = new AbortController();
    const work = block
      .run(blockArgs, this.#options.context, controller)
      .then((value): BlockEnd => ({ kind: 'done', value }));
    const ends: Promise<BlockEnd>[] = [work];
    if (timeoutMs !== undefined) {
      ends.push(
        this.#services.clock.sleep(timeoutMs, timers.signal).then((): BlockEnd => ({ kind: 'expired' })),
      );
    }
    if (runSignal)
      ends.push(untilAborted(runSignal, timers.signal).then((): BlockEnd => ({ kind: 'aborted' })));
    try {
      const first = await Promise.race(ends);
      if (first.kind === 'done') return first.value;
      controller.abort();
      // The block's own error after the abort is not the step's error: the timeout (or cancellation) is.
      work.catch(() => undefined);
      if (first.kind === 'aborted') throw this.#cancelled(at.step);
      throw stepTimeoutError(block.name, (timeoutMs ?? 0) / 1000);
    } finally {
      timers.abort();
    }
  }

  /** Ends the run `cancelled` at `step`: a fatal error no `except` catches. */
  #cancelled(step: string): WorkflowError {
    this.#cancelledAt = step;
    return new WorkflowError(
      { message: 'the run was cancelled', tags: ['CancelledError'] },
      { isFatal: true },
    );
  }

  async #callFunction(fn: StdlibFunction, call: CallArguments): Promise<JsonValue> {
    if (call.kind !== 'named' && fn.isBlocking) {
      throw workflowError(
        'TypeError',
        `${fn.name} is a blocking call: use it in a \`call:\` step, not in an expression`,
      );
    }
    const args =
      call.kind === 'named'
        ? namedToPositional(fn, call.args)
        : call.kind === 'positional'
          ? [...call.args]
          : [];
    if (args.length > fn.params.length) {
      throw workflowError(
        'TypeError',
        `${fn.name} takes at most ${fn.params.length} argument(s), got ${args.length}`,
      );
    }
    const missing = fn.params.slice(0, fn.required).find((_param, index) => args[index] === undefined);
    if (missing !== undefined)
      throw workflowError('TypeError', `${fn.name} is missing its argument '${missing}'`);
    return fn.call(args, this.#services);
  }

  async #runSwitch(step: SwitchStep, frame: Frame): Promise<Flow> {
    for (const [index, branch] of step.cases.entries()) {
      const condition = await this.#evaluate(branch.condition, {
        path: [...branch.path, 'condition'],
        frame,
      });
      if (typeof condition !== 'boolean') {
        throw this.#locate(
          workflowError(
            'TypeError',
            `switch condition ${index} must be a boolean, got ${JSON.stringify(condition)}`,
          ),
          [...branch.path, 'condition'],
        );
      }
      if (!condition) continue;
      const flow = branch.body
        ? (await this.#execute(branch.body, { ...frame, path: `${frame.path}?${index}` })).flow
        : NORMAL;
      if (flow.kind !== 'normal') return flow;
      return branch.next !== undefined ? { kind: 'jump', target: branch.next } : NORMAL;
    }
    return NORMAL;
  }

  async #runLoop(loop: ForLoop, frame: Frame): Promise<Flow> {
    for await (const [index, item] of this.#iterate(loop, frame)) {
      const scope = frame.scope.loopScope();
      scope.declare(loop.value, item);
      if (loop.index) scope.declare(loop.index, index);
      const flow = await this.#runSteps(loop.steps, { ...frame, scope, path: `${frame.path}[${index}]` });
      if (flow.kind === 'break') break;
      if (flow.kind === 'normal' || flow.kind === 'continue') continue;
      if (flow.kind === 'jump') throw misplacedFlow(flow, 'a for loop');
      return flow;
    }
    return NORMAL;
  }

  async *#iterate(loop: ForLoop, frame: Frame): AsyncGenerator<[number, JsonValue]> {
    if (loop.range !== undefined) {
      const range = await this.#evaluate(loop.range, { path: [...loop.path, 'range'], frame });
      if (!Array.isArray(range) || range.length !== 2 || !range.every((bound) => typeof bound === 'number')) {
        throw this.#locate(workflowError('TypeError', 'range must be a list of two numbers'), [
          ...loop.path,
          'range',
        ]);
      }
      const [start, end] = range as [number, number];
      for (let value = start, index = 0; value <= end; value += 1, index += 1) yield [index, value];
      return;
    }
    const items = await this.#evaluate(loop.in ?? null, { path: [...loop.path, 'in'], frame });
    if (!Array.isArray(items)) {
      throw this.#locate(
        workflowError(
          'TypeError',
          `for ... in needs a list (use keys(map) for a map), got ${JSON.stringify(items)}`,
        ),
        [...loop.path, 'in'],
      );
    }
    for (const [index, item] of items.entries()) yield [index, item];
  }

  async #runParallel(step: ParallelStep, frame: Frame): Promise<Flow> {
    const tasks: { id: JsonValue; run: () => Promise<Flow> }[] = [];
    for (const branch of step.branches ?? []) {
      tasks.push({
        id: branch.name,
        run: () =>
          this.#runSteps(branch.steps, {
            ...frame,
            isParallel: true,
            scope: frame.scope.branchScope(step.shared),
            path: `${frame.path}{${branch.name}}`,
          }),
      });
    }
    if (step.loop) {
      const loop = step.loop;
      for await (const [index, item] of this.#iterate(loop, frame)) {
        tasks.push({
          id: index,
          run: () => {
            const scope = frame.scope.branchScope(step.shared);
            scope.declare(loop.value, item);
            if (loop.index) scope.declare(loop.index, index);
            return this.#runSteps(loop.steps, {
              ...frame,
              isParallel: true,
              scope,
              path: `${frame.path}[${index}]`,
            });
          },
        });
      }
    }
    const limit = await this.#concurrencyLimit(step, frame);
    const failures = await runConcurrently(tasks, { limit, isContinueAll: step.isContinueAll });
    if (failures.length === 0) return NORMAL;
    const fatal = failures.find((failure) => failure.error.isFatal);
    if (fatal) throw fatal.error;
    const [first] = failures as [(typeof failures)[number]];
    throw new WorkflowError(
      {
        message: `UnhandledBranchError: ${failures.length} branch(es) of '${step.name}' raised an unhandled error; the first: ${messageOf(first.error.value)}`,
        tags: ['UnhandledBranchError'],
        branches: failures.map((failure) => ({ id: failure.id, error: failure.error.value })),
      },
      { isLocated: true, ...(first.error.cause ? { cause: first.error.cause } : {}) },
    );
  }

  async #concurrencyLimit(step: ParallelStep, frame: Frame): Promise<number> {
    if (step.concurrencyLimit === undefined) return Number.POSITIVE_INFINITY;
    const limit = await this.#evaluate(step.concurrencyLimit, {
      path: [...step.path, 'parallel', 'concurrency_limit'],
      frame,
    });
    if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1) {
      throw workflowError(
        'ValueError',
        `concurrency_limit must be a positive integer, got ${JSON.stringify(limit)}`,
      );
    }
    return limit;
  }

  async #runTry(step: TryStep, frame: Frame): Promise<Flow> {
    for (let retries = 0; ; retries += 1) {
      try {
        // Each attempt's steps are journaled apart, so a resumed run replays the attempts in order.
        return await this.#runSteps(step.body, {
          ...frame,
          path: retries === 0 ? frame.path : `${frame.path}@${retries}`,
        });
      } catch (error) {
        const failure = toWorkflowError(error);
        if (failure.isFatal) throw failure;
        const { retry } = step;
        if (
          retry &&
          retries < retry.maxRetries &&
          (await this.#shouldRetry(retry.predicate, { error: failure.value, frame }))
        ) {
          if (!this.#replayedFailures.has(failure))
            await this.#services.clock.sleep(retryDelay(retry.backoff, retries) * 1000);
          continue;
        }
        if (!step.except) throw failure;
        if (step.except.as) frame.scope.set(step.except.as, failure.value);
        return this.#runSteps(step.except.steps, { ...frame, path: `${frame.path}!` });
      }
    }
  }

  async #shouldRetry(predicate: string, at: { error: JsonValue; frame: Frame }): Promise<boolean> {
    const { error, frame } = at;
    const builtin = BUILTIN_PREDICATES.get(predicate);
    if (builtin) return builtin(error);
    const subworkflow = this.#workflow.subworkflows.get(predicate);
    if (!subworkflow) {
      throw new QuantaError('QUANTA_WORKFLOW_FAILED', `unknown retry predicate '${predicate}'`, {
        fix: `use a subworkflow or one of ${[...BUILTIN_PREDICATES.keys()].join(', ')}`,
      });
    }
    const verdict = await this.callSubworkflow(subworkflow, { kind: 'positional', args: [error] }, frame);
    if (typeof verdict !== 'boolean') {
      throw workflowError('TypeError', `retry predicate '${predicate}' must return a boolean`);
    }
    return verdict;
  }

  /** Assigns `a`, `a.b`, `a["k"]` or `a[0]`, copying the containers on the way (values stay immutable). */
  async #assign(target: string, at: { value: JsonValue; frame: Frame; path: DocumentPath }): Promise<void> {
    let expression: Expression;
    try {
      expression = expressionOf(target);
    } catch (error) {
      throw this.#locate(toWorkflowError(error), at.path);
    }
    const segments: (string | number)[] = [];
    let node = expression;
    while (node.kind === 'member' || node.kind === 'index') {
      if (node.kind === 'member') segments.unshift(node.name);
      else {
        const key = await this.#evaluate(`\${${targetText(target, node.index)}}`, {
          path: at.path,
          frame: at.frame,
        });
        if (typeof key !== 'string' && typeof key !== 'number') {
          throw this.#locate(
            workflowError('TypeError', `cannot assign to index ${JSON.stringify(key)}`),
            at.path,
          );
        }
        segments.unshift(key);
      }
      node = node.object;
    }
    if (node.kind !== 'variable') {
      throw this.#locate(workflowError('ValueError', `cannot assign to '${target}'`), at.path);
    }
    if (segments.length === 0) {
      at.frame.scope.set(node.name, at.value);
      return;
    }
    if (!at.frame.scope.has(node.name)) {
      throw this.#locate(workflowError('KeyError', `variable '${node.name}' is not assigned`), at.path);
    }
    const root = at.frame.scope.get(node.name) ?? null;
    try {
      at.frame.scope.set(node.name, setIn(root, { segments, value: at.value }));
    } catch (error) {
      throw this.#locate(toWorkflowError(error), at.path);
    }
  }

  async #evaluate(value: JsonValue, at: { path: DocumentPath; frame: Frame }): Promise<JsonValue> {
    try {
      return await resolveValue(value, at.frame.scope, this.#functions(at.frame));
    } catch (error) {
      throw this.#locate(toWorkflowError(error), at.path);
    }
  }

  #functions(frame: Frame): ExpressionFunctions {
    return { call: (name, args) => this.#invoke(name, { call: { kind: 'positional', args }, frame }) };
  }

  /** Adds the `file:line:col` (and the expression column) to a runtime error map's message. */
  #locate(error: WorkflowError, path: DocumentPath): WorkflowError {
    if (
      error.isLocated ||
      error.cause ||
      !isJsonObject(error.value) ||
      !tagsOf(error.value).some((tag) => LOCATED_TAGS.has(tag))
    ) {
      return error;
    }
    const location = this.#workflow.locate?.(path);
    const where = location ? formatLocation(location) : this.#workflow.file;
    const column = error.column === undefined ? '' : `, expression column ${error.column}`;
    return new WorkflowError(
      { ...error.value, message: `${messageOf(error.value)} (at ${where}${column})` },
      { isLocated: true, ...(error.column === undefined ? {} : { column: error.column }) },
    );
  }
}

function bindParameters(subworkflow: Subworkflow, call: CallArguments): VariableScope {
  const scope = VariableScope.create();
  const { params } = subworkflow;
  const defaults = subworkflow.defaults ?? {};
  if (call.kind === 'main') {
    const [param] = params;
    if (param) scope.set(param, call.args);
    return scope;
  }
  const given =
    call.kind === 'named'
      ? call.args
      : Object.fromEntries(call.args.map((value, index) => [params[index] ?? `#${index}`, value]));
  const unknown = Object.keys(given).find((name) => !params.includes(name));
  if (unknown !== undefined) {
    throw workflowError('TypeError', `subworkflow '${subworkflow.name}' has no parameter '${unknown}'`);
  }
  for (const param of params) {
    if (Object.hasOwn(given, param)) scope.set(param, given[param] ?? null);
    else if (Object.hasOwn(defaults, param)) scope.set(param, defaults[param] ?? null);
    else
      throw workflowError(
        'TypeError',
        `subworkflow '${subworkflow.name}' is missing its parameter '${param}'`,
      );
  }
  return scope;
}

function namedToPositional(fn: StdlibFunction, args: JsonObject): (JsonValue | undefined)[] {
  const unknown = Object.keys(args).find((name) => !fn.params.includes(name));
  if (unknown !== undefined) {
    throw workflowError(
      'TypeError',
      `${fn.name} has no argument '${unknown}' (it takes ${fn.params.join(', ') || 'none'})`,
    );
  }
  const positional = fn.params.map((param) => args[param]);
  while (positional.length > 0 && positional[positional.length - 1] === undefined) positional.pop();
  return positional;
}

/** The source text of an index expression inside an assignment target. */
function targetText(target: string, index: Expression): string {
  let depth = 0;
  for (let at = index.at; at < target.length; at += 1) {
    const char = target[at];
    if (char === '[' || char === '(') depth += 1;
    if ((char === ']' || char === ')') && depth-- === 0) return target.slice(index.at, at);
  }
  return target.slice(index.at);
}

function setIn(
  container: JsonValue,
  change: { segments: readonly (string | number)[]; value: JsonValue },
): JsonValue {
  const [segment, ...rest] = change.segments;
  if (segment === undefined) return change.value;
  if (Array.isArray(container)) {
    if (typeof segment !== 'number' || !Number.isInteger(segment)) {
      throw workflowError('TypeError', `list indices must be integers, got ${JSON.stringify(segment)}`);
    }
    if (segment < 0 || segment >= container.length) {
      throw workflowError('IndexError', `list index ${segment} out of range (length ${container.length})`);
    }
    const copy = [...container];
    copy[segment] = setIn(copy[segment] ?? null, { segments: rest, value: change.value });
    return copy;
  }
  if (isJsonObject(container)) {
    if (typeof segment !== 'string') throw workflowError('TypeError', 'map keys must be strings');
    if (rest.length > 0 && !Object.hasOwn(container, segment)) {
      throw workflowError('KeyError', `key not found: ${segment}`);
    }
    return {
      ...container,
      [segment]: setIn(container[segment] ?? null, { segments: rest, value: change.value }),
    };
  }
  throw workflowError('TypeError', `cannot assign into a ${container === null ? 'null' : typeof container}`);
}

async function runConcurrently(
  tasks: readonly { id: JsonValue; run: () => Promise<Flow> }[],
  options: { limit: number; isContinueAll: boolean },
): Promise<{ id: JsonValue; error: WorkflowError }[]> {
  const failures: { id: JsonValue; error: WorkflowError }[] = [];
  let next = 0;
  let isStopped = false;
  const worker = async (): Promise<void> => {
    while (next < tasks.length && !isStopped) {
      const task = tasks[next] as (typeof tasks)[number];
      next += 1;
      try {
        const flow = await task.run();
        if (flow.kind === 'jump') throw misplacedFlow(flow, 'a parallel branch');
      } catch (error) {
        const failure = toWorkflowError(error);
        failures.push({ id: task.id, error: failure });
        if (!options.isContinueAll || failure.isFatal) isStopped = true;
      }
    }
  };
  const workers = Math.max(1, Math.min(options.limit, tasks.length));
  await Promise.all(Array.from({ length: workers }, worker));
  return failures;
}

/** How a block call under a timeout or an abortable run ended first. */
type BlockEnd =
  | { readonly kind: 'done'; readonly value: JsonValue }
  | { readonly kind: 'expired' }
  | { readonly kind: 'aborted' };

/** Resolves once `signal` aborts, or once `stop` does (then nobody is waiting any more). */
function untilAborted(signal: AbortSignal, stop: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted || stop.aborted) return resolve();
    const done = () => {
      signal.removeEventListener('abort', done);
      stop.removeEventListener('abort', done);
      resolve();
    };
    signal.addEventListener('abort', done);
    stop.addEventListener('abort', done);
  });
}

/** TimeoutError, as Cloud Workflows raises it, with the stable code the run reports. */
function stepTimeoutError(block: string, seconds: number): WorkflowError {
  const message = `${block} did not finish within ${seconds} s`;
  const cause = new QuantaError('QUANTA_STEP_TIMEOUT', message, {
    fix: "raise the step's `timeout` (seconds), or make the work smaller",
  });
  return new WorkflowError({ message, code: cause.code, tags: ['TimeoutError'] }, { cause });
}

function misplacedFlow(flow: Flow, where: string): QuantaError {
  const what = flow.kind === 'jump' ? `next: ${flow.target}` : `next: ${flow.kind}`;
  return new QuantaError('QUANTA_WORKFLOW_FAILED', `\`${what}\` names no step reachable from ${where}`, {
    fix: 'jump to a step of the same list or an enclosing one (not out of a loop, branch or subworkflow)',
  });
}

function journalError(failure: WorkflowError): JsonValue {
  return failure.cause
    ? (JSON.parse(JSON.stringify(serializeError(failure.cause))) as JsonValue)
    : failure.value;
}
