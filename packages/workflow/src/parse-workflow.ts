import {
  type DocumentPath,
  type Finding,
  isJsonObject,
  type JsonObject,
  type JsonValue,
  type LocateInFile,
} from '@quanta/model';
import { expressionText } from './evaluate-expression.ts';
import { DEFAULT_BACKOFF, NAMED_RETRY_POLICIES } from './retry-policies.ts';
import { validateWorkflowSchema } from './validate-workflow-schema.ts';
import type {
  ForLoop,
  ParallelBranch,
  RetryPolicy,
  Step,
  Subworkflow,
  SwitchCase,
  WorkflowDefinition,
} from './workflow-definition.ts';

/** The result of parsing: a definition when there were no errors, and every finding. */
export interface ParseWorkflowResult {
  readonly workflow?: WorkflowDefinition;
  readonly findings: readonly Finding[];
}

/** Where the document comes from, so that findings carry `file:line:col`. */
export interface WorkflowSource {
  readonly file: string;
  /** Positions of the document's nodes; without it findings point at the file's start. */
  readonly locate?: LocateInFile;
  /**
   * Prefixed to every step's document path: a template's steps merged into a product's
   * workflow are located through `locate` with this prefix (see `mergeTemplates`).
   */
  readonly basePath?: DocumentPath;
}

const STEP_FORMS = [
  'call',
  'assign',
  'return',
  'raise',
  'switch',
  'for',
  'parallel',
  'try',
  'steps',
] as const;

/**
 * Parses a workflow document in Cloud Workflows syntax: either a bare list of steps or a map
 * of subworkflows with `main`. The document is first validated against the official JSON
 * Schema; findings are values, nothing throws for bad input.
 */
export function parseWorkflow(document: unknown, source: WorkflowSource): ParseWorkflowResult {
  const context: ParseContext = { source, findings: [] };
  if (!Array.isArray(document) && !isJsonObject(document)) {
    report(context, {
      path: [],
      message: 'a workflow is a list of steps or a map with a `main` subworkflow',
    });
    return { findings: context.findings };
  }
  const schemaFindings = validateWorkflowSchema(document as JsonValue, source);
  if (schemaFindings.length > 0) return { findings: schemaFindings };
  const subworkflows = new Map<string, Subworkflow>();
  if (Array.isArray(document)) {
    subworkflows.set('main', { name: 'main', params: [], steps: parseSteps(document, [], context) });
  } else {
    for (const [name, body] of Object.entries(document)) {
      subworkflows.set(name, parseSubworkflow(name, body, context));
    }
  }
  const main = subworkflows.get('main');
  if (!main) report(context, { path: [], message: 'the workflow has no `main` subworkflow' });
  if (!main || context.findings.length > 0) return { findings: context.findings };
  return {
    workflow: { file: source.file, main, subworkflows, ...(source.locate ? { locate: source.locate } : {}) },
    findings: [],
  };
}

interface ParseContext {
  readonly source: WorkflowSource;
  readonly findings: Finding[];
}

/** A problem found at a path of the document. */
interface Problem {
  readonly path: DocumentPath;
  readonly message: string;
}

/** A step body and where it is written. */
interface At {
  readonly body: JsonObject;
  readonly path: DocumentPath;
}

function parseSubworkflow(name: string, body: JsonValue, context: ParseContext): Subworkflow {
  if (!isJsonObject(body) || !Array.isArray(body.steps)) {
    report(context, {
      path: [...(context.source.basePath ?? []), name],
      message: `subworkflow '${name}' needs a list of \`steps\``,
    });
    return { name, params: [], steps: [] };
  }
  const params: string[] = [];
  const defaults: Record<string, JsonValue> = {};
  for (const param of Array.isArray(body.params) ? body.params : []) {
    if (isJsonObject(param)) {
      for (const [key, value] of Object.entries(param)) {
        params.push(key);
        defaults[key] = value;
      }
    } else params.push(String(param));
  }
  const steps = parseSteps(body.steps, [...(context.source.basePath ?? []), name, 'steps'], context);
  return { name, params, ...(Object.keys(defaults).length > 0 ? { defaults } : {}), steps };
}

