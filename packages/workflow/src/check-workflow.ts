import { type DocumentPath, type Finding, isJsonObject, type JsonValue } from '@quanta/model';
import { expressionOf, expressionText } from './evaluate-expression.ts';
import type { Expression } from './expression-parser.ts';
import { type Block, type BlockArgument, TIMEOUT_ARGUMENT } from './run-workflow.ts';
import { STANDARD_LIBRARY } from './stdlib/standard-library.ts';
import type { ForLoop, Step, Subworkflow, WorkflowDefinition } from './workflow-definition.ts';
import { WorkflowError } from './workflow-error.ts';

/** The `timeout` every block call accepts (the interpreter takes it, the block never sees it). */
const TIMEOUT_BLOCK_ARGUMENT: BlockArgument = {
  type: 'number',
  required: false,
  description: 'seconds the step may take before it raises TimeoutError',
};

/** What a workflow is checked against: the blocks its calls may name. */
export interface CheckWorkflowOptions<Context> {
  readonly blocks: ReadonlyMap<string, Block<Context>>;
}

/** The step names a `next` may jump to from one list, and whether `break`/`continue` are allowed. */
interface Reach {
  readonly names: ReadonlySet<string>;
  readonly isInLoop: boolean;
}

/**
 * Checks a parsed workflow before it runs and returns findings (values, never thrown):
 * `next` targets that name no reachable step, variables read before any assignment (in
 * document order, with loop and branch variables local to their body), unknown calls, wrong
 * argument names or literal types for blocks, standard library functions and subworkflows,
 * blocking calls inside expressions, and expression syntax errors.
 */
export function checkWorkflow<Context>(
  workflow: WorkflowDefinition,
  options: CheckWorkflowOptions<Context>,
): Finding[] {
  const checker = new WorkflowChecker(workflow, options.blocks);
  for (const subworkflow of workflow.subworkflows.values()) checker.checkSubworkflow(subworkflow);
  return checker.findings;
}

class WorkflowChecker<Context> {
  readonly findings: Finding[] = [];
  readonly #workflow: WorkflowDefinition;
  readonly #blocks: ReadonlyMap<string, Block<Context>>;

  constructor(workflow: WorkflowDefinition, blocks: ReadonlyMap<string, Block<Context>>) {
    this.#workflow = workflow;
    this.#blocks = blocks;
  }

  checkSubworkflow(subworkflow: Subworkflow): void {
    const assigned = new Set(subworkflow.params);
    this.#checkSteps(subworkflow.steps, { assigned, reach: { names: new Set(), isInLoop: false } });
  }

