import { createHash } from 'node:crypto';
import type { EngineCallOptions, RelationFile, StagedTable } from '@quanta/engine';
import type { ContractSpec, JsonObject, OutputPortSpec, SnapshotRecord } from '@quanta/model';
import { stagedHandle } from './handles.ts';
import { outputPortOf } from './output-port-of.ts';
import type { ProductRunContext } from './product-run-context.ts';

/** Runs the block's query over the given relations into the named staged table. */
export type RunTransform = (
  inputs: Readonly<Record<string, RelationFile>>,
  name: string,
) => Promise<{ staged: StagedTable; handle: JsonObject }>;

/** An incremental `quanta.sql` call: its query, where its result goes, and how to run it. */
export interface IncrementalTransform {
  readonly sql: string;
  /** The staged result's name. */
  readonly name: string;
  /** The `port` argument: the output port the result will be published to. */
  readonly port: string | undefined;
  /** Staged tables of earlier steps passed in `inputs`. */
  readonly passed: Readonly<Record<string, RelationFile>>;
  readonly run: RunTransform;
  readonly engine: EngineCallOptions;
}

type OutputPort = OutputPortSpec & { contract: ContractSpec };

/** Why a run may compute the new rows only: the port's snapshot, and the one input that grew by appends. */
interface DeltaPlan {
  readonly kind: 'delta';
  readonly port: OutputPort;
  /** The port's current snapshot, computed by this transform from the consumed input versions. */
  readonly previous: SnapshotRecord;
  /** The input that changed, its pinned snapshot, and the rows of the version the port consumed. */
  readonly input: {
    readonly name: string;
    readonly snapshot: SnapshotRecord;
    readonly consumed: number;
    readonly consumedRows: number;
  };
}

type Plan = DeltaPlan | { readonly kind: 'full'; readonly reason: string };

/**
 * `quanta.sql` with `incremental: true` (ADR 018). When the output port's current snapshot was
 * computed by this same transform, exactly one input it reads has changed since, that input's
 * pinned snapshot extends the consumed one by appends only, and the query distributes over
 * appends to it, the query runs over the new rows only (the other inputs at their pinned
 * snapshots) and its rows are appended to the port's snapshot; the handle then names its base
 * (`baseVersion`, `baseRows`, `basePort`), so quality, profile and publish are incremental too.
 * Otherwise the query runs over everything. The result says which, and why.
 */
export async function transformIncrementally(
  transform: IncrementalTransform,
  context: ProductRunContext,
): Promise<JsonObject> {
  const port = targetPort(transform.port, context);
  const transformHash = port ? transformHashOf(transform.sql, { port, context }) : undefined;
  const hashed: JsonObject = transformHash === undefined ? {} : { transformHash };
  const plan = port
    ? await deltaPlan(transform, { port, transformHash: transformHash ?? '', context })
    : { kind: 'full' as const, reason: portReason(context) };
  if (plan.kind === 'delta') {
    const delta = await runDelta(transform, { plan, context });
    if (delta.kind === 'done') return { ...delta.handle, ...hashed };
    return { ...(await runFull(transform, { reason: delta.reason, context })), ...hashed };
  }
  return { ...(await runFull(transform, { reason: plan.reason, context })), ...hashed };
}

/**
 * What the port's rows are a function of, besides the inputs' rows: the query, which port each
 * input name reads, and the port's quarantine rules (they decide which rows were published).
 * An incremental run appends to a snapshot only when it carries the same hash.
 */
export function transformHashOf(sql: string, at: { port: OutputPort; context: ProductRunContext }): string {
  const inputs = [...at.context.inputs].map(([name, snapshot]) => [name, snapshot.port]).sort();
  const quarantine = at.port.contract.quality.filter(
    (rule) => rule.kind === 'metric' && rule.onFail === 'quarantine',
  );
  return createHash('sha256').update(JSON.stringify({ sql, inputs, quarantine })).digest('hex');
}

