import {
  type DocumentPath,
  type Finding,
  isJsonObject,
  type JsonObject,
  type JsonValue,
  type LocateInFile,
} from '@quanta/model';
import type { Step, Subworkflow, WorkflowDefinition } from './workflow-definition.ts';

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
}

const STEP_FORMS = ['call', 'assign', 'return'] as const;
const NOT_YET_SUPPORTED = ['switch', 'for', 'parallel', 'try', 'raise', 'next', 'steps'] as const;

/**
 * Parses a workflow document in Cloud Workflows syntax: either a bare list of steps or a map
 * of subworkflows with `main`. Findings are values; nothing throws for bad input.
 */
export function parseWorkflow(document: unknown, source: WorkflowSource): ParseWorkflowResult {
  const context: ParseContext = { source, findings: [] };
  const subworkflows = new Map<string, Subworkflow>();
  if (Array.isArray(document)) {
    subworkflows.set('main', parseSteps('main', { steps: document as JsonValue[], path: [] }, context));
  } else if (isJsonObject(document)) {
    for (const [name, body] of Object.entries(document)) {
      subworkflows.set(name, parseSubworkflow(name, body, context));
    }
  } else {
    report(context, {
      path: [],
      message: 'a workflow is a list of steps or a map with a `main` subworkflow',
    });
  }
  const main = subworkflows.get('main');
  if (!main && context.findings.length === 0) {
    report(context, { path: [], message: 'the workflow has no `main` subworkflow' });
  }
  if (!main || context.findings.length > 0) return { findings: context.findings };
  return { workflow: { file: source.file, main, subworkflows }, findings: [] };
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

function parseSubworkflow(name: string, body: JsonValue, context: ParseContext): Subworkflow {
  if (!isJsonObject(body) || !Array.isArray(body.steps)) {
    report(context, { path: [name], message: `subworkflow '${name}' needs a list of \`steps\`` });
    return { name, params: [], steps: [] };
  }
  const params = Array.isArray(body.params) ? body.params.map(paramName) : [];
  return { ...parseSteps(name, { steps: body.steps, path: [name, 'steps'] }, context), params };
}

function parseSteps(
  name: string,
  list: { steps: readonly JsonValue[]; path: DocumentPath },
  context: ParseContext,
): Subworkflow {
  const steps = list.steps.flatMap((entry, index) => {
    const parsed = parseStepEntry(entry, [...list.path, index]);
    if ('step' in parsed) return [parsed.step];
    report(context, parsed);
    return [];
  });
  return { name, params: [], steps };
}

function paramName(param: JsonValue): string {
  if (isJsonObject(param)) return Object.keys(param)[0] ?? '';
  return String(param);
}

function parseStepEntry(entry: JsonValue, path: DocumentPath): { step: Step } | Problem {
  if (!isJsonObject(entry) || Object.keys(entry).length !== 1) {
    return { path, message: 'each step is a map with exactly one key: its name' };
  }
  const [name, body] = Object.entries(entry)[0] as [string, JsonValue];
  if (!isJsonObject(body)) return { path: [...path, name], message: `step '${name}' must be a map` };
  return parseStep(name, { body, path: [...path, name] });
}

function parseStep(name: string, at: { body: JsonObject; path: DocumentPath }): { step: Step } | Problem {
  const { body, path } = at;
  const unsupported = NOT_YET_SUPPORTED.find((form) => form in body);
  if (unsupported) {
    return {
      path: [...path, unsupported],
      message: `step '${name}' uses \`${unsupported}\`, which this runner does not execute yet`,
    };
  }
  const forms = STEP_FORMS.filter((form) => form in body);
  if (forms.length !== 1)
    return { path, message: `step '${name}' needs exactly one of ${STEP_FORMS.join(', ')}` };
  switch (forms[0]) {
    case 'call':
      return parseCallStep(name, at);
    case 'assign':
      return parseAssignStep(name, at);
    default:
      return { step: { kind: 'return', name, path, value: body.return ?? null } };
  }
}

function parseCallStep(name: string, at: { body: JsonObject; path: DocumentPath }): { step: Step } | Problem {
  const { body, path } = at;
  if (typeof body.call !== 'string')
    return { path: [...path, 'call'], message: `step '${name}': \`call\` must name a function` };
  if (body.args !== undefined && !isJsonObject(body.args)) {
    return { path: [...path, 'args'], message: `step '${name}': \`args\` must be a map` };
  }
  if (body.result !== undefined && typeof body.result !== 'string') {
    return { path: [...path, 'result'], message: `step '${name}': \`result\` must be a variable name` };
  }
  return {
    step: {
      kind: 'call',
      name,
      path,
      call: body.call,
      args: isJsonObject(body.args) ? body.args : {},
      ...(typeof body.result === 'string' ? { result: body.result } : {}),
    },
  };
}

function parseAssignStep(
  name: string,
  at: { body: JsonObject; path: DocumentPath },
): { step: Step } | Problem {
  const { body, path } = at;
  if (!Array.isArray(body.assign)) {
    return {
      path: [...path, 'assign'],
      message: `step '${name}': \`assign\` must be a list of { variable: value }`,
    };
  }
  const assignments: [string, JsonValue][] = [];
  for (const [index, item] of body.assign.entries()) {
    const entries = isJsonObject(item) ? Object.entries(item) : [];
    const [first] = entries;
    if (entries.length !== 1 || !first) {
      return {
        path: [...path, 'assign', index],
        message: `step '${name}': each assignment is one { variable: value }`,
      };
    }
    assignments.push(first);
  }
  return { step: { kind: 'assign', name, path, assignments } };
}

function report(context: ParseContext, problem: Problem): void {
  const { file, locate } = context.source;
  context.findings.push({
    code: 'QUANTA_SPEC_INVALID',
    severity: 'error',
    message: problem.message,
    fix: 'see docs/mesh-files.md for the workflow syntax',
    location: locate ? locate(problem.path) : { file, line: 1, col: 1 },
  });
}
