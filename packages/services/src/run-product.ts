import { randomUUID } from 'node:crypto';
import type { DataEngine } from '@quanta/engine';
import { loadMeshSecret } from '@quanta/governance';
import {
  isJsonObject,
  type JsonObject,
  type JsonValue,
  type MeshSpec,
  type ProductSpec,
  QuantaError,
  type RunRecord,
  type SnapshotRecord,
} from '@quanta/model';
import type { CatalogStore, ClaimedRun, QueuedRun, RunEnding } from '@quanta/store';
import {
  type ProgressReporter,
  QUANTA_BLOCKS,
  type ReplayedStep,
  replayOfJournal,
  runWorkflow,
  type WorkflowDefinition,
  type WorkflowOutcome,
} from '@quanta/workflow';
import { LeaseKeeper } from './lease-keeper.ts';
import { buildMaskSidecars } from './mask-sidecars.ts';
import { recordRunTrust, type TrustRecording } from './record-run-trust.ts';
import { RunLineage } from './run-lineage.ts';
import { enforceRetention } from './snapshot-retention.ts';

/** How long a run's lease lasts without renewal; the holder renews it three times as often. */
export const DEFAULT_LEASE_MS = 30_000;

/** Re-run a run from one of its steps: the steps journaled before it are taken, not executed. */
export interface FromStep {
  readonly runId: string;
  readonly step: string;
}

/** What executing any run needs: where it runs and who runs it. */
export interface RunEnvironment {
  readonly meshRoot: string;
  readonly engine: DataEngine;
  readonly store: CatalogStore;
  readonly progress: ProgressReporter;
  /** The worker's name in leases and the journal. Default: `<pid>@local`. */
  readonly worker?: string;
  readonly leaseMs?: number;
  /** A block call taking longer raises TimeoutError (unless its `timeout` argument says otherwise). */
  readonly stepTimeoutMs?: number;
  /** Where OpenLineage RunEvents are POSTed besides the store. */
  readonly lineageEndpoint?: string;
  /** Where each run's change findings and blocked checks are recorded as incidents; none without it. */
  readonly trust?: TrustRecording;
  /**
   * The mesh secret the gateway hashes with, for the mask sidecars of a succeeded run's ports
   * (ADR 019); the mesh's own (`loadMeshSecret(meshRoot)`) when absent.
   */
  readonly maskSecret?: () => Promise<Buffer>;
}

/** A product and its checked workflow. */
export interface ProductWorkflow {
  readonly product: ProductSpec;
  readonly workflow: WorkflowDefinition;
  /** The whole mesh, to find the ports foreign keys point to; foreign keys go unenforced without it. */
  readonly mesh?: MeshSpec;
}

/** Everything a product run needs. */
export interface RunProductOptions extends RunEnvironment, ProductWorkflow {
  readonly trigger: string;
  readonly fromStep?: FromStep;
}

/**
 * Runs a product's workflow now, in this process: pins every input port to its current
 * snapshot, queues the run and claims it at once (so a killed process leaves a lease that
 * expires and lets anyone resume the run), journals each step and records how the run ended.
 * A failed quality gate ends the run `blocked`.
 */
export async function runProduct(options: RunProductOptions): Promise<RunRecord> {
  const queued = await enqueueProductRun(options);
  const claimed = await options.store.runQueue.claimRun({
    worker: workerOf(options),
    leaseMs: options.leaseMs ?? DEFAULT_LEASE_MS,
    runId: queued.runId,
  });
  if (!claimed) throw new QuantaError('QUANTA_INTERNAL', `run ${queued.runId} was claimed by another worker`);
  return executeClaimedRun(claimed, options);
}

/**
 * Queues a run of a product for any worker, with its inputs pinned now. The ports foreign keys
 * point to are pinned too, so every check of the run sees one version.
 */
export async function enqueueProductRun(
  options: Pick<RunProductOptions, 'product' | 'store' | 'trigger' | 'fromStep' | 'mesh'>,
): Promise<QueuedRun> {
  const { product, store } = options;
  await requireDeployed(product, store);
  if (options.fromStep) await requireStep(store, options.fromStep);
  const request: JsonObject = {
    trigger: options.trigger,
    inputs: pinsOf(await pinInputs(product, store)),
    references: pinsOf(await pinReferences(product, { store, mesh: options.mesh })),
    ...(options.fromStep ? { fromStep: { ...options.fromStep } } : {}),
  };
  return store.runQueue.enqueueRun({ id: randomUUID(), product: product.address, request });
}

/**
 * Executes a run this worker claimed: a fresh one, or one another worker abandoned. Steps its
 * journal (or the run it re-runs from a step) already holds are replayed, not executed; every
 * journal write checks the lease, so a worker that lost the run stops writing to it.
 */
