import { createHash } from 'node:crypto';
import {
  type DocumentPath,
  type Finding,
  isJsonObject,
  type JsonValue,
  type WorkflowTemplateSpec,
} from '@quanta/model';
import { finding } from './finding.ts';
import type { MeshFiles } from './mesh-files.ts';
import { parseYaml, type YamlSource } from './yaml-source.ts';

/** Where versioned workflow templates live: `<dir>/<name>/<version>.yaml`. */
export const WORKFLOW_TEMPLATES_DIR = 'governance/templates/workflows';

/** `templates.<name>.<version>`: the call that names a template. */
const TEMPLATE_CALL = /^templates\.([a-z0-9][a-z0-9-]*)\.([A-Za-z0-9_-]+)$/;

/**
 * Loads the templates a workflow's steps call, each from its versioned file, with its hash.
 * A call naming a template that has no file is a finding at the call.
 */
export async function loadWorkflowTemplates(
  files: MeshFiles,
  workflow: YamlSource,
): Promise<{ templates: WorkflowTemplateSpec[]; findings: Finding[] }> {
  const findings: Finding[] = [];
  const calls = new Map<string, DocumentPath>();
  collectTemplateCalls(workflow.data, { path: [], calls });
  const templates: WorkflowTemplateSpec[] = [];
  for (const [ref, at] of calls) {
    const [, name, version] = TEMPLATE_CALL.exec(ref) ?? [];
    const file = `${WORKFLOW_TEMPLATES_DIR}/${name}/${version}.yaml`;
    const text = await files.read(file);
    if (text === undefined) {
      findings.push(
        finding('QUANTA_REFERENCE_UNRESOLVED', workflow.locate(at), {
          message: `no workflow template ${ref}: ${file} does not exist`,
          fix: `create ${file}, or call an existing template version`,
        }),
      );
      continue;
    }
    const parsed = parseYaml(text, file);
    findings.push(...parsed.findings);
    const source = parsed.source;
    if (!source) continue;
    const hash = createHash('sha256').update(text).digest('hex');
    templates.push({ ref, file, source: source.data, locate: (path) => source.locate(path), hash });
  }
  return { templates, findings };
}

function collectTemplateCalls(
  node: JsonValue | unknown,
  at: { path: DocumentPath; calls: Map<string, DocumentPath> },
): void {
  if (Array.isArray(node)) {
    node.forEach((item, index) => {
      collectTemplateCalls(item, { ...at, path: [...at.path, index] });
    });
    return;
  }
  if (!isJsonObject(node)) return;
  for (const [key, value] of Object.entries(node)) {
    const path = [...at.path, key];
    if (key === 'call' && typeof value === 'string' && TEMPLATE_CALL.test(value)) {
      if (!at.calls.has(value)) at.calls.set(value, path);
    } else collectTemplateCalls(value, { ...at, path });
  }
}
