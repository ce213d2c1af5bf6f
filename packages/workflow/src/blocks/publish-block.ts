import { access } from 'node:fs/promises';
import type { StagedTable } from '@quanta/engine';
import {
  type ClauseResult,
  enforcementSummary,
  type Finding,
  isJsonObject,
  type JsonObject,
  type JsonValue,
  type QualityReport,
  QuantaError,
  type SnapshotRecord,
} from '@quanta/model';
import { crashPoint } from '../crash-point.ts';
import type { Block } from '../run-workflow.ts';
import { requireString } from './block-arguments.ts';
import { signalOf, snapshotHandle, stagedTableOf } from './handles.ts';
import { outputPortOf } from './output-port-of.ts';
import type { ProductRunContext } from './product-run-context.ts';
import { incrementalSummary, stagedCheckRequestOf, stagedProfileOptionsOf } from './quality-request.ts';

const MAX_SAMPLE_TEXT = 400;

/**
 * `quanta.publish`: write-audit-publish. The staged table is checked against every clause of
 * the port's contract (schema, column constraints, quality rules, relationships, SLA) in as
 * few scans as the rules allow. A failed schema check or `error` clause stops the line: the
 * report is recorded, the run ends blocked and the port keeps its last good snapshot. Otherwise
 * the table is profiled, moved to its immutable place and made the port's current snapshot
 * together with its quality report and profile, in one catalog transaction. Warnings publish.
 *
 * A run publishes a port exactly once: the store keeps one snapshot per run and port. A resumed
 * run that had already committed finds that snapshot and returns its handle; one that died
 * between the atomic rename and the commit checks the renamed file and commits it.
 */
export const publishBlock: Block<ProductRunContext> = {
  name: 'quanta.publish',
  description:
    "Checks a staged table against every clause of the port's contract and, unless an error-severity clause " +
    "fails, publishes it as the port's next immutable snapshot with its quality report and profile. " +
    'Args: port, from. Result: a snapshot handle.',
  args: {
    port: { type: 'string', required: true, description: 'the output port to publish' },
    from: { type: 'handle', required: true, description: 'the staged-table handle to audit and publish' },
  },
  async run(args, context, control) {
    const port = outputPortOf(context.product, requireString(args, 'port', 'quanta.publish'));
    const published = await context.store.runQueue.findRunSnapshot(context.runId, port.address);
    if (published) return { ...(await publishedHandle(published, context)), ...lineageOf(args.from) };
    const target = {
      domain: context.product.domain,
      product: context.product.name,
      port: port.name,
      snapshotId: `${context.runId}-${port.name}`,
    };
    assertSameBasePort(args.from, port.address);
    // A re-run from a step may publish a table an earlier run staged: it publishes its own copy.
    const from = await context.engine.adoptStaged(
      stagedTableOf(args.from, 'from'),
      { domain: context.product.domain, runId: context.runId },
      { publishedAs: target },
    );
    const staged = await resumedStaging(from, { context, target });
    context.progress.update(`checking ${staged.rowCount} rows for ${port.address}`);
    const report = await context.engine.checkQuality(
      staged,
      await stagedCheckRequestOf(port, { context, from: args.from }),
      signalOf(control),
    );
    if (report.isBlocking) {
      await context.store.recordQualityReport({ runId: context.runId, port: port.address, report });
      throw publishBlockedError(port.address, report);
    }
    context.progress.update(`profiling ${report.rowCount} rows of ${port.address}`);
    const profile = await context.engine.profile(staged, {
      ...signalOf(control),
      ...(await stagedProfileOptionsOf(args.from, context)),
    });
    // A step that timed out (or a cancelled run) must not publish after the fact.
    control?.signal.throwIfAborted();
    // Promoting the staging file again after a crash past the rename returns the snapshot it became.
    const promoted = await context.engine.promote(from, target);
    crashPoint('publish:promoted');
    const snapshot = await publishOnce(context, {
      port: port.address,
      schemaHash: staged.schemaHash,
      columns: staged.columns,
      rowCount: report.rowCount,
      quarantinedRows: report.quarantinedRows,
      inputVersions: [...context.inputs.values()].map((input) => ({
        port: input.port,
        version: input.version,
      })),
      runId: context.runId,
      storagePath: promoted.storagePath,
      bytes: promoted.bytes,
      quality: report,
      profile,
      ...appendedToOf(args.from, report),
      ...transformHashOf(args.from),
    });
    crashPoint('publish:committed');
    context.progress.update(
      `published ${snapshot.port}@${snapshot.version} (${snapshot.rowCount} rows, ${enforcementSummary(report)})`,
    );
    return { ...snapshotHandle(snapshot), quality: qualitySummary(report), ...lineageOf(args.from) };
  },
};

type SnapshotTarget = Parameters<ProductRunContext['engine']['promote']>[1];

/**
 * The table to check: the staging file, or (a resumed run that died after the rename) the
 * snapshot file it became, which promoting again returns.
 */
async function resumedStaging(
  staged: StagedTable,
  at: { context: ProductRunContext; target: SnapshotTarget },
): Promise<StagedTable> {
  if (await exists(staged.path)) return staged;
  const promoted = await at.context.engine.promote(staged, at.target);
  return { ...staged, path: at.context.engine.resolveStoragePath(promoted.storagePath) };
}

