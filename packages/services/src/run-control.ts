import { hostname } from 'node:os';
import type { DataEngine } from '@quanta/engine';
import {
  type Clock,
  invalidSpecError,
  type MeshSpec,
  type ProductSpec,
  QuantaError,
  type RunRecord,
  serializeError,
  systemClock,
  toQuantaError,
} from '@quanta/model';
import type { CatalogStore, ClaimedRun, LineageEventRecord, QueuedRun } from '@quanta/store';
import type { ProgressReporter } from '@quanta/workflow';
import { checkProductWorkflow } from './check-product-workflow.ts';
import type { TrustRecording } from './record-run-trust.ts';
import {
  DEFAULT_LEASE_MS,
  enqueueProductRun,
  executeClaimedRun,
  type FromStep,
  type ProductWorkflow,
  type RunEnvironment,
} from './run-product.ts';
import { TriggerScheduler } from './trigger-scheduler.ts';

/** How runs are executed by this process. */
export interface RunSettings {
  /** This process's name in leases and the journal. Default: `<host>:<pid>`. */
  readonly worker?: string;
  readonly leaseMs?: number;
  readonly stepTimeoutMs?: number;
  readonly lineageEndpoint?: string;
}

/** What to run. */
export interface RunRequest {
  readonly trigger?: string;
  /** Re-run this earlier run from one of its steps. */
  readonly fromStep?: FromStep;
}

/** Options of {@link RunControl.work}. */
export interface WorkOptions extends RunSettings {
  /** Runs executed at once by this process (default 1). */
  readonly concurrency?: number;
  /** How often an idle worker looks for work (default 500 ms). */
  readonly pollMs?: number;
  /** Return once no run is queued or leased anywhere, instead of waiting for more. */
  readonly isDraining?: boolean;
  /** Stops taking new runs (the runs in hand finish). */
  readonly signal?: AbortSignal;
  /** Also evaluate the products' triggers on every poll (`quanta worker`, `quanta serve`). */
  readonly scheduler?: TriggerScheduler;
  /** How long a loaded mesh serves before the files are read again (default 5 s). */
  readonly meshRefreshMs?: number;
}

const MESH_REFRESH_MS = 5_000;

/**
 * The mesh as a long-lived worker sees it: reloaded when older than `maxAgeMs`, and at once
 * when a run names a product the loaded mesh does not have (it was just added).
 */
class MeshCache {
  readonly #load: () => Promise<MeshSpec>;
  readonly #maxAgeMs: number;
  #loaded: { mesh: MeshSpec; at: number } | undefined;

  constructor(load: () => Promise<MeshSpec>, maxAgeMs: number) {
    this.#load = load;
    this.#maxAgeMs = maxAgeMs;
  }

  async withProduct(address: string): Promise<MeshSpec> {
    const isFresh = this.#loaded && performance.now() - this.#loaded.at < this.#maxAgeMs;
    const cached = isFresh ? this.#loaded?.mesh : undefined;
    if (cached?.products.some((product) => product.address === address)) return cached;
    const mesh = await this.#load();
    this.#loaded = { mesh, at: performance.now() };
    return mesh;
  }
}

/** Options of {@link RunControl.schedule}. */
export interface ScheduleOptions {
  /** The clock the triggers are evaluated on (the mesh service's clock). */
  readonly clock?: Clock;
  /** How often the triggers are evaluated (default 5 s). */
  readonly pollMs?: number;
  /** Stops the loop (the run in hand finishes first). */
  readonly signal: AbortSignal;
  /** Also execute the queued runs in this process: an embedded store has no other worker. */
  readonly isExecuting: boolean;
  /** How the runs executed here run (`quanta serve` passes its OpenLineage endpoint). */
  readonly settings?: RunSettings;
}

/** What the services behind {@link RunControl} are. */
export interface RunControlOptions {
  readonly root: string;
  readonly store: CatalogStore;
  readonly engine: DataEngine;
  readonly progress: ProgressReporter;
  /** The validated mesh (loaded on demand). */
  readonly mesh: () => Promise<MeshSpec>;
  /** Where runs record their change findings as incidents. */
  readonly trust?: TrustRecording;
}

/**
 * Durable runs of a mesh: start a run now, queue it for workers, resume an abandoned one,
 * cancel, re-run from a step, and work through the queue as a worker (any number of them, in
 * this process or others, on the same store).
 */
export class RunControl {
  readonly #options: RunControlOptions;

  constructor(options: RunControlOptions) {
    this.#options = options;
  }

