import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { EngineCallOptions, IngestFormat } from '@quanta/engine';
import { type ContractSpec, type JsonObject, type OutputPortSpec, QuantaError } from '@quanta/model';
import type { FileFingerprint } from '@quanta/store';
import { stagedHandle } from './handles.ts';
import type { ProductRunContext } from './product-run-context.ts';

/** An incremental ingest: the files matching the source now, and where their rows go. */
export interface IncrementalIngest {
  readonly source: string;
  readonly port: OutputPortSpec & { contract: ContractSpec };
  /** Absolute paths matching the source glob. */
  readonly files: readonly string[];
  readonly format: IngestFormat;
  /** The block's abort signal, passed to every engine call. */
  readonly engine: EngineCallOptions;
}

/**
 * Ingests only the files the product's watermark has not seen (path, size, mtime and content
 * hash, claimed for this run in one store transaction, so that concurrent runs never take the
 * same file and a resumed run gets its own files back), then appends their rows to the port's
 * current snapshot: the staged table is the previous rows followed by the new ones, and its
 * quarantine the previous snapshot's rejected rows followed by the new files' (ADR 013).
 */
export async function ingestIncrementally(
  ingest: IncrementalIngest,
  context: ProductRunContext,
): Promise<JsonObject> {
  const { port } = ingest;
  const unseen = await filesNotInWatermark(ingest, context);
  const fingerprints = await Promise.all(unseen.map((file) => fingerprintOf(file, context.meshRoot)));
  const claimed = await context.store.triggers.claimFiles({
    product: context.product.address,
    source: ingest.source,
    runId: context.runId,
    files: fingerprints,
  });
  const fresh = claimed.map((file) => path.join(context.meshRoot, file.path));
  const previous = await context.store.getCurrentSnapshot(port.address);
  const target = (name: string) => ({ domain: context.product.domain, runId: context.runId, name });
  context.progress.update(`ingesting ${fresh.length} new ${ingest.format} file(s) into ${port.address}`);
  const delta =
    fresh.length === 0
      ? undefined
      : await context.engine.ingest(
          {
            files: fresh,
            format: ingest.format,
            columns: port.contract.table.columns,
            target: target(`ingest-${port.name}`),
          },
          ingest.engine,
        );
  const summary = {
    newFiles: fresh.length,
    newRows: delta?.rowCount ?? 0,
    newQuarantinedRows: delta?.quarantinedRows ?? 0,
  };
  if (!previous) {
    if (!delta) {
      throw new QuantaError(
        'QUANTA_INGEST_FAILED',
        `no new file for ${port.address}: another run holds them`,
        {
          fix: 'wait for the other run of the product to finish',
        },
      );
    }
    return { ...stagedHandle(delta), ...summary, baseRows: 0 };
  }
  const appended = await context.engine.append(
    {
      base: { path: context.engine.resolveStoragePath(previous.storagePath) },
      ...(delta ? { delta: { path: delta.path } } : {}),
      target: target(`ingest-${port.name}-appended`),
    },
    ingest.engine,
  );
  return {
    ...stagedHandle(appended),
    ...summary,
    baseRows: previous.rowCount,
    baseVersion: previous.version,
    basePort: port.address,
  };
}

/**
 * The matching files whose path, size and modification time no other live run's watermark
 * entry has: only they are read and hashed, so a run costs what is new, not what has landed
 * over time. (A file rewritten in place with the same size and mtime is not seen again, as
 * the file-arrival trigger does not see it either.) This run's own claims stay candidates: a
 * resumed run gets them back.
 */
async function filesNotInWatermark(ingest: IncrementalIngest, context: ProductRunContext): Promise<string[]> {
  const ingested = await context.store.triggers.listIngestedFiles(context.product.address, ingest.source);
  const seen = new Set(
    ingested.filter((file) => file.runId !== context.runId).map((file) => watermarkKey(file.path, file)),
  );
  const stats = await Promise.all(ingest.files.map(async (file) => ({ file, info: await stat(file) })));
  return stats
    .filter(({ file, info }) => !seen.has(watermarkKey(path.relative(context.meshRoot, file), info)))
    .map(({ file }) => file);
}

function watermarkKey(relativePath: string, info: { size: number; mtimeMs: number }): string {
  return `${relativePath}\u0000${info.size}\u0000${info.mtimeMs}`;
}

/** A landing file's watermark key; the path is kept relative to the mesh root. */
async function fingerprintOf(file: string, meshRoot: string): Promise<FileFingerprint> {
  const [info, bytes] = await Promise.all([stat(file), readFile(file)]);
  return {
    path: path.relative(meshRoot, file),
    size: info.size,
    mtimeMs: info.mtimeMs,
    contentHash: createHash('sha256').update(bytes).digest('hex'),
  };
}
