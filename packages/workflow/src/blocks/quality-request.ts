import type { ProfileOptions, QualityRequest, RelationFile } from '@quanta/engine';
import {
  type ContractSpec,
  isJsonObject,
  type JsonObject,
  type JsonValue,
  type QualityReport,
  systemClock,
} from '@quanta/model';
import type { ProductRunContext } from './product-run-context.ts';

/**
 * What checking a table against a port's contract asks of the engine: every clause, and the
 * upstream snapshots pinned at run start for foreign keys. `quanta.quality` and `quanta.publish`
 * ask the same, so the engine reuses a check of an unchanged staged table.
 */
export function qualityRequestOf(contract: ContractSpec, context: ProductRunContext): QualityRequest {
  return {
    columns: contract.table.columns,
    rules: contract.quality,
    tableName: contract.table.name,
    references: referencePaths(context),
    now: (context.clock ?? systemClock).now().toISOString(),
  };
}

function referencePaths(context: ProductRunContext): Record<string, RelationFile> {
  const paths: Record<string, RelationFile> = {};
  for (const [file, snapshot] of context.references ?? new Map()) {
    paths[file] = { path: context.engine.resolveStoragePath(snapshot.storagePath) };
  }
  return paths;
}

/**
 * The check of a staged table: {@link qualityRequestOf}, with when the port last published (its
 * current snapshot, which `frequency` SLA clauses measure the interval from), made incremental
 * when the table is an incremental ingest's (the port's previous snapshot followed by new rows,
 * its handle naming `baseVersion` and `baseRows`): the engine then reads only the new rows for
 * every clause it can combine with the report the previous snapshot was published with (ADR 016).
 */
export async function stagedCheckRequestOf(
  port: { address: string; contract: ContractSpec },
  input: { context: ProductRunContext; from: JsonValue | undefined },
): Promise<QualityRequest> {
  const current = await input.context.store.getCurrentSnapshot(port.address);
  const request: QualityRequest = {
    ...qualityRequestOf(port.contract, input.context),
    ...(current ? { lastPublishedAt: current.createdAt } : {}),
  };
  const handle = input.from;
  if (!isJsonObject(handle) || typeof handle.baseVersion !== 'number' || typeof handle.baseRows !== 'number')
    return request;
  const base = await input.context.store.getQualityReport(port.address, handle.baseVersion);
  if (!base) return request;
  return { ...request, incremental: { baseRows: handle.baseRows, baseReport: base.report } };
}

/**
 * Which clauses read only the appended rows and which the whole table, when the check was
 * incremental (ADR 016).
 */
export function incrementalSummary(report: QualityReport): { incremental?: JsonObject } {
  if (!report.incremental) return {};
  const named = (scope: 'delta' | 'table') =>
    report.clauses.filter((clause) => clause.scope === scope).map((clause) => clause.name);
  return {
    incremental: {
      baseRows: report.incremental.baseRows,
      deltaRows: report.incremental.deltaRows,
      onDelta: named('delta'),
      onWholeTable: named('table'),
    },
  };
}

/**
 * How to profile a staged table: incrementally when it is an incremental ingest's (its handle
 * names the previous snapshot, `basePort@baseVersion`, and `baseRows`), merging with the
 * profile that snapshot was published with (ADR 016). `quanta.profile` and `quanta.publish`
 * ask the same, so the engine profiles an unchanged staged table once.
 */
export async function stagedProfileOptionsOf(
  from: JsonValue | undefined,
  context: ProductRunContext,
): Promise<ProfileOptions> {
  const handle = from;
  if (
    !isJsonObject(handle) ||
    typeof handle.basePort !== 'string' ||
    typeof handle.baseVersion !== 'number' ||
    typeof handle.baseRows !== 'number'
  )
    return {};
  const baseProfile = await context.store.getProfile(handle.basePort, handle.baseVersion);
  return baseProfile ? { incremental: { baseRows: handle.baseRows, baseProfile } } : {};
}
