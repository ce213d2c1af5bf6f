import type { Finding, MeshSpec } from '@quanta/model';
import { generateCedarSchema } from './cedar-schema.ts';
import { isMaskFunction, MASK_FUNCTIONS } from './column-masks.ts';
import { loadPolicySet, type PolicyEntry, type ScopedPolicyFile, validatePolicies } from './policy-set.ts';
import { checkRowFilterSyntax } from './row-filter.ts';
import { loadUserReferential } from './user-referential.ts';

/**
 * What `quanta validate` checks of access: the user referential, every policy file parsed and
 * validated against the Cedar schema generated from the mesh, and the Quanta annotations
 * (`@mask`, `@rowFilter`), each finding at its `file:line:col`.
 */
export async function checkAccessFiles(mesh: MeshSpec): Promise<Finding[]> {
  const users = await loadUserReferential(mesh.root);
  const loaded = loadPolicySet(scopedPolicyFiles(mesh));
  const schema = generateCedarSchema(mesh.domains.map((domain) => domain.name));
  const isParsed = !loaded.findings.some((finding) => finding.severity === 'error');
  return [
    ...users.findings,
    ...loaded.findings,
    ...(isParsed ? validatePolicies(loaded.policies, schema) : []),
    ...loaded.policies.flatMap(checkAnnotations),
  ];
}

/** The mesh's policy files with their scope: `global`, or the domain that owns them. */
export function scopedPolicyFiles(mesh: MeshSpec): ScopedPolicyFile[] {
  return [
    ...mesh.globalPolicies.map((file) => ({ ...file, scope: 'global' })),
    ...mesh.domains.flatMap((domain) => domain.policies.map((file) => ({ ...file, scope: domain.name }))),
  ];
}

/** Checks the `@mask` and `@rowFilter` annotations of one policy. */
export function checkAnnotations(policy: PolicyEntry): Finding[] {
  const findings: Finding[] = [];
  const { mask, rowFilter } = policy.annotations;
  if (mask !== undefined && !isMaskFunction(mask)) {
    findings.push(
      annotationFinding(policy, `unknown mask "${mask}"`, `use one of ${MASK_FUNCTIONS.join(', ')}`),
    );
  }
  if (rowFilter !== undefined) {
    if (policy.effect !== 'permit') {
      findings.push(
        annotationFinding(
          policy,
          '@rowFilter belongs on a permit policy',
          'move it to the permit it narrows',
        ),
      );
    }
    const problem = checkRowFilterSyntax(rowFilter);
    if (problem)
      findings.push(
        annotationFinding(
          policy,
          `the row filter cannot be compiled: ${problem}`,
          'write column comparisons with principal.<attribute>',
        ),
      );
  }
  return findings;
}

function annotationFinding(policy: PolicyEntry, message: string, fix: string): Finding {
  return {
    code: 'QUANTA_SPEC_INVALID',
    severity: 'error',
    message: `policy ${policy.id}: ${message}`,
    fix,
    location: policy.location,
  };
}