function parseSteps(list: readonly JsonValue[], path: DocumentPath, context: ParseContext): Step[] {
  return list.flatMap((entry, index) => {
    if (!isJsonObject(entry) || Object.keys(entry).length !== 1) {
      report(context, {
        path: [...path, index],
        message: 'each step is a map with exactly one key: its name',
      });
      return [];
    }
    const [name, body] = Object.entries(entry)[0] as [string, JsonValue];
    const stepPath = [...path, index, name];
    if (!isJsonObject(body)) {
      report(context, { path: stepPath, message: `step '${name}' must be a map` });
      return [];
    }
    const step = parseStep(name, { body, path: stepPath }, context);
    return step ? [step] : [];
  });
}

function parseStep(name: string, at: At, context: ParseContext): Step | undefined {
  const { body, path } = at;
  const forms = STEP_FORMS.filter((form) => form in body);
  if (forms.length > 1) {
    report(context, { path, message: `step '${name}' mixes ${forms.join(' and ')}: use one step form` });
    return undefined;
  }
  const base = { name, path, ...(typeof body.next === 'string' ? { next: body.next } : {}) };
  const [form] = forms;
  switch (form) {
    case undefined:
      if (base.next !== undefined) return { kind: 'next', ...base };
      report(context, { path, message: `step '${name}' needs one of ${STEP_FORMS.join(', ')} or next` });
      return undefined;
    case 'call':
      return {
        kind: 'call',
        ...base,
        call: String(body.call),
        args: isJsonObject(body.args) ? body.args : {},
        ...(typeof body.result === 'string' ? { result: body.result } : {}),
      };
    case 'assign':
      return { kind: 'assign', ...base, assignments: parseAssignments(body.assign) };
    case 'return':
      return { kind: 'return', ...base, value: body.return ?? null };
    case 'raise':
      return { kind: 'raise', ...base, value: body.raise ?? null };
    case 'switch':
      return { kind: 'switch', ...base, cases: parseCases(name, at, context) };
    case 'for':
      return { kind: 'for', ...base, loop: parseLoop(body.for, [...path, 'for'], context) };
    case 'parallel':
      return parseParallel(base, at, context);
    case 'try':
      return parseTry(base, at, context);
    case 'steps':
      return { kind: 'steps', ...base, steps: parseSteps(asList(body.steps), [...path, 'steps'], context) };
  }
}

function parseAssignments(value: JsonValue | undefined): [string, JsonValue][] {
  return asList(value ?? []).flatMap((item): [string, JsonValue][] => {
    const [first] = isJsonObject(item) ? Object.entries(item) : [];
    return first ? [first] : [];
  });
}

function parseCases(name: string, at: At, context: ParseContext): SwitchCase[] {
  return asList(at.body.switch ?? []).flatMap((item, index): SwitchCase[] => {
    if (!isJsonObject(item)) return [];
    const path = [...at.path, 'switch', index];
    const { condition, next, ...rest } = item;
    const hasBody = STEP_FORMS.some((form) => form in rest);
    const body = hasBody ? parseStep(name, { body: rest, path }, context) : undefined;
    return [
      {
        condition: condition ?? false,
        path,
        ...(body ? { body } : {}),
        ...(typeof next === 'string' ? { next } : {}),
      },
    ];
  });
}

function parseLoop(value: JsonValue | undefined, path: DocumentPath, context: ParseContext): ForLoop {
  const loop = isJsonObject(value) ? value : {};
  return {
    value: String(loop.value),
    ...(typeof loop.index === 'string' ? { index: loop.index } : {}),
    ...(loop.in !== undefined ? { in: loop.in } : {}),
    ...(loop.range !== undefined ? { range: loop.range } : {}),
    steps: parseSteps(asList(loop.steps ?? []), [...path, 'steps'], context),
    path,
  };
}

