import type { Finding, ProductSpec, SourceLocation } from '@quanta/model';
import { parseWorkflow, QUANTA_BLOCKS, type Step, type WorkflowDefinition } from '@quanta/workflow';

/** The parsed workflow of a product, or the findings that stop it from running. */
export interface CheckedWorkflow {
  readonly workflow?: WorkflowDefinition;
  readonly findings: readonly Finding[];
}

/** Parses a product's workflow and checks that every call names a known block or subworkflow. */
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
  const { workflow } = parsed;
  if (!workflow) return parsed;
  const locate = (step: Step): SourceLocation =>
    spec.locate ? spec.locate([...step.path, 'call']) : { file: spec.file, line: 1, col: 1 };
  const unknownCalls = [...workflow.subworkflows.values()]
    .flatMap((subworkflow) => subworkflow.steps)
    .flatMap((step): Finding[] =>
      step.kind === 'call' && !QUANTA_BLOCKS.has(step.call) && !workflow.subworkflows.has(step.call)
        ? [
            {
              code: 'QUANTA_SPEC_INVALID',
              severity: 'error',
              message: `step '${step.name}' calls '${step.call}', which is neither a quanta block nor a subworkflow`,
              fix: `call one of ${[...QUANTA_BLOCKS.keys()].join(', ')}`,
              location: locate(step),
            },
          ]
        : [],
    );
  return unknownCalls.length > 0 ? { findings: unknownCalls } : { workflow, findings: [] };
}
