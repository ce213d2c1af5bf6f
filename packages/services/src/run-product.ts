import { randomUUID } from 'node:crypto';
import type { DataEngine } from '@quanta/engine';
import {
  type MeshSpec,
  type ProductSpec,
  QuantaError,
  type RunRecord,
  type SnapshotRecord,
} from '@quanta/model';
import type { CatalogStore } from '@quanta/store';
import {
  type ProgressReporter,
  QUANTA_BLOCKS,
  runWorkflow,
  type StepJournal,
  type WorkflowDefinition,
} from '@quanta/workflow';

/** Everything a product run needs. */
export interface RunProductOptions {
  readonly meshRoot: string;
  readonly product: ProductSpec;
  readonly workflow: WorkflowDefinition;
  readonly engine: DataEngine;
  readonly store: CatalogStore;
  readonly progress: ProgressReporter;
  readonly trigger: string;
  /** The whole mesh, to find the ports foreign keys point to; foreign keys go unenforced without it. */
  readonly mesh?: MeshSpec;
}

/**
 * Runs a product's workflow: pins every input port to its current snapshot, journals each
 * step in the store and records how the run ended. A failed quality gate ends the run `blocked`.
 * The ports foreign keys point to are pinned too, so every check of the run sees one version.
 */
export async function runProduct(options: RunProductOptions): Promise<RunRecord> {
  const { product, store, engine } = options;
  await requireDeployed(product, store);
  const inputs = await pinInputs(product, store);
  const references = await pinReferences(product, { store, mesh: options.mesh });
  const runId = randomUUID();
  await store.startRun({ id: runId, product: product.address, trigger: options.trigger });
  const journal: StepJournal = {
    async record(entry) {
      await store.appendStepEvent({
        runId,
        step: entry.step,
        kind: entry.kind,
        ...(entry.data === undefined ? {} : { data: entry.data }),
      });
    },
  };
  try {
    const outcome = await runWorkflow(options.workflow, {
      blocks: QUANTA_BLOCKS,
      journal,
      context: {
        runId,
        meshRoot: options.meshRoot,
        product,
        engine,
        store,
        inputs,
        references,
        progress: options.progress,
      },
    });
    if (outcome.kind === 'succeeded')
      return await store.endRun(runId, { state: 'succeeded', result: outcome.result });
    const state = outcome.error.code === 'QUANTA_PUBLISH_BLOCKED' ? 'blocked' : 'failed';
    return await store.endRun(runId, { state, error: outcome.error });
  } finally {
    await engine.discardStaging({ domain: product.domain, runId });
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
