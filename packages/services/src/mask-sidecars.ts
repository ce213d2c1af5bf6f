import type { DataEngine } from '@quanta/engine';
import { maskSidecarColumns, maskSidecarPlan } from '@quanta/governance';
import { toQuantaError } from '@quanta/model';
import type { CatalogStore } from '@quanta/store';

/** What building one port's mask sidecar did: a value, never thrown. */
export type MaskSidecarOutcome =
  | {
      readonly kind: 'built' | 'existing';
      readonly port: string;
      readonly version: number;
      /** Absolute path of the sidecar file. */
      readonly path: string;
      readonly columns: readonly string[];
      /** Rows hashed now: every row, or the appended ones when the base's sidecar was reused. */
      readonly hashedRows?: number;
    }
  /** The port has no published snapshot, or no column to precompute. */
  | { readonly kind: 'skipped'; readonly port: string; readonly reason: string }
  | { readonly kind: 'failed'; readonly port: string; readonly reason: string };

/** Where to build mask sidecars, and under which key. */
export interface MaskSidecarOptions {
  readonly store: CatalogStore;
  readonly engine: DataEngine;
  /** The mesh secret the gateway hashes with; read only when some port has a column to precompute. */
  readonly secret: () => Promise<Buffer>;
  /** Only these ports (addresses); every deployed port when absent. */
  readonly ports?: readonly string[];
}

/**
 * Builds the mask sidecar of each port's current snapshot under the current key (ADR 019): the
 * keyed hashes of its `restricted`, `confidential` and `pii` columns, computed once instead of
 * at every masked query. Existing sidecars are left as they are. A port that fails is reported
 * and the others go on: without its sidecar the gateway computes the hashes, as before.
 */
export async function buildMaskSidecars(options: MaskSidecarOptions): Promise<MaskSidecarOutcome[]> {
  const catalog = await options.store.loadCatalog();
  const wanted = options.ports ? new Set(options.ports) : undefined;
  let secret: Promise<Buffer> | undefined;
  const outcomes: MaskSidecarOutcome[] = [];
  for (const port of catalog.ports) {
    if (wanted && !wanted.has(port.address)) continue;
    try {
      const snapshot = await options.store.getCurrentSnapshot(port.address);
      if (!snapshot) {
        outcomes.push({ kind: 'skipped', port: port.address, reason: 'no published snapshot' });
        continue;
      }
      if (maskSidecarColumns(port.columns, snapshot.columns).length === 0) {
        outcomes.push({
          kind: 'skipped',
          port: port.address,
          reason: 'no restricted, confidential or pii column',
        });
        continue;
      }
      secret ??= options.secret();
      const plan = maskSidecarPlan(await secret, {
        portColumns: port.columns,
        snapshotColumns: snapshot.columns,
      });
      if (!plan) continue;
      // An appended snapshot reuses its base's hashes: only the new rows are hashed.
      const base = snapshot.appendedTo
        ? await options.store.getSnapshot(port.address, snapshot.appendedTo.version)
        : undefined;
      const sidecar = await options.engine.buildMaskSidecar(snapshot.storagePath, {
        macro: plan.macro,
        columns: plan.columns,
        columnPrefix: plan.columnPrefix,
        fingerprint: plan.fingerprint,
        ...(base && snapshot.appendedTo
          ? { base: { storagePath: base.storagePath, rows: snapshot.appendedTo.rows } }
          : {}),
      });
      outcomes.push({
        kind: sidecar.kind,
        port: port.address,
        version: snapshot.version,
        path: sidecar.path,
        columns: plan.columns,
        ...(sidecar.hashedRows === undefined ? {} : { hashedRows: sidecar.hashedRows }),
      });
    } catch (error) {
      const failure = toQuantaError(error);
      outcomes.push({ kind: 'failed', port: port.address, reason: `${failure.code} ${failure.message}` });
    }
  }
  return outcomes;
}
