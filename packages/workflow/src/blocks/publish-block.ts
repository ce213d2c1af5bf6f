import type { AuditResult } from '@quanta/engine';
import { QuantaError } from '@quanta/model';
import type { Block } from '../run-workflow.ts';
import { requireString } from './block-arguments.ts';
import { snapshotHandle, stagedTableOf } from './handles.ts';
import { outputPortOf } from './output-port-of.ts';
import type { ProductRunContext } from './product-run-context.ts';

/**
 * `quanta.publish`: write-audit-publish. The staged table is audited against the port's
 * contract; only when every check passes is it moved to its immutable place and made the
 * port's current snapshot, in one catalog transaction. A failed audit stops the line: the
 * port keeps its last good snapshot.
 */
export const publishBlock: Block<ProductRunContext> = {
  name: 'quanta.publish',
  description:
    "Audits a staged table against the port's contract and, when every check passes, publishes it as the " +
    "port's next immutable snapshot. Args: port, from. Result: a snapshot handle.",
  async run(args, context) {
    const port = outputPortOf(context.product, requireString(args, 'port', 'quanta.publish'));
    const staged = stagedTableOf(args.from, 'from');
    context.progress.update(`auditing ${staged.rowCount} rows for ${port.address}`);
    const audit = await context.engine.audit(staged, port.contract.table.columns);
    if (!audit.passed) throw publishBlockedError(port.address, audit);
    const promoted = await context.engine.promote(staged, {
      domain: context.product.domain,
      product: context.product.name,
      port: port.name,
      snapshotId: `${context.runId}-${port.name}`,
    });
    const snapshot = await context.store.publishSnapshot({
      port: port.address,
      schemaHash: staged.schemaHash,
      columns: staged.columns,
      rowCount: staged.rowCount,
      quarantinedRows: staged.quarantinedRows,
      inputVersions: [...context.inputs.values()].map((input) => ({
        port: input.port,
        version: input.version,
      })),
      runId: context.runId,
      storagePath: promoted.storagePath,
      bytes: promoted.bytes,
    });
    context.progress.update(`published ${snapshot.port}@${snapshot.version} (${snapshot.rowCount} rows)`);
    return snapshotHandle(snapshot);
  },
};

function publishBlockedError(address: string, audit: AuditResult): QuantaError {
  const failing = audit.checks.filter((check) => !check.passed);
  const summary = failing.map((check) => `${check.name}: ${check.detail}`).join('; ');
  return new QuantaError(
    'QUANTA_PUBLISH_BLOCKED',
    `publication of ${address} blocked by ${failing.length} failed check(s): ${summary}`,
    {
      address,
      fix: 'fix the data or the transform; consumers keep reading the last good snapshot',
      findings: failing.map((check) => ({
        code: 'QUANTA_PUBLISH_BLOCKED',
        severity: 'error',
        message: `${check.name}: ${check.detail}`,
        address: check.column ? `${address}#${check.column}` : address,
      })),
    },
  );
}
