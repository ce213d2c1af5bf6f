import { randomUUID } from 'node:crypto';
import { glob } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { type Clock, isJsonObject, type JsonValue, type MeshSpec, type ProductSpec } from '@quanta/model';
import type { CatalogStore, SchedulerLease, TriggerDecision } from '@quanta/store';
import { checkReadiness, type ReadinessObservations, readinessRuleOf } from '@quanta/workflow';
import { CronExpressionParser } from 'cron-parser';

/** A product's triggers as `triggers.yaml` declares them (ADR 013). */
export type TriggerSpec =
  | { readonly kind: 'cron'; readonly schedule: string; readonly timeZone: string; readonly catchUp: CatchUp }
  | { readonly kind: 'files'; readonly source: string; readonly readiness: JsonValue }
  | { readonly kind: 'upstream'; readonly inputs: readonly string[]; readonly windowSeconds: number };

/** What a cron trigger does about fire times missed while no scheduler ran. */
export type CatchUp = 'none' | 'latest' | 'all';

/** The verdict on a product that already has a queued or running run. */
const NO_OVERLAP: Verdict = {
  decision: 'skip',
  reason: 'a run of the product is queued or running (no overlap)',
};

/** One evaluation's verdict, before it is recorded. */
interface Verdict {
  readonly decision: TriggerDecision;
  readonly reason: string;
  readonly details?: Record<string, unknown>;
}

/** What the scheduler needs: the mesh, the store, a way to queue a run and the clock. */
export interface TriggerSchedulerOptions {
  readonly root: string;
  readonly store: CatalogStore;
  readonly mesh: () => Promise<MeshSpec>;
  readonly enqueue: (product: ProductSpec, trigger: string) => Promise<{ runId: string }>;
  readonly clock: Clock;
  /** How long the scheduler lease lasts without renewal (default 30 s): a dead leader's takeover delay. */
  readonly leaseMs?: number;
}

/** Whether this scheduler evaluated the triggers on its last tick, or stood by for another one. */
export interface SchedulerStatus {
  readonly holder: string;
  readonly isLeader: boolean;
  readonly lease?: SchedulerLease;
}

/**
 * Evaluates every product's triggers on each `tick` (the worker calls it every poll; tests
 * call it with a fake clock): cron with time zone and catch-up, file arrival with readiness,
 * upstream snapshots within a window. A product with a queued or running run is never
 * started again (no overlap). Each evaluation whose verdict differs from the trigger's last
 * recorded one is stored with its reason, so `quanta triggers why` can answer.
 *
 * Only the holder of the store's scheduler lease evaluates: any number of workers and servers
 * can run a scheduler against one PostgreSQL, one leads and the others stand by, taking over
 * when its lease expires (ADR 013). The no-overlap check is therefore never raced.
 */
export class TriggerScheduler {
  readonly #options: TriggerSchedulerOptions;
  readonly #holder = `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  #status: SchedulerStatus = { holder: this.#holder, isLeader: false };
  #leaseTakenAt = 0;
  #ticking: Promise<string[]> | undefined;
  readonly #observations = new Map<string, ReadinessObservations>();
  /** Per trigger: the last verdict recorded, and the unchanged evaluations since not yet counted in the store. */
  readonly #lastVerdict = new Map<string, RecordedVerdict>();
  /** When this scheduler first saw each input snapshot (`<product> <port>@<version>`), on its clock. */
  readonly #firstSeen = new Map<string, number>();

  constructor(options: TriggerSchedulerOptions) {
    this.#options = options;
  }

  /**
   * Evaluates every trigger once if this scheduler holds the lease; returns the runs it queued.
   * A tick called while another is in progress waits for it and evaluates nothing itself.
   */
  async tick(): Promise<string[]> {
    if (this.#ticking) {
      await this.#ticking.catch(() => undefined);
      return [];
    }
    this.#ticking = this.#tickAsLeader();
    try {
      return await this.#ticking;
    } finally {
      this.#ticking = undefined;
    }
  }

