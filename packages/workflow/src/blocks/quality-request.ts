import type { QualityRequest, RelationFile } from '@quanta/engine';
import { type ContractSpec, systemClock } from '@quanta/model';
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