  /**
   * Runs a product now. Abandoned runs of the product (their worker died, their lease expired)
   * are resumed first, then a new run starts; every run is returned, the new one last.
   */
  async start(productName: string, options: RunRequest & RunSettings = {}): Promise<RunRecord[]> {
    const mesh = await this.#options.mesh();
    const product = findProduct(mesh, productName);
    const runs: RunRecord[] = [];
    for (const abandoned of await this.#abandoned(product.address)) {
      const claimed = await this.#claim({ runId: abandoned.runId, settings: options });
      if (claimed) runs.push(await this.#execute(claimed, { mesh, settings: options }));
    }
    const queued = await this.#enqueue(mesh, { product, request: options });
    const claimed = await this.#claim({ runId: queued.runId, settings: options });
    if (!claimed) throw new QuantaError('QUANTA_CONFLICT', `run ${queued.runId} was taken by another worker`);
    runs.push(await this.#execute(claimed, { mesh, settings: options }));
    return runs;
  }

  /** Queues a run of a product for the workers (`quanta run --queue`). */
  async enqueue(productName: string, request: RunRequest = {}): Promise<QueuedRun> {
    const mesh = await this.#options.mesh();
    return this.#enqueue(mesh, { product: findProduct(mesh, productName), request });
  }

  /** Resumes a run whose worker died (its lease expired), or a queued run, in this process. */
  async resume(runId: string, settings: RunSettings = {}): Promise<RunRecord> {
    const queued = await this.#options.store.runQueue.getQueuedRun(runId);
    if (!queued) throw new QuantaError('QUANTA_NOT_FOUND', `no queued or running run ${runId}`);
    const claimed = await this.#claim({ runId, settings });
    if (!claimed) throw notClaimable(queued);
    return this.#execute(claimed, { mesh: await this.#options.mesh(), settings });
  }

  /** Asks a run to stop: a queued run is cancelled at once, a running one at its next step. */
  async cancel(runId: string): Promise<QueuedRun> {
    const queued = await this.#options.store.runQueue.requestCancel(runId);
    if (!queued) throw new QuantaError('QUANTA_NOT_FOUND', `no queued or running run ${runId}`);
    return queued;
  }

  /** The OpenLineage RunEvents of a run. */
  async lineage(runId: string): Promise<readonly LineageEventRecord[]> {
    return this.#options.store.runQueue.listLineageEvents(runId);
  }

  /**
   * Works as a worker: claims queued and abandoned runs and executes them, `concurrency` at a
   * time, until the signal aborts (or, draining, until nothing is queued or leased anywhere).
   */
  async work(options: WorkOptions = {}): Promise<RunRecord[]> {
    const meshes = new MeshCache(this.#options.mesh, options.meshRefreshMs ?? MESH_REFRESH_MS);
    const done: RunRecord[] = [];
    const loop = async (slot: number): Promise<void> => {
      const settings = { ...options, worker: `${workerName(options)}${slot === 0 ? '' : `#${slot}`}` };
      while (!options.signal?.aborted) {
        if (slot === 0) await options.scheduler?.tick();
        const claimed = await this.#claim({ settings });
        if (claimed) {
          done.push(await this.#executeOrFail(claimed, { meshes, settings }));
          continue;
        }
        if (options.isDraining && (await this.#options.store.runQueue.listActiveRuns()).length === 0) return;
        await pause(options.pollMs ?? 500, options.signal);
      }
    };
    try {
      await Promise.all(
        Array.from({ length: Math.max(1, options.concurrency ?? 1) }, (_, slot) => loop(slot)),
      );
    } finally {
      await options.scheduler?.release();
    }
    return done;
  }

  /**
   * The trigger loop of `quanta serve` (ADR 013): evaluates the triggers every poll and, when
   * `isExecuting`, executes what is queued before the next poll. A failing tick is reported
   * and the loop goes on, so a bad edit of the mesh does not stop a server's scheduling.
   */
  async schedule(options: ScheduleOptions): Promise<void> {
    const scheduler = this.scheduler(options.clock);
    const pollMs = options.pollMs ?? 5000;
    try {
      while (!options.signal.aborted) {
        try {
          await scheduler.tick();
          if (options.isExecuting) {
            await this.work({ ...options.settings, isDraining: true, pollMs, signal: options.signal });
          }
        } catch (error) {
          this.#options.progress.update(`trigger scheduler: ${toQuantaError(error).message}`);
        }
        await pause(pollMs, options.signal);
      }
    } finally {
      await scheduler.release().catch(() => undefined);
    }
  }

  /** The trigger scheduler of this mesh: it queues runs here, evaluated on `clock`. */
  scheduler(clock: Clock = systemClock): TriggerScheduler {
    return new TriggerScheduler({
      root: this.#options.root,
      store: this.#options.store,
      mesh: this.#options.mesh,
      clock,
      enqueue: async (product, trigger) => {
        const queued = await this.#enqueue(await this.#options.mesh(), {
          product,
          request: { trigger: `trigger:${trigger}` },
        });
        return { runId: queued.runId };
      },
    });
  }

  async #abandoned(product: string): Promise<QueuedRun[]> {
    const now = new Date().toISOString();
    const active = await this.#options.store.runQueue.listActiveRuns();
    return active.filter(
      (run) => run.product === product && run.status === 'leased' && (run.leaseExpiresAt ?? '') < now,
    );
  }

  async #enqueue(mesh: MeshSpec, at: { product: ProductSpec; request: RunRequest }): Promise<QueuedRun> {
    return enqueueProductRun({
      product: at.product,
      store: this.#options.store,
      mesh,
      trigger: at.request.trigger ?? (at.request.fromStep ? 'rerun' : 'manual'),
      ...(at.request.fromStep ? { fromStep: at.request.fromStep } : {}),
    });
  }

  async #claim(at: { runId?: string; settings: RunSettings }): Promise<ClaimedRun | undefined> {
    return this.#options.store.runQueue.claimRun({
      worker: workerName(at.settings),
      leaseMs: at.settings.leaseMs ?? DEFAULT_LEASE_MS,
      ...(at.runId === undefined ? {} : { runId: at.runId }),
    });
  }