function parseParallel(base: Pick<Step, 'name' | 'path' | 'next'>, at: At, context: ParseContext): Step {
  const parallel = isJsonObject(at.body.parallel) ? at.body.parallel : {};
  const path = [...at.path, 'parallel'];
  const branches = Array.isArray(parallel.branches)
    ? parallel.branches.flatMap((entry, index): ParallelBranch[] => {
        const [name, branch] = isJsonObject(entry) ? (Object.entries(entry)[0] ?? []) : [];
        if (name === undefined || !isJsonObject(branch)) return [];
        const branchPath = [...path, 'branches', index, name];
        return [
          {
            name,
            path: branchPath,
            steps: parseSteps(asList(branch.steps ?? []), [...branchPath, 'steps'], context),
          },
        ];
      })
    : undefined;
  return {
    kind: 'parallel',
    ...base,
    shared: asList(parallel.shared ?? []).map(String),
    ...(parallel.concurrency_limit !== undefined ? { concurrencyLimit: parallel.concurrency_limit } : {}),
    isContinueAll: parallel.exception_policy === 'continueAll',
    ...(branches ? { branches } : {}),
    ...(parallel.for !== undefined ? { loop: parseLoop(parallel.for, [...path, 'for'], context) } : {}),
  };
}

function parseTry(
  base: Pick<Step, 'name' | 'path' | 'next'>,
  at: At,
  context: ParseContext,
): Step | undefined {
  const { body, path } = at;
  const tried = body.try;
  const tryPath = [...path, 'try'];
  const steps = Array.isArray(tried)
    ? parseSteps(tried, tryPath, context)
    : isJsonObject(tried) && Object.keys(tried).every((key) => key === 'steps')
      ? parseSteps(asList(tried.steps ?? []), [...tryPath, 'steps'], context)
      : [parseStep(base.name, { body: isJsonObject(tried) ? tried : {}, path: tryPath }, context)].filter(
          (step): step is Step => step !== undefined,
        );
  const retry =
    body.retry === undefined ? undefined : parseRetry(body.retry, { path: [...path, 'retry'], context });
  const except = isJsonObject(body.except) ? body.except : undefined;
  return {
    kind: 'try',
    ...base,
    body: steps,
    ...(retry ? { retry } : {}),
    ...(except
      ? {
          except: {
            ...(typeof except.as === 'string' ? { as: except.as } : {}),
            steps: parseSteps(asList(except.steps ?? []), [...path, 'except', 'steps'], context),
          },
        }
      : {}),
  };
}

function parseRetry(
  value: JsonValue,
  where: { path: DocumentPath; context: ParseContext },
): RetryPolicy | undefined {
  const named = expressionText(value)?.trim();
  if (named !== undefined) {
    const policy = NAMED_RETRY_POLICIES.get(named);
    if (!policy) {
      report(where.context, {
        path: where.path,
        message: `unknown retry policy '${named}': use ${[...NAMED_RETRY_POLICIES.keys()].map((key) => `\${${key}}`).join(' or ')}, or a map with predicate, max_retries and backoff`,
      });
    }
    return policy;
  }
  const retry = isJsonObject(value) ? value : {};
  const predicate = expressionText(retry.predicate ?? '')?.trim();
  if (predicate === undefined || typeof retry.max_retries !== 'number') {
    report(where.context, {
      path: where.path,
      message: 'a retry map needs `predicate: ${...}` and `max_retries`',
    });
    return undefined;
  }
  const backoff = isJsonObject(retry.backoff) ? retry.backoff : {};
  return {
    predicate,
    maxRetries: retry.max_retries,
    backoff: {
      initialDelay:
        typeof backoff.initial_delay === 'number' ? backoff.initial_delay : DEFAULT_BACKOFF.initialDelay,
      maxDelay: typeof backoff.max_delay === 'number' ? backoff.max_delay : DEFAULT_BACKOFF.maxDelay,
      multiplier: typeof backoff.multiplier === 'number' ? backoff.multiplier : DEFAULT_BACKOFF.multiplier,
    },
  };
}

function asList(value: JsonValue | undefined): readonly JsonValue[] {
  return Array.isArray(value) ? value : [];
}

function report(context: ParseContext, problem: Problem): void {
  const { file, locate } = context.source;
  context.findings.push({
    code: 'QUANTA_SPEC_INVALID',
    severity: 'error',
    message: problem.message,
    fix: 'see https://cloud.google.com/workflows/docs/reference/syntax',
    location: locate ? locate(problem.path) : { file, line: 1, col: 1 },
  });
}
