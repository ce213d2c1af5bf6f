import type { DocumentPath, JsonValue } from '@quanta/model';

/** A parsed workflow: `main` plus any subworkflows, each a list of steps. */
export interface WorkflowDefinition {
  readonly file: string;
  readonly main: Subworkflow;
  readonly subworkflows: ReadonlyMap<string, Subworkflow>;
}

/** A named list of steps with parameters. */
export interface Subworkflow {
  readonly name: string;
  readonly params: readonly string[];
  readonly steps: readonly Step[];
}

/** One step. The `kind` says which of Cloud Workflows' step forms it is. */
export type Step = CallStep | AssignStep | ReturnStep;

/** `call: <function>` with `args` and an optional `result` variable. */
export interface CallStep {
  readonly kind: 'call';
  readonly name: string;
  /** Where the step is written in the document. */
  readonly path: DocumentPath;
  readonly call: string;
  readonly args: Readonly<Record<string, JsonValue>>;
  readonly result?: string;
}

/** `assign:` a list of `{ variable: value }`. */
export interface AssignStep {
  readonly kind: 'assign';
  readonly name: string;
  /** Where the step is written in the document. */
  readonly path: DocumentPath;
  readonly assignments: readonly (readonly [string, JsonValue])[];
}

/** `return: <value>` ends the (sub)workflow with a value. */
export interface ReturnStep {
  readonly kind: 'return';
  readonly name: string;
  /** Where the step is written in the document. */
  readonly path: DocumentPath;
  readonly value: JsonValue;
}