  #checkSteps(steps: readonly Step[], at: { assigned: Set<string>; reach: Reach }): void {
    const reach: Reach = {
      names: new Set([...at.reach.names, ...steps.map((step) => step.name)]),
      isInLoop: at.reach.isInLoop,
    };
    for (const step of steps) this.#checkStep(step, { assigned: at.assigned, reach });
  }

  #checkStep(step: Step, at: { assigned: Set<string>; reach: Reach }): void {
    if (step.next !== undefined)
      this.#checkNext(step.next, { path: [...step.path, 'next'], reach: at.reach });
    const { assigned } = at;
    switch (step.kind) {
      case 'assign':
        for (const [index, [target, value]] of step.assignments.entries()) {
          const path = [...step.path, 'assign', index, target];
          this.#checkValue(value, { path, assigned });
          this.#checkTarget(target, { path, assigned });
        }
        return;
      case 'call':
        this.#checkValue(step.args, { path: [...step.path, 'args'], assigned });
        this.#checkCall(step.call, { args: step.args, path: step.path });
        if (step.result) assigned.add(step.result);
        return;
      case 'return':
        this.#checkValue(step.value, { path: [...step.path, 'return'], assigned });
        return;
      case 'raise':
        this.#checkValue(step.value, { path: [...step.path, 'raise'], assigned });
        return;
      case 'switch':
        for (const branch of step.cases) {
          this.#checkValue(branch.condition, { path: [...branch.path, 'condition'], assigned });
          if (branch.next !== undefined)
            this.#checkNext(branch.next, { path: [...branch.path, 'next'], reach: at.reach });
          if (branch.body) this.#checkStep(branch.body, at);
        }
        return;
      case 'for':
        this.#checkLoop(step.loop, { assigned, reach: at.reach, shared: undefined });
        return;
      case 'parallel':
        for (const name of step.shared) {
          if (!assigned.has(name))
            this.#report(
              [...step.path, 'parallel', 'shared'],
              `shared variable '${name}' must be assigned before the parallel step`,
            );
        }
        for (const branch of step.branches ?? []) {
          this.#checkSteps(branch.steps, {
            assigned: new Set(assigned),
            reach: { names: new Set(), isInLoop: false },
          });
        }
        if (step.loop)
          this.#checkLoop(step.loop, {
            assigned,
            reach: { names: new Set(), isInLoop: false },
            shared: step.shared,
          });
        return;
      case 'try':
        this.#checkSteps(step.body, at);
        if (step.retry && !isKnownPredicate(step.retry.predicate, this.#workflow)) {
          this.#report([...step.path, 'retry'], `unknown retry predicate '${step.retry.predicate}'`);
        }
        if (step.except) {
          if (step.except.as) assigned.add(step.except.as);
          this.#checkSteps(step.except.steps, at);
        }
        return;
      case 'steps':
        this.#checkSteps(step.steps, at);
        return;
      case 'next':
        return;
    }
  }

  #checkLoop(
    loop: ForLoop,
    at: { assigned: Set<string>; reach: Reach; shared: readonly string[] | undefined },
  ): void {
    this.#checkValue(loop.in ?? null, { path: [...loop.path, 'in'], assigned: at.assigned });
    this.#checkValue(loop.range ?? null, { path: [...loop.path, 'range'], assigned: at.assigned });
    const inner = new Set([...at.assigned, loop.value, ...(loop.index ? [loop.index] : [])]);
    this.#checkSteps(loop.steps, { assigned: inner, reach: { names: new Set(), isInLoop: true } });
  }

  #checkNext(next: string, at: { path: DocumentPath; reach: Reach }): void {
    if (next === 'end') return;
    if (next === 'break' || next === 'continue') {
      if (!at.reach.isInLoop) this.#report(at.path, `\`next: ${next}\` is only allowed inside a for loop`);
      return;
    }
    if (!at.reach.names.has(next)) {
      this.#report(
        at.path,
        `\`next: ${next}\` names no step reachable from here`,
        `jump to one of: ${[...at.reach.names].join(', ') || 'end'}`,
      );
    }
  }

  #checkTarget(target: string, at: { path: DocumentPath; assigned: Set<string> }): void {
    const expression = this.#parse(target, at.path);
    if (!expression) return;
    if (expression.kind === 'variable') {
      at.assigned.add(expression.name);
      return;
    }
    this.#checkExpression(expression, at);
  }

  #checkValue(value: JsonValue, at: { path: DocumentPath; assigned: Set<string> }): void {
    const text = expressionText(value);
    if (text !== undefined) {
      const expression = this.#parse(text, at.path);
      if (expression) this.#checkExpression(expression, at);
      return;
    }
    if (Array.isArray(value)) {
      for (const [index, item] of value.entries())
        this.#checkValue(item, { ...at, path: [...at.path, index] });
    } else if (isJsonObject(value)) {
      for (const [key, item] of Object.entries(value))
        this.#checkValue(item, { ...at, path: [...at.path, key] });
    }
  }

  #parse(text: string, path: DocumentPath): Expression | undefined {
    try {
      return expressionOf(text);
    } catch (error) {
      const message = error instanceof WorkflowError ? error.message : String(error);
      const column =
        error instanceof WorkflowError && error.column !== undefined
          ? ` (expression column ${error.column})`
          : '';
      this.#report(path, `${message}${column}`, 'fix the expression syntax');
      return undefined;
    }
  }

  #checkExpression(expression: Expression, at: { path: DocumentPath; assigned: Set<string> }): void {
    for (const node of nodesOf(expression)) {
      if (node.kind === 'variable' && !at.assigned.has(node.name)) {
        this.#report(
          at.path,
          `variable '${node.name}' is used before it is assigned`,
          'assign it in an earlier step, or as a `result`',
        );
      }
      if (node.kind === 'call') this.#checkExpressionCall(node.callee, at.path);
    }
  }

  #checkExpressionCall(callee: string, path: DocumentPath): void {
    const fn = STANDARD_LIBRARY.get(callee);
    if (fn?.isBlocking) {
      this.#report(
        path,
        `${callee} is a blocking call: it cannot be used in an expression`,
        'call it in a `call:` step',
      );
    } else if (!fn && !this.#isSubworkflow(callee)) {
      this.#report(path, `unknown function '${callee}'`, 'call a standard library function or a subworkflow');
    }
  }

  #checkCall(call: string, at: { args: Readonly<Record<string, JsonValue>>; path: DocumentPath }): void {
    const block = this.#blocks.get(call);
    if (block) {
      const expected = block.args && { ...block.args, [TIMEOUT_ARGUMENT]: TIMEOUT_BLOCK_ARGUMENT };
      this.#checkArguments(call, { ...at, expected });
      return;
    }
    if (this.#isSubworkflow(call)) {
      const subworkflow = this.#workflow.subworkflows.get(call) as Subworkflow;
      const expected = Object.fromEntries(
        subworkflow.params.map((param): [string, BlockArgument] => [
          param,
          { type: 'any', required: !Object.hasOwn(subworkflow.defaults ?? {}, param), description: '' },
        ]),
      );
      this.#checkArguments(call, { ...at, expected });
      return;
    }
    const fn = STANDARD_LIBRARY.get(call);
    if (fn) {
      const expected = Object.fromEntries(
        fn.params.map((param, index): [string, BlockArgument] => [
          param,
          { type: 'any', required: index < fn.required, description: '' },
        ]),
      );
      this.#checkArguments(call, { ...at, expected });
      return;
    }
    const known = [
      ...this.#blocks.keys(),
      ...[...this.#workflow.subworkflows.keys()].filter((name) => name !== 'main'),
    ];
    this.#report(
      [...at.path, 'call'],
      `step calls '${call}', which is neither a block, a subworkflow nor a standard library function`,
      `call one of ${known.join(', ') || 'the standard library functions'}`,
    );
  }

  #checkArguments(
    call: string,
    at: {
      args: Readonly<Record<string, JsonValue>>;
      path: DocumentPath;
      expected: Readonly<Record<string, BlockArgument>> | undefined;
    },
  ): void {
    const { expected } = at;
    if (!expected) return;
    for (const [name, value] of Object.entries(at.args)) {
      const argument = expected[name];
      if (!argument) {
        this.#report(
          [...at.path, 'args', name],
          `${call} has no argument '${name}'`,
          `use ${Object.keys(expected).join(', ') || 'no arguments'}`,
        );
        continue;
      }
      const problem = typeProblem(value, argument);
      if (problem)
        this.#report(
          [...at.path, 'args', name],
          `${call} argument '${name}' ${problem}`,
          argument.description || undefined,
        );
    }
    for (const [name, argument] of Object.entries(expected)) {
      if (argument.required && !Object.hasOwn(at.args, name)) {
        this.#report(
          [...at.path, 'call'],
          `${call} needs the argument '${name}'`,
          `add \`${name}:\` under args${argument.description ? ` (${argument.description})` : ''}`,
        );
      }
    }
  }

  #isSubworkflow(name: string): boolean {
    return name !== 'main' && this.#workflow.subworkflows.has(name);
  }

  #report(path: DocumentPath, message: string, fix?: string): void {
    const { locate, file } = this.#workflow;
    this.findings.push({
      code: 'QUANTA_SPEC_INVALID',
      severity: 'error',
      message,
      ...(fix ? { fix } : {}),
      location: locate ? locate(path) : { file, line: 1, col: 1 },
    });
  }
}

