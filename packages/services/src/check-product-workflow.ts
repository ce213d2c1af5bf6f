import type { Finding, ProductSpec } from '@quanta/model';
import { parseWorkflow, QUANTA_BLOCKS, type WorkflowDefinition } from '@quanta/workflow';

/** The parsed workflow of a product, or the findings that stop it from running. */
export interface CheckedWorkflow {
  readonly workflow?: WorkflowDefinition;
  readonly findings: readonly Finding[];
}

/** Parses a product's workflow and checks that every call names a known block. */
export function checkProductWorkflow(product: ProductSpec): CheckedWorkflow {
  if (!product.workflow) {
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
  const parsed = parseWorkflow(product.workflow.source, product.workflow.file);
  if (!parsed.workflow) return parsed;
  const unknownCalls = [...parsed.workflow.subworkflows.values()]
    .flatMap((subworkflow) => subworkflow.steps)
    .filter(
      (step) =>
        step.kind === 'call' &&
        !QUANTA_BLOCKS.has(step.call) &&
        !parsed.workflow?.subworkflows.has(step.call),
    )
    .map(
      (step): Finding => ({
        code: 'QUANTA_SPEC_INVALID',
        severity: 'error',
        message: `step '${step.name}' calls '${step.kind === 'call' ? step.call : ''}', which is not a known block`,
        fix: `call one of ${[...QUANTA_BLOCKS.keys()].join(', ')}`,
        location: { file: product.workflow?.file ?? product.file, line: 1, col: 1 },
      }),
    );
  return { workflow: parsed.workflow, findings: [...parsed.findings, ...unknownCalls] };
}
