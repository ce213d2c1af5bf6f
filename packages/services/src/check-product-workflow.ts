import type { Finding, ProductSpec } from '@quanta/model';
import {
  checkWorkflow,
  mergeTemplates,
  parseWorkflow,
  QUANTA_BLOCKS,
  type WorkflowDefinition,
} from '@quanta/workflow';

/** The parsed workflow of a product, or the findings that stop it from running. */
export interface CheckedWorkflow {
  readonly workflow?: WorkflowDefinition;
  readonly findings: readonly Finding[];
}

/**
 * Parses a product's workflow (validated against the Cloud Workflows schema) and checks it
 * statically against the `quanta.*` blocks and the standard library: unknown steps, calls and
 * arguments, variables used before assignment, expression syntax. The templates it calls are
 * merged in as subworkflows first, so their steps are checked too.
 */
export function checkProductWorkflow(product: ProductSpec): CheckedWorkflow {
  const spec = product.workflow;
  if (!spec) {
    return {
      findings: [
        {
          code: 'QUANTA_SPEC_INVALID',
          severity: 'error',
          message: `${product.address} has no workflow.yaml`,
          fix: 'add workflow.yaml beside product.odps.yaml (see docs/mesh-files.md)',
          location: product.location,
        },
      ],
    };
  }
  const parsed = parseWorkflow(spec.source, {
    file: spec.file,
    ...(spec.locate ? { locate: spec.locate } : {}),
  });
  if (!parsed.workflow) return parsed;
  const merged = mergeTemplates(parsed.workflow, spec.templates ?? []);
  if (!merged.workflow) return merged;
  const findings = checkWorkflow(merged.workflow, { blocks: QUANTA_BLOCKS });
  const hasErrors = findings.some((finding) => finding.severity === 'error');
  return hasErrors ? { findings } : { workflow: merged.workflow, findings };
}