/** A literal's type problem; expressions are only known at run time. */
function typeProblem(value: JsonValue, argument: BlockArgument): string | undefined {
  if (expressionText(value) !== undefined) return undefined;
  switch (argument.type) {
    case 'any':
      return undefined;
    case 'handle':
      return 'must be a handle from an earlier step, e.g. ${staged}, not a literal';
    case 'list':
      return Array.isArray(value) ? undefined : 'must be a list';
    case 'map':
      return isJsonObject(value) ? undefined : 'must be a map';
    case 'string':
    case 'number':
    case 'boolean':
      return typeof value === argument.type
        ? undefined
        : `must be a ${argument.type}, not ${JSON.stringify(value)}`;
  }
}

function isKnownPredicate(predicate: string, workflow: WorkflowDefinition): boolean {
  return (
    [
      'http.default_retry_predicate',
      'http.default_retry_predicate_non_idempotent',
      'retry.always',
      'retry.never',
    ].includes(predicate) || workflow.subworkflows.has(predicate)
  );
}

function nodesOf(expression: Expression): Expression[] {
  switch (expression.kind) {
    case 'literal':
    case 'variable':
      return [expression];
    case 'member':
      return [expression, ...nodesOf(expression.object)];
    case 'index':
      return [expression, ...nodesOf(expression.object), ...nodesOf(expression.index)];
    case 'call':
      return [expression, ...expression.args.flatMap(nodesOf)];
    case 'unary':
      return [expression, ...nodesOf(expression.operand)];
    case 'binary':
      return [expression, ...nodesOf(expression.left), ...nodesOf(expression.right)];
    case 'list':
      return [expression, ...expression.items.flatMap(nodesOf)];
    case 'map':
      return [
        expression,
        ...expression.entries.flatMap(([key, value]) => [...nodesOf(key), ...nodesOf(value)]),
      ];
  }
}
