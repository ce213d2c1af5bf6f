import { type Finding, isJsonObject, type JsonObject, type JsonValue } from '@quanta/model';
import type { Step, Subworkflow, WorkflowDefinition } from './workflow-definition.ts';

/** The result of parsing: a definition when there were no errors, and every finding. */
export interface ParseWorkflowResult {
  readonly workflow?: WorkflowDefinition;
  readonly findings: readonly Finding[];
}

const STEP_FORMS = ['call', 'assign', 'return'] as const;
const NOT_YET_SUPPORTED = ['switch', 'for', 'parallel', 'try', 'raise', 'next', 'steps'] as const;

/**
 * Parses a workflow document in Cloud Workflows syntax: either a bare list of steps or a map
 * of subworkflows with `main`. Findings are values; nothing throws for bad input.
 */
export function parseWorkflow(source: unknown, file: string): ParseWorkflowResult {
  const findings: Finding[] = [];
  const subworkflows = new Map<string, Subworkflow>();
  if (Array.isArray(source)) {
    subworkflows.set('main', parseSubworkflow('main', { steps: source }, { file, findings }));
  } else if (isJsonObject(source)) {
    for (const [name, body] of Object.entries(source)) {
      subworkflows.set(name, parseSubworkflow(name, body, { file, findings }));
    }
  } else {
    findings.push(workflowFinding(file, 'a workflow is a list of steps or a map with a `main` subworkflow'));
  }
  const main = subworkflows.get('main');
  if (!main && findings.length === 0) {
    findings.push(workflowFinding(file, 'the workflow has no `main` subworkflow'));
  }
  if (!main || findings.some((finding) => finding.severity === 'error')) return { findings };
  return { workflow: { file, main, subworkflows }, findings };
}

interface ParseContext {
  readonly file: string;
  readonly findings: Finding[];
}

function parseSubworkflow(name: string, body: JsonValue, context: ParseContext): Subworkflow {
  if (!isJsonObject(body) || !Array.isArray(body.steps)) {
    context.findings.push(workflowFinding(context.file, `subworkflow '${name}' needs a list of \`steps\``));
    return { name, params: [], steps: [] };
  }
  const params = Array.isArray(body.params) ? body.params.map(paramName) : [];
  const steps = body.steps.flatMap((entry) => parseStepEntry(entry, context));
  return { name, params, steps };
}

function paramName(param: JsonValue): string {
  if (isJsonObject(param)) return Object.keys(param)[0] ?? '';
  return String(param);
}

function parseStepEntry(entry: JsonValue, context: ParseContext): Step[] {
  if (!isJsonObject(entry) || Object.keys(entry).length !== 1) {
    context.findings.push(workflowFinding(context.file, 'each step is a map with exactly one key: its name'));
    return [];
  }
  const [name, body] = Object.entries(entry)[0] as [string, JsonValue];
  if (!isJsonObject(body)) {
    context.findings.push(workflowFinding(context.file, `step '${name}' must be a map`));
    return [];
  }
  const step = parseStep(name, body);
  if (typeof step === 'string') {
    context.findings.push(workflowFinding(context.file, step));
    return [];
  }
  return [step];
}

function parseStep(name: string, body: JsonObject): Step | string {
  const unsupported = NOT_YET_SUPPORTED.find((form) => form in body);
  if (unsupported) return `step '${name}' uses \`${unsupported}\`, which this runner does not execute yet`;
  const forms = STEP_FORMS.filter((form) => form in body);
  if (forms.length !== 1) return `step '${name}' needs exactly one of ${STEP_FORMS.join(', ')}`;
  switch (forms[0]) {
    case 'call':
      return parseCallStep(name, body);
    case 'assign':
      return parseAssignStep(name, body);
    default:
      return { kind: 'return', name, value: body.return ?? null };
  }
}

function parseCallStep(name: string, body: JsonObject): Step | string {
  if (typeof body.call !== 'string') return `step '${name}': \`call\` must name a function`;
  if (body.args !== undefined && !isJsonObject(body.args)) return `step '${name}': \`args\` must be a map`;
  if (body.result !== undefined && typeof body.result !== 'string') {
    return `step '${name}': \`result\` must be a variable name`;
  }
  return {
    kind: 'call',
    name,
    call: body.call,
    args: isJsonObject(body.args) ? body.args : {},
    ...(typeof body.result === 'string' ? { result: body.result } : {}),
  };
}

function parseAssignStep(name: string, body: JsonObject): Step | string {
  if (!Array.isArray(body.assign)) return `step '${name}': \`assign\` must be a list of { variable: value }`;
  const assignments: [string, JsonValue][] = [];
  for (const item of body.assign) {
    const entries = isJsonObject(item) ? Object.entries(item) : [];
    const [first] = entries;
    if (entries.length !== 1 || !first) return `step '${name}': each assignment is one { variable: value }`;
    assignments.push(first);
  }
  return { kind: 'assign', name, assignments };
}

function workflowFinding(file: string, message: string): Finding {
  return {
    code: 'QUANTA_SPEC_INVALID',
    severity: 'error',
    message,
    fix: 'see docs/mesh-files.md for the workflow syntax',
    location: { file, line: 1, col: 1 },
  };
}