/** Commits the snapshot; when another holder of the run committed it first, returns theirs. */
async function publishOnce(
  context: ProductRunContext,
  snapshot: Parameters<ProductRunContext['store']['publishSnapshot']>[0],
): Promise<SnapshotRecord> {
  try {
    return await context.store.publishSnapshot(snapshot);
  } catch (error) {
    const existing =
      error instanceof QuantaError && error.code === 'QUANTA_CONFLICT'
        ? await context.store.runQueue.findRunSnapshot(snapshot.runId, snapshot.port)
        : undefined;
    if (!existing) throw error;
    return existing;
  }
}

/**
 * A staged table built on a port's snapshot (an incremental ingest or SQL transform) belongs to
 * that port: published elsewhere, its first rows would be another port's.
 */
function assertSameBasePort(from: JsonValue | undefined, port: string): void {
  if (!isJsonObject(from) || typeof from.basePort !== 'string' || from.basePort === port) return;
  throw new QuantaError(
    'QUANTA_WORKFLOW_FAILED',
    `the staged table extends a snapshot of ${from.basePort}; it cannot be published to ${port}`,
    { fix: `publish it to ${from.basePort}, or stage ${port}'s table from its own step` },
  );
}

/**
 * What the snapshot appends to (ADR 018): the base the handle names (an incremental ingest's or
 * SQL transform's), when the check left the base's rows as they were: it routed only new rows
 * to quarantine (an incremental check), or none at all.
 */
function appendedToOf(
  from: JsonValue | undefined,
  report: QualityReport,
): { appendedTo?: { version: number; rows: number } } {
  if (!isJsonObject(from) || typeof from.baseVersion !== 'number' || typeof from.baseRows !== 'number')
    return {};
  const rows = from.baseRows;
  const isBaseKept =
    report.incremental?.baseRows === rows || report.clauses.every((clause) => !clause.quarantined);
  return isBaseKept && report.rowCount >= rows ? { appendedTo: { version: from.baseVersion, rows } } : {};
}

/** The hash of the `quanta.sql` transform that computed the staged table, when it was incremental. */
function transformHashOf(from: JsonValue | undefined): { transformHash?: string } {
  return isJsonObject(from) && typeof from.transformHash === 'string'
    ? { transformHash: from.transformHash }
    : {};
}

/** The column lineage a `quanta.sql` handle carries, passed on to the snapshot handle (run lineage reads it). */
function lineageOf(from: JsonValue | undefined): JsonObject {
  return isJsonObject(from) && isJsonObject(from.columnLineage) ? { columnLineage: from.columnLineage } : {};
}

async function publishedHandle(snapshot: SnapshotRecord, context: ProductRunContext) {
  const quality = await context.store.getQualityReport(snapshot.port, snapshot.version);
  return { ...snapshotHandle(snapshot), ...(quality ? { quality: qualitySummary(quality.report) } : {}) };
}

async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}

/** The run result's view of a report: counts, and every clause that did not pass. */
function qualitySummary(report: QualityReport) {
  const notPassed = report.clauses.filter((clause) => clause.status !== 'passed');
  return {
    enforced: report.enforced,
    total: report.total,
    warnings: notPassed
      .filter((clause) => clause.status === 'failed')
      .map((clause) => `${clause.name}: ${clause.detail}`),
    cannotEnforce: notPassed
      .filter((clause) => clause.status === 'cannotEnforce')
      .map((clause) => `${clause.name}: ${clause.detail}`),
    ...incrementalSummary(report),
  };
}

function publishBlockedError(address: string, report: QualityReport): QuantaError {
  const failedSchema = report.schema.filter((check) => !check.passed);
  const failedClauses = report.clauses.filter(
    (clause) => clause.status === 'failed' && clause.severity === 'error',
  );
  const findings: Finding[] = [
    ...failedSchema.map(
      (check): Finding => ({
        code: 'QUANTA_PUBLISH_BLOCKED',
        severity: 'error',
        message: `${check.name}: ${check.detail}`,
        address: check.column ? `${address}#${check.column}` : address,
      }),
    ),
    ...failedClauses.map((clause) => clauseFinding(address, clause)),
  ];
  const summary = findings.map((finding) => finding.message.split('; samples: ')[0]).join('; ');
  return new QuantaError(
    'QUANTA_PUBLISH_BLOCKED',
    `publication of ${address} blocked by ${findings.length} failed check(s) (${enforcementSummary(report)}): ${summary}`,
    {
      address,
      fix: 'fix the data or the transform (see the samples); consumers keep reading the last good snapshot',
      findings,
    },
  );
}

function clauseFinding(address: string, clause: ClauseResult): Finding {
  const samples = clause.samples.length === 0 ? '' : `; samples: ${JSON.stringify(clause.samples)}`;
  const text = `${clause.name} (${clause.id}): ${clause.detail}${samples}`;
  return {
    code: 'QUANTA_PUBLISH_BLOCKED',
    severity: 'error',
    message: text.length > MAX_SAMPLE_TEXT + 200 ? `${text.slice(0, MAX_SAMPLE_TEXT + 200)}…` : text,
    address,
  };
}
