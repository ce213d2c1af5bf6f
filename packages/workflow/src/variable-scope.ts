import type { JsonObject, JsonValue } from '@quanta/model';
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
  #restoredSeq = Number.NEGATIVE_INFINITY;

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

  /**
   * The variables of this scope and of each enclosing one up to the subworkflow's, innermost
   * first: what a journaled step leaves behind, so that a resumed run can restore it.
   */
  snapshot(): JsonObject[] {
    const levels: JsonObject[] = [];
    for (let scope: VariableScope | undefined = this; scope; scope = scope.#parent) {
      levels.push(Object.fromEntries(scope.#variables));
    }
    return levels;
  }

  /**
   * Puts back what {@link snapshot} took, level by level. `seq` orders snapshots: a level keeps
   * the latest one it was given, so parallel branches replayed in any order leave the shared
   * variables as the original run last wrote them.
   */
  restore(levels: readonly JsonObject[], seq: number): void {
    let scope: VariableScope | undefined = this;
    for (const level of levels) {
      if (!scope) return;
      if (seq > scope.#restoredSeq) {
        scope.#restoredSeq = seq;
        scope.#variables.clear();
        for (const [name, value] of Object.entries(level)) scope.#variables.set(name, value);
      }
      scope = scope.#parent;
    }
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