function targetPort(name: string | undefined, context: ProductRunContext): OutputPort | undefined {
  if (name !== undefined) return outputPortOf(context.product, name);
  const [only, ...others] = context.product.outputPorts;
  return only && others.length === 0 ? outputPortOf(context.product, only.name) : undefined;
}

function portReason(context: ProductRunContext): string {
  const count = context.product.outputPorts.length;
  return `the product has ${count} output ports: name the one the result is published to with \`port\``;
}

async function deltaPlan(
  transform: IncrementalTransform,
  at: { port: OutputPort; transformHash: string; context: ProductRunContext },
): Promise<Plan> {
  const { port, context } = at;
  const full = (reason: string): Plan => ({ kind: 'full', reason });
  const passed = Object.keys(transform.passed);
  if (passed.length > 0)
    return full(
      `it reads staged tables of earlier steps (${passed.join(', ')}), which have no consumed version`,
    );
  const previous = await context.store.getCurrentSnapshot(port.address);
  if (!previous) return full(`${port.address} has no snapshot yet`);
  const current = `${port.address}@${previous.version}`;
  if (previous.transformHash === undefined) return full(`${current} records no transform it was computed by`);
  if (previous.transformHash !== at.transformHash) {
    return full(
      `${current} was computed by another transform (the query, its inputs or the port's quarantine rules changed)`,
    );
  }
  const read = await readInputs(transform.sql, context);
  if (read.length === 0) return full('the query reads no input port');
  const consumed = new Map(previous.inputVersions.map((input) => [input.port, input.version]));
  const unrecorded = read.find(([, snapshot]) => !consumed.has(snapshot.port));
  if (unrecorded) return full(`${current} does not record which version of ${unrecorded[0]} it consumed`);
  // Every input of the product counts, not only those the parse found: should the analysis
  // ever miss a read, a second changed input still forces the full recompute.
  const changed = [...context.inputs].filter(
    ([, snapshot]) => consumed.get(snapshot.port) !== snapshot.version,
  );
  const [first, ...more] = changed;
  if (!first) return full(`no input changed since ${current}`);
  if (more.length > 0)
    return full(
      `${changed.length} inputs changed since ${current} (${changed.map(([name]) => name).join(', ')})`,
    );
  const [name, snapshot] = first;
  if (!read.some(([readName]) => readName === name))
    return full(`${name} changed since ${current} but the query does not read it`);
  const from = consumed.get(snapshot.port) ?? 0;
  const chain = await appendChain(snapshot, { consumed: from, context });
  if (chain.kind === 'broken') return full(chain.reason);
  const verdict = await context.engine.checkAppendDistributive(transform.sql, { relation: name });
  if (!verdict.isDistributive)
    return full(`the query does not distribute over appends to ${name}: ${verdict.reason}`);
  return {
    kind: 'delta',
    port,
    previous,
    input: { name, snapshot, consumed: from, consumedRows: chain.rows },
  };
}

/** The product's input ports the query reads (by table name, case-insensitively), with their pinned snapshots. */
async function readInputs(sql: string, context: ProductRunContext): Promise<[string, SnapshotRecord][]> {
  const parsed = await context.engine.parseQuery(sql);
  const names = new Set(parsed.tableReferences.map((reference) => reference.table.toLowerCase()));
  return [...context.inputs].filter(([name]) => names.has(name.toLowerCase()));
}

/**
 * Follows `appendedTo` from the input's pinned snapshot down to the consumed version: every
 * link must be an append (its first rows unchanged) of a snapshot with the same schema, and the
 * chain must reach the consumed version exactly. Gives the consumed version's row count.
 */