  async #tickAsLeader(): Promise<string[]> {
    if (!(await this.#lead())) return [];
    const mesh = await this.#options.mesh();
    const active = new Set((await this.#options.store.runQueue.listActiveRuns()).map((run) => run.product));
    const queued: string[] = [];
    for (const product of mesh.products) {
      if (!(await this.#stillLeading())) break;
      for (const [name, trigger] of triggersOf(product)) {
        let verdict: Verdict = active.has(product.address)
          ? NO_OVERLAP
          : await this.#evaluate(product, { name, trigger });
        if (verdict.decision === 'run') {
          if (!(await this.#lead())) return queued;
          if (await this.#isActive(product)) verdict = NO_OVERLAP;
        }
        const runId =
          verdict.decision === 'run' ? (await this.#options.enqueue(product, name)).runId : undefined;
        if (runId) {
          active.add(product.address);
          queued.push(runId);
        }
        await this.#record(product, { name, verdict, runId });
      }
    }
    return queued;
  }

  /** Who evaluated the triggers on the last tick: this scheduler, or the lease's holder. */
  get status(): SchedulerStatus {
    return this.#status;
  }

  /** Gives the lease up (the process stops), so that a standing-by scheduler takes over at once. */
  async release(): Promise<void> {
    for (const verdict of this.#lastVerdict.values()) await this.#flushRepeats(verdict);
    if (this.#status.isLeader) await this.#options.store.triggers.releaseSchedulerLease(this.#holder);
    this.#status = { holder: this.#holder, isLeader: false };
  }

  async #lead(): Promise<boolean> {
    const now = this.#options.clock.now().getTime();
    const lease = await this.#options.store.triggers.acquireSchedulerLease({
      holder: this.#holder,
      now: new Date(now).toISOString(),
      until: new Date(now + (this.#options.leaseMs ?? 30_000)).toISOString(),
    });
    const isLeader = lease.holder === this.#holder;
    if (isLeader) this.#leaseTakenAt = now;
    if (isLeader && !this.#status.isLeader) await this.#forgetVerdicts();
    this.#status = { holder: this.#holder, isLeader, lease };
    return isLeader;
  }

  /**
   * Whether the product has a queued or running run now: checked again right before queuing,
   * after renewing the lease (a tick that lost it ends there). Leases compare times of
   * different hosts: their clocks must agree to well within the lease (NTP), as for any lease.
   */
  async #isActive(product: ProductSpec): Promise<boolean> {
    const active = await this.#options.store.runQueue.listActiveRuns();
    return active.some((run) => run.product === product.address);
  }

  /** Renews the lease when a third of it has passed during a long tick; false once it is lost. */
  async #stillLeading(): Promise<boolean> {
    const elapsed = this.#options.clock.now().getTime() - this.#leaseTakenAt;
    return elapsed < (this.#options.leaseMs ?? 30_000) / 3 || this.#lead();
  }

  async #evaluate(product: ProductSpec, at: { name: string; trigger: TriggerSpec }): Promise<Verdict> {
    const { trigger } = at;
    switch (trigger.kind) {
      case 'cron':
        return this.#cron(product, { name: at.name, trigger });
      case 'files':
        return this.#files(product, { name: at.name, trigger });
      case 'upstream':
        return this.#upstream(product, trigger);
    }
  }

  async #cron(
    product: ProductSpec,
    at: { name: string; trigger: TriggerSpec & { kind: 'cron' } },
  ): Promise<Verdict> {
    const now = this.#options.clock.now();
    const history = await this.#options.store.triggers.listEvaluations(product.address, {
      trigger: at.name,
      limit: 50,
    });
    const lastFire = history.find((evaluation) => evaluation.details?.scheduledFor !== undefined)?.details
      ?.scheduledFor;
    const since =
      typeof lastFire === 'string'
        ? new Date(lastFire)
        : history.at(-1)
          ? new Date(history.at(-1)?.evaluatedAt ?? now)
          : now;
    const due = dueTimes(at.trigger, { after: since, until: now });
    const next = `next run at ${nextTime(at.trigger, now).toISOString()} (${at.trigger.timeZone})`;
    if (due.length === 0) return { decision: 'wait', reason: next };
    const missed = due.length - 1;
    const pick = at.trigger.catchUp === 'all' ? due[0] : due.at(-1);
    if (at.trigger.catchUp === 'none' && missed > 0 && typeof lastFire === 'string') {
      // Several fire times passed since the last evaluation: none of them is run, not even the latest.
      return {
        decision: 'skip',
        reason: `${due.length} missed run(s) up to ${pick?.toISOString()} not caught up (catchUp: none); ${next}`,
        details: { scheduledFor: pick?.toISOString(), missed: due.length },
      };
    }
    return {
      decision: 'run',
      reason: `scheduled for ${pick?.toISOString()} (${at.trigger.timeZone})${missed > 0 ? catchUpNote(at.trigger.catchUp, missed) : ''}`,
      details: { scheduledFor: pick?.toISOString() ?? now.toISOString() },
    };
  }

  async #files(
    product: ProductSpec,
    at: { name: string; trigger: TriggerSpec & { kind: 'files' } },
  ): Promise<Verdict> {
    const key = `${product.address} ${at.name}`;
    const observations = this.#observations.get(key) ?? new Map();
    this.#observations.set(key, observations);
    const folder = path.resolve(this.#options.root, path.dirname(at.trigger.source));
    const readiness = await checkReadiness(folder, {
      rule: readinessRuleOf(isJsonObject(at.trigger.readiness) ? at.trigger.readiness : {}),
      now: this.#options.clock.now().getTime(),
      observations,
    });
    if (readiness.kind === 'waiting') return { decision: 'wait', reason: readiness.reason };
    const taken = await this.#options.store.triggers.listIngestedFiles(product.address, at.trigger.source);
    const known = new Set(taken.map((file) => `${file.path} ${file.size} ${file.mtimeMs}`));
    const matching = new Set<string>();
    for await (const file of glob(at.trigger.source, { cwd: this.#options.root })) matching.add(file);
    const fresh = readiness.files.filter((file) => {
      const relative = path.relative(this.#options.root, file.path);
      return matching.has(relative) && !known.has(`${relative} ${file.size} ${file.mtimeMs}`);
    });
    if (fresh.length === 0) return { decision: 'wait', reason: 'no new file since the last ingest' };
    return {
      decision: 'run',
      reason: `${fresh.length} new file(s) ready in ${path.dirname(at.trigger.source)}`,
      details: { files: fresh.length },
    };
  }

  async #upstream(product: ProductSpec, trigger: TriggerSpec & { kind: 'upstream' }): Promise<Verdict> {
    const { store, clock } = this.#options;
    const consumed = await this.#consumedVersions(product);
    const inputs = product.inputPorts.filter(
      (input) => trigger.inputs.length === 0 || trigger.inputs.includes(input.name),
    );
    const fresh: { name: string; seenAt: number }[] = [];
    for (const input of inputs) {
      const current = input.source ? await store.getCurrentSnapshot(input.source) : undefined;
      if (current && current.version > (consumed.get(current.port) ?? 0)) {
        const key = `${product.address} ${current.port}@${current.version}`;
        const seenAt = this.#firstSeen.get(key) ?? clock.now().getTime();
        this.#firstSeen.set(key, seenAt);
        fresh.push({ name: input.name, seenAt });
      }
    }
    if (inputs.length === 0) return { decision: 'skip', reason: 'the product has no such input port' };
    if (fresh.length === 0)
      return { decision: 'wait', reason: 'no input has a snapshot newer than the one last consumed' };
    const names = fresh.map((input) => input.name).join(', ');
    if (fresh.length === inputs.length) return { decision: 'run', reason: `new snapshot(s) of ${names}` };
    // The window is measured on the scheduler's clock, like the quiet period of file arrivals.
    const first = Math.min(...fresh.map((input) => input.seenAt));
    const waited = (clock.now().getTime() - first) / 1000;
    if (waited >= trigger.windowSeconds) {
      return {
        decision: 'run',
        reason: `new snapshot(s) of ${names}; window of ${trigger.windowSeconds} s elapsed without the others`,
      };
    }
    return {
      decision: 'wait',
      reason: `new snapshot(s) of ${names}; waiting up to ${Math.ceil(trigger.windowSeconds - waited)} s more for the other inputs`,
    };
  }

  /** The input versions the product's latest snapshot consumed (recorded with every snapshot). */
  async #consumedVersions(product: ProductSpec): Promise<Map<string, number>> {
    const consumed = new Map<string, number>();
    for (const port of product.outputPorts) {
      const snapshot = await this.#options.store.getCurrentSnapshot(port.address);
      for (const input of snapshot?.inputVersions ?? [])
        consumed.set(input.port, Math.max(consumed.get(input.port) ?? 0, input.version));
    }
    return consumed;
  }

  async #record(
    product: ProductSpec,
    at: { name: string; verdict: Verdict; runId: string | undefined },
  ): Promise<void> {
    const key = `${product.address} ${at.name}`;
    const summary = `${at.verdict.decision} ${at.verdict.reason}`;
    const now = this.#options.clock.now();
    const last = this.#lastVerdict.get(key);
    if (last && at.verdict.decision !== 'run' && last.summary === summary) {
      last.pending += 1;
      last.lastAt = now;
      if (now.getTime() - last.flushedAt >= REPEAT_FLUSH_MS) await this.#flushRepeats(last);
      return;
    }
    if (last) await this.#flushRepeats(last);
    const recorded = await this.#options.store.triggers.recordEvaluation({
      product: product.address,
      trigger: at.name,
      evaluatedAt: this.#options.clock.now().toISOString(),
      decision: at.verdict.decision,
      reason: at.verdict.reason,
      ...(at.runId ? { runId: at.runId } : {}),
      ...(at.verdict.details ? { details: at.verdict.details } : {}),
    });
    this.#lastVerdict.set(key, {
      summary,
      seq: recorded.seq,
      pending: 0,
      lastAt: now,
      flushedAt: now.getTime(),
    });
  }

  /**
   * Taking the lease (back): another scheduler may have recorded verdicts meanwhile, so the
   * next evaluation of each trigger starts a row of its own rather than count on an old one.
   */
  async #forgetVerdicts(): Promise<void> {
    for (const verdict of this.#lastVerdict.values()) await this.#flushRepeats(verdict);
    this.#lastVerdict.clear();
  }

  /** Counts the unchanged evaluations since the last write in the store (at most once a minute per trigger). */
  async #flushRepeats(verdict: RecordedVerdict): Promise<void> {
    if (verdict.pending === 0) return;
    await this.#options.store.triggers.recordRepeats(verdict.seq, {
      count: verdict.pending,
      at: verdict.lastAt.toISOString(),
    });
    verdict.pending = 0;
    verdict.flushedAt = this.#options.clock.now().getTime();
  }
}

