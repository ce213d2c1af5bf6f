import { isJsonObject, type ProductSpec, type RunRecord, type SnapshotRecord } from '@quanta/model';
import type { CatalogStore, RunEnding } from '@quanta/store';
import {
  type LineageEventType,
  type OutputQuality,
  openLineageRunEvent,
  type PortColumnLineage,
  portColumnLineageOf,
} from '@quanta/workflow';

/** What {@link RunLineage} needs. */
export interface RunLineageOptions {
  readonly store: CatalogStore;
  readonly run: RunRecord;
  readonly product: ProductSpec;
  readonly inputs: readonly SnapshotRecord[];
  /** An OpenLineage HTTP endpoint (`POST /api/v1/lineage`) to send each event to as well. */
  readonly endpoint?: string;
  readonly fetch?: typeof fetch;
}

/**
 * The OpenLineage RunEvents of one run: START once (a resumed run does not start again), then
 * COMPLETE, FAIL or ABORT with the snapshots it published. Each is stored with the run and,
 * when an endpoint is configured, POSTed to it; an endpoint that is down never fails the run.
 */
export class RunLineage {
  readonly #options: RunLineageOptions;

  constructor(options: RunLineageOptions) {
    this.#options = options;
  }

  /** Emits START unless an earlier attempt of the run did. */
  async started(): Promise<void> {
    const events = await this.#options.store.runQueue.listLineageEvents(this.#options.run.id);
    if (events.some((event) => event.eventType === 'START')) return;
    await this.#emit('START', {});
  }

  /** Emits the run's final event; each output carries its quality report and profile as facets. */
  async ended(ending: RunEnding): Promise<void> {
    const eventType: LineageEventType =
      ending.state === 'succeeded' ? 'COMPLETE' : ending.state === 'cancelled' ? 'ABORT' : 'FAIL';
    const outputs = await this.#outputs();
    await this.#emit(eventType, {
      outputs,
      outputQuality: await this.#outputQuality(outputs),
      ...(ending.error ? { error: ending.error } : {}),
    });
  }

  async #outputQuality(outputs: readonly SnapshotRecord[]): Promise<Map<string, OutputQuality>> {
    const { store, product } = this.#options;
    const quality = new Map<string, OutputQuality>();
    const lineage = outputs.length === 0 ? new Map() : await this.#columnLineage();
    for (const snapshot of outputs) {
      const report = (await store.getQualityReport(snapshot.port, snapshot.version))?.report;
      const profile = await store.getProfile(snapshot.port, snapshot.version);
      const rules = product.outputPorts.find((port) => port.address === snapshot.port)?.contract?.quality;
      const columnLineage = lineage.get(snapshot.port);
      quality.set(snapshot.port, {
        ...(report ? { report } : {}),
        ...(profile ? { profile } : {}),
        ...(rules ? { rules } : {}),
        ...(columnLineage ? { columnLineage } : {}),
      });
    }
    return quality;
  }

  /**
   * The column lineage of each port the run published from a `quanta.sql` transform: the
   * publish step's journaled result carries it (derived from DuckDB's parse tree).
   */
  async #columnLineage(): Promise<Map<string, PortColumnLineage>> {
    const lineage = new Map<string, PortColumnLineage>();
    for (const event of await this.#options.store.listStepEvents(this.#options.run.id)) {
      const data = event.kind === 'succeeded' ? event.data : undefined;
      if (!isJsonObject(data) || data.kind !== 'snapshot' || typeof data.port !== 'string') continue;
      const columnLineage = portColumnLineageOf(data.columnLineage);
      if (columnLineage) lineage.set(data.port, columnLineage);
    }
    return lineage;
  }

  async #outputs(): Promise<SnapshotRecord[]> {
    const outputs: SnapshotRecord[] = [];
    for (const port of this.#options.product.outputPorts) {
      const snapshot = await this.#options.store.runQueue.findRunSnapshot(this.#options.run.id, port.address);
      if (snapshot) outputs.push(snapshot);
    }
    return outputs;
  }

  async #emit(
    eventType: LineageEventType,
    extra: {
      outputs?: readonly SnapshotRecord[];
      outputQuality?: ReadonlyMap<string, OutputQuality>;
      error?: RunEnding['error'];
    },
  ): Promise<void> {
    const { run, product, store } = this.#options;
    const eventTime = new Date().toISOString();
    const event = openLineageRunEvent({
      eventType,
      eventTime,
      runId: run.id,
      domain: product.domain,
      product: product.name,
      inputs: this.#options.inputs,
      ...extra,
    });
    await store.runQueue.recordLineageEvent({ runId: run.id, eventType, eventTime, event });
    if (this.#options.endpoint) await this.#post(JSON.stringify(event));
  }

  async #post(body: string): Promise<void> {
    const send = this.#options.fetch ?? fetch;
    try {
      await send(this.#options.endpoint as string, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        signal: AbortSignal.timeout(5_000),
      });
    } catch {
      // Lineage is recorded in the store either way; the endpoint is a copy.
    }
  }
}