  /**
   * Executes a claimed run on the mesh as it is now (a worker outlives edits of the mesh). A run
   * whose product left the mesh ends failed with that error; one whose mesh does not load right
   * now is retried after its lease; either way the worker goes on with the next run.
   */
  async #executeOrFail(
    claimed: ClaimedRun,
    at: { meshes: MeshCache; settings: RunSettings },
  ): Promise<RunRecord> {
    let workflow: ProductWorkflow;
    try {
      const mesh = await at.meshes.withProduct(claimed.queued.product);
      workflow = productWorkflow(productOf(mesh, claimed), mesh);
    } catch (error) {
      const failure = toQuantaError(error);
      if (failure.code !== 'QUANTA_NOT_FOUND') {
        // The mesh does not load now (a file half-written, an edit in progress): the run stays
        // leased and is taken again once its lease expires, by this worker or another.
        this.#options.progress.update(
          `run ${claimed.lease.runId} waits for the mesh to load again: ${failure.message}`,
        );
        return claimed.run;
      }
      this.#options.progress.update(`run ${claimed.lease.runId} cannot start: ${failure.message}`);
      return this.#options.store.runQueue.finishRun(claimed.lease, {
        state: 'failed',
        error: serializeError(failure),
      });
    }
    return this.#executeWorkflow(claimed, { workflow, settings: at.settings });
  }

  async #execute(claimed: ClaimedRun, at: { mesh: MeshSpec; settings: RunSettings }): Promise<RunRecord> {
    const workflow = productWorkflow(productOf(at.mesh, claimed), at.mesh);
    return this.#executeWorkflow(claimed, { workflow, settings: at.settings });
  }

  async #executeWorkflow(
    claimed: ClaimedRun,
    at: { workflow: ProductWorkflow; settings: RunSettings },
  ): Promise<RunRecord> {
    this.#options.progress.update(`running ${at.workflow.product.address} (run ${claimed.lease.runId})`);
    return executeClaimedRun(claimed, { ...this.#environment(at.settings), ...at.workflow });
  }

  #environment(settings: RunSettings): RunEnvironment {
    return {
      meshRoot: this.#options.root,
      engine: this.#options.engine,
      store: this.#options.store,
      progress: this.#options.progress,
      worker: workerName(settings),
      ...(settings.leaseMs === undefined ? {} : { leaseMs: settings.leaseMs }),
      ...(settings.stepTimeoutMs === undefined ? {} : { stepTimeoutMs: settings.stepTimeoutMs }),
      ...(settings.lineageEndpoint ? { lineageEndpoint: settings.lineageEndpoint } : {}),
      ...(this.#options.trust ? { trust: this.#options.trust } : {}),
    };
  }
}

function productOf(mesh: MeshSpec, claimed: ClaimedRun): ProductSpec {
  const product = mesh.products.find((candidate) => candidate.address === claimed.queued.product);
  if (product) return product;
  throw new QuantaError(
    'QUANTA_NOT_FOUND',
    `run ${claimed.lease.runId} is of ${claimed.queued.product}, not in the mesh`,
    {
      fix: 'the product was removed or renamed since the run was queued: queue a run of a product in the mesh',
    },
  );
}

function productWorkflow(product: ProductSpec, mesh: MeshSpec): ProductWorkflow {
  const { workflow, findings } = checkProductWorkflow(product);
  if (!workflow) throw invalidSpecError(findings);
  return { product, workflow, mesh };
}

function workerName(settings: RunSettings): string {
  return settings.worker ?? `${hostname()}:${process.pid}`;
}

function notClaimable(queued: QueuedRun): QuantaError {
  if (queued.status === 'done')
    return new QuantaError('QUANTA_CONFLICT', `run ${queued.runId} already ended`);
  return new QuantaError(
    'QUANTA_CONFLICT',
    `run ${queued.runId} is held by worker ${queued.worker ?? '?'} until ${queued.leaseExpiresAt ?? '?'}`,
    { fix: 'a run is resumed once its worker stopped renewing the lease: try again after that time' },
  );
}

function findProduct(mesh: MeshSpec, name: string): ProductSpec {
  const wanted = name.replace(/^quanta:\/\//, '').replace(/\/$/, '');
  const product = mesh.products.find(
    (candidate) => `${candidate.domain}/${candidate.name}` === wanted || candidate.address === wanted,
  );
  if (!product) {
    const known = mesh.products.map((candidate) => `${candidate.domain}/${candidate.name}`).join(', ');
    throw new QuantaError('QUANTA_NOT_FOUND', `no product '${name}' in the mesh`, {
      fix: `name one of: ${known}`,
    });
  }
  return product;
}

function pause(milliseconds: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(resolve, milliseconds);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
