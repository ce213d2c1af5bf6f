import assert from 'node:assert/strict';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { type Finding, formatLocation } from '@quanta/model';
import { loadMesh } from '@quanta/spec';
import { checkAccessFiles } from './check-access-files.ts';

const EXAMPLE_MESH = path.resolve(import.meta.dirname, '../../../examples/mesh');
let root: string;

before(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'quanta-access-files-'));
  await cp(EXAMPLE_MESH, root, {
    recursive: true,
    filter: (source) => !/[/\\](landing|\.quanta)$/.test(source),
  });
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

/** The access findings of the example mesh with extra policy files, as `file:line:col message`. */
async function findingsWith(files: Record<string, string>): Promise<string[]> {
  const written = Object.keys(files);
  await Promise.all(written.map((file) => writeFile(path.join(root, file), files[file] ?? '')));
  try {
    const { mesh } = await loadMesh(root);
    assert.ok(mesh, 'the example mesh loads');
    return (await checkAccessFiles(mesh)).map(lineOf);
  } finally {
    await Promise.all(written.map((file) => rm(path.join(root, file), { force: true })));
  }
}

function lineOf(finding: Finding): string {
  const where = finding.location ? formatLocation(finding.location) : '<no location>';
  return `${where} ${finding.code} ${finding.message}`;
}

test('the example mesh has no access finding', async () => {
  assert.deepEqual(await findingsWith({}), []);
});

test('a policy reading an unknown attribute, an unknown action or an unknown domain fails schema validation at file:line:col', async () => {
  const file = 'domains/sales/policies/extra.cedar';
  const findings = await findingsWith({
    [file]: `// Extra sales policies.
@id("by-department")
permit (principal, action == Action::"read", resource)
when { principal.department == "sales" };

@id("delete-orders")
permit (principal, action == Action::"delete", resource);

@id("finance-reads")
permit (principal, action == Action::"read", resource in Domain::"finance");
`,
  });
  assert.deepEqual(findings, [
    `${file}:4:8 QUANTA_SPEC_INVALID Cedar: attribute \`department\` on entity type \`User\` not found`,
    `${file}:7:30 QUANTA_SPEC_INVALID Cedar: unrecognized action \`Action::"delete"\``,
    `${file}:10:58 QUANTA_SPEC_INVALID Cedar: entity \`Domain::"finance"\` is of an enumerated entity type, but \`"finance"\` is not declared as a valid eid`,
  ]);
});

test('a bad @mask or @rowFilter annotation is a finding at its policy', async () => {
  const file = 'governance/policies/extra.cedar';
  const findings = await findingsWith({
    [file]: `@id("blurred-emails")
@mask("blur")
forbid (principal, action == Action::"read", resource is Column)
when { resource.tags.contains("email") };

@id("filter-by-function")
@rowFilter("lower(country) = principal.country")
permit (principal, action == Action::"read", resource is Port)
when { principal.role == "auditor" };

@id("filter-on-forbid")
@rowFilter("country = principal.country")
forbid (principal, action == Action::"read", resource is Port)
when { principal.role == "intern" };
`,
  });
  assert.deepEqual(findings, [
    `${file}:1:1 QUANTA_SPEC_INVALID policy blurred-emails: unknown mask "blur"`,
    `${file}:6:1 QUANTA_SPEC_INVALID policy filter-by-function: the row filter cannot be compiled: function calls are not allowed (lower)`,
    `${file}:11:1 QUANTA_SPEC_INVALID policy filter-on-forbid: @rowFilter belongs on a permit policy`,
  ]);
});

test('a file that does not parse is one finding at the error, and no schema validation runs', async () => {
  const findings = await findingsWith({
    'domains/marketing/policies/broken.cedar':
      '@id("broken")\npermit (principal, action, resource)\nwhen { principal.role == };\n',
  });
  assert.equal(findings.length, 1, findings.join('\n'));
  assert.match(
    findings[0] ?? '',
    /^domains\/marketing\/policies\/broken\.cedar:3:\d+ QUANTA_SPEC_INVALID Cedar: /,
  );
});
