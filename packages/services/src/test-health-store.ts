import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CatalogState, QualityReport } from '@quanta/model';
import { type CatalogStore, type IncidentStore, openCatalogStore, openIncidentStore } from '@quanta/store';

/** One publication of a port: when, by which run, and what its snapshot held. */
export interface TestPublication {
  readonly port: string;
  readonly at: string;
  readonly runId: string;
  readonly rowCount: number;
  readonly quarantinedRows: number;
  readonly quality: QualityReport;
}

/**
 * A catalog store and an incident store over one fresh embedded database, with a catalog
 * applied, for port health tests: each publication stamps its snapshot at the time it says.
 */
export interface HealthStoreFixture {
  readonly store: CatalogStore;
  readonly incidents: IncidentStore;
  /** Starts the run (of product `quanta://sales/orders`) and publishes its snapshot at `at`. */
  publish(publication: TestPublication): Promise<void>;
  dispose(): Promise<void>;
}

/** Opens the stores in a fresh temporary folder and applies `catalog`. */
export async function createHealthStore(catalog: CatalogState): Promise<HealthStoreFixture> {
  const folder = await mkdtemp(join(tmpdir(), 'quanta-health-'));
  let now = new Date('2025-06-01T00:00:00.000Z');
  const clock = { now: () => now };
  const store = await openCatalogStore({ embeddedPath: join(folder, 'catalog.db') }, { clock });
  const incidents = await openIncidentStore({ embeddedPath: join(folder, 'catalog.db') });
  await store.applyCatalog(catalog, { appliedBy: 'test' });
  return {
    store,
    incidents,
    publish: async ({ port, at, runId, ...rows }) => {
      now = new Date(at);
      await store.startRun({ id: runId, product: 'quanta://sales/orders', trigger: 'test' });
      await store.publishSnapshot({
        port,
        schemaHash: 'h',
        columns: [],
        inputVersions: [],
        runId,
        storagePath: `sales/orders/${port.split('/').at(-1)}/${runId.replaceAll(':', '-')}.duckdb`,
        bytes: 1,
        ...rows,
      });
    },
    dispose: async () => {
      await incidents.close();
      await store.close();
      await rm(folder, { recursive: true, force: true });
    },
  };
}