export async function executeClaimedRun(
  claimed: ClaimedRun,
  options: RunEnvironment & ProductWorkflow,
): Promise<RunRecord> {
  const { store, engine, product } = options;
  const { lease } = claimed;
  const request = claimed.queued.request;
  const inputs = await loadPins(store, request.inputs);
  const keeper = LeaseKeeper.start(store.runQueue, lease);
  const stop = abortWhenStopped(keeper, lease.leaseMs);
  const lineage = new RunLineage({
    store,
    run: claimed.run,
    product,
    inputs: [...inputs.values()],
    ...(options.lineageEndpoint ? { endpoint: options.lineageEndpoint } : {}),
  });
  let outcome: WorkflowOutcome;
  try {
    await lineage.started();
    outcome = await runWorkflow(options.workflow, {
      blocks: QUANTA_BLOCKS,
      journal: keeper.journal(),
      replay: await replayFor(store, { runId: lease.runId, request }),
      isCancelled: () => keeper.isCancelRequested,
      signal: stop.signal,
      ...(options.stepTimeoutMs === undefined ? {} : { stepTimeoutMs: options.stepTimeoutMs }),
      context: {
        runId: lease.runId,
        meshRoot: options.meshRoot,
        product,
        engine,
        store,
        inputs,
        references: await loadPins(store, request.references),
        progress: options.progress,
      },
    });
  } finally {
    stop.dispose();
    keeper.stop();
  }
  // Another worker holds the run now: it finishes it, with this run's staging files.
  if (keeper.isLost) return (await store.getRun(lease.runId)) ?? claimed.run;
  const ending = endingOf(outcome);
  await lineage.ended(ending);
  // Before the run ends: a resumed run records again, and recordRunTrust skips what it recorded.
  if (options.trust) {
    const ended = {
      runId: lease.runId,
      product,
      state: ending.state,
      ...(options.mesh ? { mesh: options.mesh } : {}),
    };
    await recordRunTrust(ended, { store, trust: options.trust });
  }
  const run = await store.runQueue.finishRun(lease, ending);
  // A failed, blocked or cancelled run keeps its staged tables, so that it can be re-run from a step.
  if (run.state === 'succeeded') {
    await engine.discardStaging({ domain: product.domain, runId: lease.runId });
    await enforceRetention({ store, engine, ports: product.outputPorts.map((port) => port.address) });
    await buildRunMaskSidecars(options);
  }
  return run;
}

/**
 * Precomputes the masked hashes of the ports a succeeded run published (ADR 019). A sidecar
 * that cannot be built is reported and never fails the run: the gateway computes the hashes
 * of a snapshot without one.
 */
async function buildRunMaskSidecars(options: RunEnvironment & ProductWorkflow): Promise<void> {
  const { store, engine, product } = options;
  const outcomes = await buildMaskSidecars({
    store,
    engine,
    secret: options.maskSecret ?? (() => loadMeshSecret(options.meshRoot)),
    ports: product.outputPorts.map((port) => port.address),
  });
  for (const outcome of outcomes) {
    if (outcome.kind === 'failed') {
      options.progress.update(
        `mask sidecar of ${outcome.port} not built (hashes are computed per query): ${outcome.reason}`,
      );
    }
  }
}

/**
 * Aborts once the run is asked to cancel or its lease is lost (checked twice per renewal), so
 * that the running block stops (the engine interrupts its statement) instead of finishing first.
 */
function abortWhenStopped(keeper: LeaseKeeper, leaseMs: number): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const timer = setInterval(
    () => {
      if (keeper.isCancelRequested || keeper.isLost) controller.abort();
    },
    Math.max(50, Math.floor(leaseMs / 6)),
  );
  timer.unref();
  return { signal: controller.signal, dispose: () => clearInterval(timer) };
}

/** The worker name of this process when none is given. */
export function workerOf(environment: Pick<RunEnvironment, 'worker'>): string {
  return environment.worker ?? `${process.pid}@local`;
}

function endingOf(outcome: WorkflowOutcome): RunEnding {
  switch (outcome.kind) {
    case 'succeeded':
      return { state: 'succeeded', result: outcome.result };
    case 'cancelled':
      return { state: 'cancelled' };
    case 'failed':
      return {
        state: outcome.error.code === 'QUANTA_PUBLISH_BLOCKED' ? 'blocked' : 'failed',
        error: outcome.error,
      };
  }
}

/** The run's own journal, over the journal of the run it re-runs from a step (if any). */
async function replayFor(
  store: CatalogStore,
  at: { runId: string; request: JsonObject },
): Promise<Map<string, ReplayedStep>> {
  const replay = new Map<string, ReplayedStep>();
  const fromStep = at.request.fromStep;
  if (isJsonObject(fromStep) && typeof fromStep.runId === 'string' && typeof fromStep.step === 'string') {
    const earlier = await store.listStepEvents(fromStep.runId);
    const cut = earlier.find((event) => event.kind === 'started' && event.step === fromStep.step);
    for (const [path, step] of replayOfJournal(earlier, cut ? { before: cut.seq } : {})) {
      // Sequence numbers of the earlier run come first: the run's own entries restore over them.
      replay.set(path, { ...step, seq: step.seq - Number.MAX_SAFE_INTEGER / 2 });
    }
  }
  for (const [path, step] of replayOfJournal(await store.listStepEvents(at.runId))) replay.set(path, step);
  return replay;
}

