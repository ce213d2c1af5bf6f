import type { JsonValue } from '@quanta/model';
import type { Scope } from './evaluate-expression.ts';
import { workflowError } from './workflow-error.ts';

/** Cloud Workflows' limit on the size of one variable (512 KB). */
export const MAX_VARIABLE_BYTES = 512 * 1024;

/**
 * Variables as Cloud Workflows scopes them. A subworkflow call starts a fresh scope. A `for`
 * iteration and a parallel branch get a child scope: variables they create stay there, and
 * assignments to existing outer variables go to the outer scope; across a parallel branch
 * only the step's `shared` variables are written through.
 */
export class VariableScope implements Scope {
  readonly #variables = new Map<string, JsonValue>();
  readonly #parent: VariableScope | undefined;
  readonly #shared: ReadonlySet<string> | undefined;

  private constructor(parent?: VariableScope, shared?: ReadonlySet<string>) {
    this.#parent = parent;
    this.#shared = shared;
  }

  /** A subworkflow's scope. */
  static create(): VariableScope {
    return new VariableScope();
  }

  /** A `for` iteration's scope (outer variables writable). */
  loopScope(): VariableScope {
    return new VariableScope(this);
  }

  /** A parallel branch's scope: only `shared` outer variables are writable. */
  branchScope(shared: readonly string[]): VariableScope {
    return new VariableScope(this, new Set(shared));
  }

  has(name: string): boolean {
    return this.#variables.has(name) || (this.#parent?.has(name) ?? false);
  }

  get(name: string): JsonValue | undefined {
    if (this.#variables.has(name)) return this.#variables.get(name);
    return this.#parent?.get(name);
  }

  /** Assigns: the variable's owning scope when writable from here, else this scope. */
  set(name: string, value: JsonValue): void {
    checkSize(name, value);
    (this.#owner(name) ?? this).#variables.set(name, value);
  }

  /** Creates a variable in this scope even when an outer one has the name (loop variables). */
  declare(name: string, value: JsonValue): void {
    checkSize(name, value);
    this.#variables.set(name, value);
  }

  #owner(name: string): VariableScope | undefined {
    if (this.#variables.has(name)) return this;
    if (!this.#parent) return undefined;
    if (this.#shared && !this.#shared.has(name)) return undefined;
    return this.#parent.#owner(name);
  }
}

function checkSize(name: string, value: JsonValue): void {
  if (typeof value !== 'object' && typeof value !== 'string') return;
  const bytes = Buffer.byteLength(JSON.stringify(value) ?? '');
  if (bytes > MAX_VARIABLE_BYTES) {
    throw workflowError(
      'ResourceLimitError',
      `variable '${name}' would hold ${bytes} bytes, over the 512 KB limit of a workflow variable: pass a handle (a file, a snapshot address) instead of the data`,
    );
  }
}