/** How often unchanged verdicts are counted in the store: every evaluation counts, few writes. */
const REPEAT_FLUSH_MS = 60_000;

/** The last verdict recorded for a trigger, with the unchanged evaluations not yet counted. */
interface RecordedVerdict {
  readonly summary: string;
  readonly seq: number;
  pending: number;
  lastAt: Date;
  flushedAt: number;
}

/** The triggers a product declares in `triggers.yaml`, by name; malformed entries are left out. */
export function triggersOf(product: ProductSpec): [string, TriggerSpec][] {
  const raw = isJsonObject(product.triggers) ? product.triggers : {};
  const found: [string, TriggerSpec][] = [];
  if (isJsonObject(raw.cron) && typeof raw.cron.schedule === 'string') {
    const catchUp = raw.cron.catchUp === 'all' || raw.cron.catchUp === 'latest' ? raw.cron.catchUp : 'none';
    const timeZone = typeof raw.cron.timeZone === 'string' ? raw.cron.timeZone : 'UTC';
    found.push(['cron', { kind: 'cron', schedule: raw.cron.schedule, timeZone, catchUp }]);
  }
  if (isJsonObject(raw.files) && typeof raw.files.source === 'string') {
    found.push(['files', { kind: 'files', source: raw.files.source, readiness: raw.files.readiness ?? {} }]);
  }
  if (isJsonObject(raw.upstream)) {
    const inputs = Array.isArray(raw.upstream.inputs) ? raw.upstream.inputs.map(String) : [];
    const windowSeconds = typeof raw.upstream.window === 'number' ? raw.upstream.window : 0;
    found.push(['upstream', { kind: 'upstream', inputs, windowSeconds }]);
  }
  return found;
}

function nextTime(trigger: TriggerSpec & { kind: 'cron' }, after: Date): Date {
  return CronExpressionParser.parse(trigger.schedule, { currentDate: after, tz: trigger.timeZone })
    .next()
    .toDate();
}

function catchUpNote(catchUp: CatchUp, missed: number): string {
  return catchUp === 'all'
    ? `, ${missed} more due (catchUp: all)`
    : `, ${missed} earlier missed run(s) not caught up (catchUp: ${catchUp})`;
}

function dueTimes(trigger: TriggerSpec & { kind: 'cron' }, range: { after: Date; until: Date }): Date[] {
  const times: Date[] = [];
  const expression = CronExpressionParser.parse(trigger.schedule, {
    currentDate: range.after,
    tz: trigger.timeZone,
  });
  for (
    let next = expression.next().toDate();
    next <= range.until && times.length < 1000;
    next = expression.next().toDate()
  ) {
    times.push(next);
  }
  return times;
}
