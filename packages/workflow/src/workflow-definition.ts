import type { DocumentPath, JsonValue, LocateInFile } from '@quanta/model';

/** A parsed workflow: `main` plus any subworkflows, each a list of steps. */
export interface WorkflowDefinition {
  readonly file: string;
  readonly main: Subworkflow;
  readonly subworkflows: ReadonlyMap<string, Subworkflow>;
  /** Positions of the document's nodes, so runtime errors carry `file:line:col`. */
  readonly locate?: LocateInFile;
}

/** A named list of steps with parameters; `defaults` holds the optional ones' values. */
export interface Subworkflow {
  readonly name: string;
  readonly params: readonly string[];
  readonly defaults?: Readonly<Record<string, JsonValue>>;
  readonly steps: readonly Step[];
}

/** One step. The `kind` says which of Cloud Workflows' step forms it is. */
export type Step =
  | CallStep
  | AssignStep
  | ReturnStep
  | RaiseStep
  | SwitchStep
  | ForStep
  | ParallelStep
  | TryStep
  | StepsStep
  | NextStep;

/** What every step has: its name, where it is written, and an optional `next` jump. */
interface StepBase {
  readonly name: string;
  /** Where the step is written in the document. */
  readonly path: DocumentPath;
  /** `next:` a step name, `end`, `break` or `continue`, taken after the step completes. */
  readonly next?: string;
}

/** `call: <function>` with `args` and an optional `result` variable. */
export interface CallStep extends StepBase {
  readonly kind: 'call';
  readonly call: string;
  readonly args: Readonly<Record<string, JsonValue>>;
  readonly result?: string;
}

/** `assign:` a list of `{ target: value }`; a target may be `a`, `a.b`, `a["k"]` or `a[0]`. */
export interface AssignStep extends StepBase {
  readonly kind: 'assign';
  readonly assignments: readonly (readonly [string, JsonValue])[];
}

/** `return: <value>` ends the (sub)workflow with a value. */
export interface ReturnStep extends StepBase {
  readonly kind: 'return';
  readonly value: JsonValue;
}

/** `raise: <value>` raises a string or a map (or any value) as an error. */
export interface RaiseStep extends StepBase {
  readonly kind: 'raise';
  readonly value: JsonValue;
}

/** `switch:` the first case whose condition is true runs its embedded step and/or jumps. */
export interface SwitchStep extends StepBase {
  readonly kind: 'switch';
  readonly cases: readonly SwitchCase[];
}

/** One `condition:` of a switch, with an embedded step (steps, assign, return, raise...) and/or `next`. */
export interface SwitchCase {
  readonly condition: JsonValue;
  readonly path: DocumentPath;
  readonly body?: Step;
  readonly next?: string;
}

/** A `for` loop over a list (`in`) or an inclusive numeric `range`. */
export interface ForLoop {
  readonly value: string;
  readonly index?: string;
  readonly in?: JsonValue;
  readonly range?: JsonValue;
  readonly steps: readonly Step[];
  readonly path: DocumentPath;
}

/** `for:` runs its steps once per item; variables created inside are local to an iteration. */
export interface ForStep extends StepBase {
  readonly kind: 'for';
  readonly loop: ForLoop;
}

/** One named branch of a parallel step. */
export interface ParallelBranch {
  readonly name: string;
  readonly path: DocumentPath;
  readonly steps: readonly Step[];
}

/** `parallel:` branches or a for loop whose iterations run concurrently. */
export interface ParallelStep extends StepBase {
  readonly kind: 'parallel';
  readonly shared: readonly string[];
  readonly concurrencyLimit?: JsonValue;
  readonly isContinueAll: boolean;
  readonly branches?: readonly ParallelBranch[];
  readonly loop?: ForLoop;
}

/** How a failed `try` body is retried. */
export interface RetryPolicy {
  /** A built-in predicate (`http.default_retry_predicate`, `retry.always`...) or a subworkflow name. */
  readonly predicate: string;
  readonly maxRetries: number;
  readonly backoff: Backoff;
}

/** Delays between attempts, in seconds: `initialDelay`, times `multiplier` each time, at most `maxDelay`. */
export interface Backoff {
  readonly initialDelay: number;
  readonly maxDelay: number;
  readonly multiplier: number;
}

/** `try:` a body, with an optional `retry` policy and an `except` handler. */
export interface TryStep extends StepBase {
  readonly kind: 'try';
  readonly body: readonly Step[];
  readonly retry?: RetryPolicy;
  readonly except?: { readonly as?: string; readonly steps: readonly Step[] };
}

/** `steps:` a nested list of steps. */
export interface StepsStep extends StepBase {
  readonly kind: 'steps';
  readonly steps: readonly Step[];
}

/** A step with only `next:`, a jump. */
export interface NextStep extends StepBase {
  readonly kind: 'next';
}
