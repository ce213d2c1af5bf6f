import type { DataEngine } from '@quanta/engine';
import { type Clock, type PortRecord, type SnapshotRecord, systemClock } from '@quanta/model';
import { retentionDaysOf } from '@quanta/spec';
import type { CatalogStore } from '@quanta/store';

const DAY_MS = 86_400_000;

/** One snapshot retention removed (or would remove, on a dry run). */
export interface ExpiredSnapshot {
  readonly address: string;
  readonly createdAt: string;
  readonly rowCount: number;
  readonly bytes: number;
  /** The contract's retention, in days. */
  readonly retentionDays: number;
}

/** Where retention looks and what it may do. */
export interface RetentionOptions {
  readonly store: CatalogStore;
  readonly engine: DataEngine;
  readonly clock?: Clock;
  /** Only these ports (addresses); every deployed port when absent. */
  readonly ports?: readonly string[];
  /** List what would go, remove nothing. */
  readonly isDryRun?: boolean;
}

/**
 * Retention from the contract: a snapshot published longer ago than its port's contract
 * retention (`slaProperties: retention`) is removed from the catalog, then its file deleted.
 * The current snapshot is always kept, so consumers never lose the port; earlier versions stay
 * readable until then. Ports whose contract declares no retention keep every snapshot.
 */
export async function enforceRetention(options: RetentionOptions): Promise<ExpiredSnapshot[]> {
  const now = (options.clock ?? systemClock).now().getTime();
  const catalog = await options.store.loadCatalog();
  const wanted = options.ports ? new Set(options.ports) : undefined;
  const expired: ExpiredSnapshot[] = [];
  for (const port of catalog.ports) {
    const retentionDays = retentionDaysOf(port.contract);
    if (retentionDays === undefined || (wanted && !wanted.has(port.address))) continue;
    const before = new Date(now - retentionDays * DAY_MS).toISOString();
    const removed = await expirePort(port, { ...options, before });
    expired.push(...removed.map((snapshot) => describeExpired(snapshot, retentionDays)));
  }
  return expired;
}

async function expirePort(
  port: PortRecord,
  options: RetentionOptions & { before: string },
): Promise<readonly SnapshotRecord[]> {
  if (options.isDryRun) {
    const history = await options.store.listSnapshots(port.address);
    return history.slice(1).filter((snapshot) => snapshot.createdAt < options.before);
  }
  const removed = await options.store.expireSnapshots(port.address, { before: options.before });
  for (const snapshot of removed) await options.engine.removeSnapshot(snapshot.storagePath);
  return removed;
}

function describeExpired(snapshot: SnapshotRecord, retentionDays: number): ExpiredSnapshot {
  return {
    address: `${snapshot.port}@${snapshot.version}`,
    createdAt: snapshot.createdAt,
    rowCount: snapshot.rowCount,
    bytes: snapshot.bytes,
    retentionDays,
  };
}
