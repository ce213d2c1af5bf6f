import { enforcementSummary } from '@quanta/model';
import type { Block } from '../run-workflow.ts';
import { requireString } from './block-arguments.ts';
import { signalOf, stagedTableOf } from './handles.ts';
import { outputPortOf } from './output-port-of.ts';
import type { ProductRunContext } from './product-run-context.ts';
import { incrementalSummary, stagedCheckRequestOf } from './quality-request.ts';

/**
 * `quanta.quality`: runs every clause of a port's contract on a staged table and returns the
 * report's summary, without publishing (a gate a workflow can branch on before `quanta.publish`,
 * which checks again as part of write-audit-publish).
 */
export const qualityBlock: Block<ProductRunContext> = {
  name: 'quanta.quality',
  description:
    "Checks a staged table against every clause of the port's contract without publishing. Args: port, from. " +
    'Result: {kind: quality, isBlocking, enforced, total, failed: [...], incremental?: {onDelta, onWholeTable}}.',
  args: {
    port: { type: 'string', required: true, description: 'the output port whose contract is checked' },
    from: { type: 'handle', required: true, description: 'the staged-table handle to check' },
  },
  async run(args, context, control) {
    const port = outputPortOf(context.product, requireString(args, 'port', 'quanta.quality'));
    const staged = stagedTableOf(args.from, 'from');
    const report = await context.engine.checkQuality(
      { path: staged.path },
      await stagedCheckRequestOf(port, { context, from: args.from }),
      signalOf(control),
    );
    context.progress.update(`quality of ${port.address}: ${enforcementSummary(report)}`);
    return {
      kind: 'quality',
      port: port.address,
      isBlocking: report.isBlocking,
      enforced: report.enforced,
      total: report.total,
      rowCount: report.rowCount,
      failed: report.clauses
        .filter((clause) => clause.status === 'failed')
        .map((clause) => `${clause.severity} ${clause.name}: ${clause.detail}`),
      schemaFailures: report.schema
        .filter((check) => !check.passed)
        .map((check) => `${check.name}: ${check.detail}`),
      ...incrementalSummary(report),
    };
  },
};
