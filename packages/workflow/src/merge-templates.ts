import { type DocumentPath, type Finding, isJsonObject, type WorkflowTemplateSpec } from '@quanta/model';
import { type ParseWorkflowResult, parseWorkflow } from './parse-workflow.ts';
import type { Subworkflow, WorkflowDefinition } from './workflow-definition.ts';

const TEMPLATE_SEGMENT = '@template';
const ENTRY = 'template';
const STAND_IN_MAIN = { steps: [{ done: { return: null } }] };

/**
 * Adds the templates a workflow calls as subworkflows named by their reference
 * (`templates.ingest-publish.v1`), so a template runs, journals and replays like any
 * subworkflow. A template file holds one subworkflow named `template` with its parameters
 * (Cloud Workflows lets `main` take a single argument); its steps keep their own file's
 * positions for findings and runtime errors.
 */
export function mergeTemplates(
  workflow: WorkflowDefinition,
  templates: readonly WorkflowTemplateSpec[],
): ParseWorkflowResult {
  const findings: Finding[] = [];
  const subworkflows = new Map<string, Subworkflow>(workflow.subworkflows);
  const byRef = new Map(templates.map((template) => [template.ref, template]));
  for (const template of templates) {
    const locateIn = (path: DocumentPath) =>
      template.locate?.(path[0] === TEMPLATE_SEGMENT ? path.slice(2) : path) ?? {
        file: template.file,
        line: 1,
        col: 1,
      };
    if (!isJsonObject(template.source) || Object.keys(template.source).join() !== ENTRY) {
      findings.push({
        code: 'QUANTA_SPEC_INVALID',
        severity: 'error',
        message: `template ${template.ref} must hold exactly one subworkflow, named \`${ENTRY}\``,
        fix: 'write `template: { params: [port, source], steps: [...] }` and nothing else in the file',
        location: locateIn([]),
      });
      continue;
    }
    // Parsed beside a stand-in `main`: the official schema lets `main` take one parameter only.
    const parsed = parseWorkflow(
      { main: STAND_IN_MAIN, [ENTRY]: template.source[ENTRY] ?? null },
      {
        file: template.file,
        locate: locateIn,
        basePath: [TEMPLATE_SEGMENT, template.ref],
      },
    );
    findings.push(...parsed.findings);
    const entry = parsed.workflow?.subworkflows.get(ENTRY);
    if (entry) subworkflows.set(template.ref, { ...entry, name: template.ref });
  }
  if (findings.some((finding) => finding.severity === 'error')) return { findings };
  const locate = (path: DocumentPath) => {
    const template = path[0] === TEMPLATE_SEGMENT ? byRef.get(String(path[1])) : undefined;
    if (template) return template.locate?.(path.slice(2)) ?? { file: template.file, line: 1, col: 1 };
    return workflow.locate?.(path) ?? { file: workflow.file, line: 1, col: 1 };
  };
  return { workflow: { ...workflow, subworkflows, locate }, findings };
}