async function requireStep(store: CatalogStore, fromStep: FromStep): Promise<void> {
  const run = await store.getRun(fromStep.runId);
  if (!run) throw new QuantaError('QUANTA_NOT_FOUND', `no run ${fromStep.runId}`);
  const events = await store.listStepEvents(fromStep.runId);
  if (!events.some((event) => event.kind === 'started' && event.step === fromStep.step)) {
    const steps = [...new Set(events.map((event) => event.step))].join(', ');
    throw new QuantaError(
      'QUANTA_NOT_FOUND',
      `run ${fromStep.runId} never started a step '${fromStep.step}'`,
      {
        fix: `name one of the steps it ran: ${steps || '(none)'}`,
      },
    );
  }
}

async function requireDeployed(product: ProductSpec, store: CatalogStore): Promise<void> {
  const deployed = await store.getProduct(product.address);
  if (!deployed) {
    throw new QuantaError('QUANTA_NOT_FOUND', `${product.address} is not deployed`, {
      address: product.address,
      fix: 'run `quanta apply` first',
    });
  }
  for (const port of product.outputPorts) {
    const record = await store.getPort(port.address);
    if (!record || record.contractVersion !== port.contract?.version) {
      throw new QuantaError(
        'QUANTA_CONFLICT',
        `the contract of ${port.address} differs from the deployed one`,
        {
          address: port.address,
          fix: 'review with `quanta plan`, then `quanta apply`',
        },
      );
    }
  }
}

async function pinInputs(product: ProductSpec, store: CatalogStore): Promise<Map<string, SnapshotRecord>> {
  const pinned = new Map<string, SnapshotRecord>();
  for (const input of product.inputPorts) {
    if (!input.source) {
      throw new QuantaError(
        'QUANTA_REFERENCE_UNRESOLVED',
        `input port '${input.name}' of ${product.address} does not resolve`,
        {
          fix: 'run `quanta validate`',
        },
      );
    }
    const snapshot = await store.getCurrentSnapshot(input.source);
    if (!snapshot) {
      throw new QuantaError(
        'QUANTA_NOT_FOUND',
        `${input.source} has no published snapshot yet, so ${product.address} cannot run`,
        {
          address: input.source,
          fix: `run the upstream product first (quanta run --all runs products in dependency order)`,
        },
      );
    }
    pinned.set(input.name, snapshot);
  }
  return pinned;
}

/** The current snapshot of every port a foreign key of the product's contracts points to, by contract file. */
async function pinReferences(
  product: ProductSpec,
  options: { store: CatalogStore; mesh: MeshSpec | undefined },
): Promise<Map<string, SnapshotRecord>> {
  const pinned = new Map<string, SnapshotRecord>();
  const ports = options.mesh?.products.flatMap((candidate) => candidate.outputPorts) ?? [];
  for (const port of product.outputPorts) {
    for (const rule of port.contract?.quality ?? []) {
      if (rule.kind !== 'foreignKey' || pinned.has(rule.target.file)) continue;
      const target = ports.find((candidate) => candidate.contract?.file === rule.target.file);
      const snapshot = target && (await options.store.getCurrentSnapshot(target.address));
      if (snapshot) pinned.set(rule.target.file, snapshot);
    }
  }
  return pinned;
}

/** Pinned snapshots as the run request keeps them: `{name: {port, version}}`. */
function pinsOf(pinned: ReadonlyMap<string, SnapshotRecord>): JsonObject {
  return Object.fromEntries(
    [...pinned].map(([name, snapshot]) => [name, { port: snapshot.port, version: snapshot.version }]),
  );
}

/** The snapshots a run request pinned, read back from the catalog. */
async function loadPins(
  store: CatalogStore,
  pins: JsonValue | undefined,
): Promise<Map<string, SnapshotRecord>> {
  const loaded = new Map<string, SnapshotRecord>();
  if (!isJsonObject(pins)) return loaded;
  for (const [name, pin] of Object.entries(pins)) {
    if (!isJsonObject(pin) || typeof pin.port !== 'string' || typeof pin.version !== 'number') continue;
    const snapshot = await store.getSnapshot(pin.port, pin.version);
    if (!snapshot) {
      throw new QuantaError('QUANTA_NOT_FOUND', `the pinned input ${pin.port}@${pin.version} is gone`, {
        fix: 'start a new run: it pins the current snapshots',
      });
    }
    loaded.set(name, snapshot);
  }
  return loaded;
}