async function appendChain(
  pinned: SnapshotRecord,
  at: { consumed: number; context: ProductRunContext },
): Promise<{ kind: 'appended'; rows: number } | { kind: 'broken'; reason: string }> {
  const broken = (reason: string) => ({ kind: 'broken' as const, reason });
  let snapshot = pinned;
  for (;;) {
    const here = `${snapshot.port}@${snapshot.version}`;
    const link = snapshot.appendedTo;
    if (!link) return broken(`${here} was not published as an append of an earlier version`);
    if (link.version >= snapshot.version) return broken(`${here} names a later version as its base`);
    if (link.version < at.consumed) {
      return broken(
        `${here} extends ${snapshot.port}@${link.version}, older than the consumed version ${at.consumed}`,
      );
    }
    const base = await at.context.store.getSnapshot(snapshot.port, link.version);
    if (!base)
      return broken(`${snapshot.port}@${link.version}, which ${here} extends, is no longer in the catalog`);
    if (base.schemaHash !== pinned.schemaHash)
      return broken(`the columns of ${snapshot.port} changed since version ${link.version}`);
    if (base.rowCount !== link.rows)
      return broken(
        `${here} extends ${link.rows} rows of ${snapshot.port}@${link.version}, which has ${base.rowCount}`,
      );
    if (link.version === at.consumed) return { kind: 'appended', rows: link.rows };
    snapshot = base;
  }
}

/** Runs the query over the new rows of the changed input and appends its rows to the port's snapshot. */
async function runDelta(
  transform: IncrementalTransform,
  at: { plan: DeltaPlan; context: ProductRunContext },
): Promise<{ kind: 'done'; handle: JsonObject } | { kind: 'fallback'; reason: string }> {
  const { plan, context } = at;
  const { input, previous, port } = plan;
  const target = (name: string) => ({ domain: context.product.domain, runId: context.runId, name });
  context.progress.update(`transforming only the rows ${input.name} gained since version ${input.consumed}`);
  const newRows = await context.engine.stageAppendedRows(
    {
      source: { path: context.engine.resolveStoragePath(input.snapshot.storagePath) },
      baseRows: input.consumedRows,
      target: target(`${transform.name}-new-${input.name}`),
    },
    transform.engine,
  );
  const pinnedAt = `${input.snapshot.port}@${input.snapshot.version}`;
  if (newRows.kind === 'notAppended') return { kind: 'fallback', reason: `${pinnedAt}: ${newRows.reason}` };
  const relations = { ...pinnedRelations(context), [input.name]: { path: newRows.table.path } };
  const over = await transform.run(relations, `${transform.name}-delta`);
  if (over.staged.schemaHash !== previous.schemaHash) {
    return {
      kind: 'fallback',
      reason: `the query's columns over the new rows differ from ${port.address}@${previous.version}'s`,
    };
  }
  const appended = await context.engine.append(
    {
      base: { path: context.engine.resolveStoragePath(previous.storagePath) },
      delta: { path: over.staged.path },
      target: target(transform.name),
    },
    transform.engine,
  );
  const base = { baseRows: previous.rowCount, baseVersion: previous.version };
  const reason =
    `${input.name} grew by appends from version ${input.consumed} (${input.consumedRows} rows) to ${pinnedAt} ` +
    `(${input.snapshot.rowCount} rows) and the query distributes over them`;
  const { columnLineage } = over.handle;
  return {
    kind: 'done',
    handle: {
      ...stagedHandle(appended),
      ...(columnLineage === undefined ? {} : { columnLineage }),
      ...base,
      basePort: port.address,
      incremental: { mode: 'delta', reason, ...base, deltaRows: over.staged.rowCount, input: input.name },
    },
  };
}

async function runFull(
  transform: IncrementalTransform,
  at: { reason: string; context: ProductRunContext },
): Promise<JsonObject> {
  const { staged, handle } = await transform.run(
    { ...pinnedRelations(at.context), ...transform.passed },
    transform.name,
  );
  return {
    ...handle,
    incremental: { mode: 'full', reason: at.reason, baseRows: 0, deltaRows: staged.rowCount },
  };
}

function pinnedRelations(context: ProductRunContext): Record<string, RelationFile> {
  const relations: Record<string, RelationFile> = {};
  for (const [name, snapshot] of context.inputs) {
    relations[name] = { path: context.engine.resolveStoragePath(snapshot.storagePath) };
  }
  return relations;
}
