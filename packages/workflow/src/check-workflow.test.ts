import assert from 'node:assert/strict';
import { glob, readFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import type { WorkflowTemplateSpec } from '@quanta/model';
import { QUANTA_BLOCKS } from './blocks/quanta-blocks.ts';
import { checkWorkflow } from './check-workflow.ts';
import { mergeTemplates } from './merge-templates.ts';
import { parseWorkflow } from './parse-workflow.ts';
import { parseWorkflowYaml } from './workflow-yaml.ts';

function check(text: string, templates: readonly WorkflowTemplateSpec[] = []): string[] {
  const yaml = parseWorkflowYaml(text, 'workflow.yaml');
  const parsed = parseWorkflow(yaml.data, { file: 'workflow.yaml', locate: yaml.locate });
  assert.ok(parsed.workflow, JSON.stringify(parsed.findings));
  const merged = mergeTemplates(parsed.workflow, templates);
  assert.ok(merged.workflow, JSON.stringify(merged.findings));
  return checkWorkflow(merged.workflow, { blocks: QUANTA_BLOCKS }).map(
    (finding) => `${finding.location?.line}:${finding.location?.col} ${finding.message}`,
  );
}

test('flags unknown next targets, break outside loops, unknown calls and functions', () => {
  assert.deepEqual(
    check(`
main:
  steps:
    - a:
        next: nowhere
    - b:
        call: no.such
    - c:
        next: break
    - d:
        return: \${nope(1) + sys.sleep(1)}
`),
    [
      '5:15 `next: nowhere` names no step reachable from here',
      "7:15 step calls 'no.such', which is neither a block, a subworkflow nor a standard library function",
      '9:15 `next: break` is only allowed inside a for loop',
      "11:17 unknown function 'nope'",
      '11:17 sys.sleep is a blocking call: it cannot be used in an expression',
    ],
  );
});

test('flags variables used before assignment, respecting params, results, loops and except', () => {
  assert.deepEqual(
    check(`
main:
  params: [args]
  steps:
    - early:
        assign:
          - x: \${y}
          - y: \${args.n}
    - loop:
        for:
          value: v
          in: [1]
          steps:
            - inner:
                assign:
                  - local: \${v + y}
    - t:
        try:
          call: http.get
          args:
            url: http://example.com
          result: response
        except:
          as: e
          steps:
            - log:
                assign:
                  - m: \${e.message}
    - done:
        return: ["\${response}", "\${local}"]
`),
    [
      "7:16 variable 'y' is used before it is assigned",
      "30:33 variable 'local' is used before it is assigned",
    ],
  );
});

test('flags wrong block arguments and expression syntax errors', () => {
  assert.deepEqual(
    check(`
- ingest:
    call: quanta.ingest
    args:
      source: 3
      prot: orders
- publish:
    call: quanta.publish
    args:
      port: orders
      from: literal
- bad:
    return: \${1 +}
`),
    [
      "5:15 quanta.ingest argument 'source' must be a string, not 3",
      "6:13 quanta.ingest has no argument 'prot'",
      "3:11 quanta.ingest needs the argument 'port'",
      "11:13 quanta.publish argument 'from' must be a handle from an earlier step, e.g. ${staged}, not a literal",
      '13:13 syntax error: the expression ends early: the end of the expression (expression column 4)',
    ],
  );
});

test('the example mesh workflows check without findings, with the templates they call', async () => {
  const root = path.resolve(import.meta.dirname, '../../../examples/mesh');
  const templates: WorkflowTemplateSpec[] = [];
  for await (const file of glob('governance/templates/workflows/*/*.yaml', { cwd: root })) {
    const yaml = parseWorkflowYaml(await readFile(path.join(root, file), 'utf8'), file);
    const [, , , name, version] = file.replace(/\.yaml$/, '').split('/');
    templates.push({
      ref: `templates.${name}.${version}`,
      file,
      source: yaml.data,
      locate: yaml.locate,
      hash: '',
    });
  }
  assert.ok(templates.length >= 1);
  let count = 0;
  for await (const file of glob('**/workflow.yaml', { cwd: root })) {
    count += 1;
    assert.deepEqual(check(await readFile(path.join(root, file), 'utf8'), templates), [], file);
  }
  assert.ok(count >= 6);
});

test('a template step with an unknown argument is reported in the template file', () => {
  const template = parseWorkflowYaml(
    'template:\n  params: [port]\n  steps:\n    - go:\n        call: quanta.publish\n        args:\n          prot: ${port}\n',
    'governance/templates/workflows/t/v1.yaml',
  );
  const yaml = parseWorkflowYaml(
    'main:\n  steps:\n    - run:\n        call: templates.t.v1\n        args: { port: x }\n',
    'workflow.yaml',
  );
  const parsed = parseWorkflow(yaml.data, { file: 'workflow.yaml', locate: yaml.locate });
  assert.ok(parsed.workflow);
  const merged = mergeTemplates(parsed.workflow, [
    {
      ref: 'templates.t.v1',
      file: 'governance/templates/workflows/t/v1.yaml',
      source: template.data,
      locate: template.locate,
      hash: '',
    },
  ]);
  assert.ok(merged.workflow);
  const findings = checkWorkflow(merged.workflow, { blocks: QUANTA_BLOCKS });
  assert.ok(
    findings.some(
      (finding) =>
        finding.location?.file === 'governance/templates/workflows/t/v1.yaml' &&
        finding.location.line === 7 &&
        finding.message === "quanta.publish has no argument 'prot'",
    ),
    JSON.stringify(findings),
  );
});
