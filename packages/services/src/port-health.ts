import {
  type ChangeSeverity,
  frequencyAllowanceDays,
  type Incident,
  isJsonObject,
  type JsonObject,
  type PortRecord,
  QuantaError,
  type SnapshotRecord,
} from '@quanta/model';
import { durationDays } from '@quanta/spec';
import type { CatalogStore, IncidentStore, QualityRecord } from '@quanta/store';

/** Days the SLO compliance of a trust summary covers. */
export const HEALTH_WINDOW_DAYS = 30;

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

/** How a port is doing, in one word. */
export type HealthStatus = 'healthy' | 'degraded' | 'failing' | 'unknown';

/** One day of a port's last 30: was it fresh at the end of the day, and how its checks went. */
export interface HealthDay {
  /** `YYYY-MM-DD` (UTC). */
  readonly day: string;
  /** Fresh at the end of the day (now, for today); absent before the first snapshot or without a freshness SLA. */
  readonly isFresh?: boolean;
  readonly checks: number;
  /** Checks with no failed clause and no failed schema check. */
  readonly passed: number;
}

/** The latest quality check of a port (published or blocked). */
export interface LastQuality {
  readonly runId: string;
  /** The snapshot it let through; absent when it blocked publication. */
  readonly version?: number;
  readonly checkedAt: string;
  readonly isBlocking: boolean;
  readonly enforced: number;
  readonly total: number;
  /** Failed clauses and schema checks. */
  readonly failed: number;
}

/** The trust summary of one port: SLOs over 30 days, its last check, freshness now, open incidents. */
export interface PortHealth {
  readonly port: string;
  readonly status: HealthStatus;
  readonly current?: { readonly version: number; readonly publishedAt: string; readonly rowCount: number };
  readonly freshness: {
    /** The contract's latency/freshness SLA in hours; absent when it has none. */
    readonly limitHours?: number;
    readonly ageHours?: number;
    readonly isFresh?: boolean;
  };
  /**
   * Against the contract's `frequency` SLA (present only when it has one): how long since the
   * port last published, and whether the next publication is not overdue yet.
   */
  readonly frequency?: PortFrequency;
  readonly lastQuality?: LastQuality;
  /** Compliance ratios (0–1) over the window; absent when nothing was measured. */
  readonly slo: {
    /** Days fresh at their end, of the days with a snapshot. */
    readonly freshness?: number;
    /** Checks passing, of every check (published or blocked). */
    readonly quality?: number;
    /** Rows published, of rows published plus rows quarantined. */
    readonly completeness?: number;
    /**
     * Publications that came within the `frequency` SLA (tolerance included) of the previous
     * one, of all publications in the window; the interval still open counts as a miss once
     * it is overdue.
     */
    readonly frequency?: number;
  };
  /** The window's days, oldest first. */
  readonly days: readonly HealthDay[];
  readonly openIncidents: readonly HealthIncident[];
}

/** A port against its `frequency` SLA. */
export interface PortFrequency {
  /** The promised interval between publications, in hours. */
  readonly limitHours: number;
  /** The interval allowed with the tolerance (`FREQUENCY_TOLERANCE`), in hours. */
  readonly allowedHours: number;
  /** Hours since the current snapshot was published; absent before the first. */
  readonly sinceHours?: number;
  /** False once the next publication is overdue: a missed expected publish. */
  readonly isOnTime?: boolean;
}

/** An open or acknowledged incident reaching a port. */
export interface HealthIncident {
  readonly id: string;
  readonly state: Incident['state'];
  readonly severity: ChangeSeverity;
  readonly title: string;
  readonly rootPort: string;
}

/**
 * The trust summary of every deployed port, or of those under `address` (a domain, product or
 * port): SLO compliance over 30 days (freshness against the contract's latency/freshness SLA,
 * evaluated at the end of each day; quality pass rate; completeness; publications on time
 * against the `frequency` SLA), the last quality result, freshness and frequency now and the
 * open incidents.
 */
export async function meshHealth(
  store: CatalogStore,
  at: { incidents: IncidentStore; now: Date; address?: string },
): Promise<PortHealth[]> {
  const ports = portsUnder((await store.loadCatalog()).ports, at.address);
  return Promise.all(ports.map((port) => portHealth(store, { ...at, port })));
}

function portsUnder(ports: readonly PortRecord[], address: string | undefined): PortRecord[] {
  if (address === undefined) return [...ports];
  const wanted = `quanta://${address.replace(/^quanta:\/\//, '').replace(/\/$/, '')}`;
  const found = ports.filter((port) => port.address === wanted || port.address.startsWith(`${wanted}/`));
  if (found.length === 0) {
    throw new QuantaError('QUANTA_NOT_FOUND', `no deployed port at ${address}`, {
      address,
      fix: 'name a domain, product or port of the catalog: quanta catalog list',
    });
  }
  return found;
}

/** The trust summary of one deployed port. */
export async function portHealth(
  store: CatalogStore,
  at: { incidents: IncidentStore; now: Date; port: PortRecord },
): Promise<PortHealth> {
  const { port, now } = at;
  const since = now.getTime() - HEALTH_WINDOW_DAYS * DAY_MS;
  const snapshots = await store.listSnapshots(port.address);
  const reports = (await store.listQualityReports({ port: port.address, limit: 5000 })).filter(
    (record) => Date.parse(record.report.checkedAt) >= since,
  );
  const limitHours = freshnessLimitHours(port.contract);
  const [current] = snapshots;
  const freshness = freshnessNow(current, { now, limitHours });
  const frequencyHours = frequencyLimitHours(port.contract);
  const frequency =
    frequencyHours === undefined ? undefined : frequencyNow(current, { now, limitHours: frequencyHours });
  const lastQuality = lastQualityOf(reports[0]);
  const openIncidents = await liveIncidents(at.incidents, port.address);
  const days = healthDays({ snapshots, reports, now, limitHours });
  return {
    port: port.address,
    status: statusOf({
      hasData: Boolean(current ?? lastQuality),
      freshness,
      isOverdue: frequency?.isOnTime === false,
      lastQuality,
      openIncidents,
    }),
    ...(current
      ? { current: { version: current.version, publishedAt: current.createdAt, rowCount: current.rowCount } }
      : {}),
    freshness,
    ...(frequency ? { frequency } : {}),
    ...(lastQuality ? { lastQuality } : {}),
    slo: {
      ...sloOf({ days, reports, snapshots: snapshots.filter((item) => Date.parse(item.createdAt) >= since) }),
      ...(frequency ? frequencySlo(snapshots, { now, since, frequency }) : {}),
    },
    days,
    openIncidents,
  };
}

/** The strictest `latency` or `freshness` entry of the contract's `slaProperties`, in hours. */
export function freshnessLimitHours(contract: JsonObject): number | undefined {
  const entries = Array.isArray(contract.slaProperties) ? contract.slaProperties : [];
  const limits = entries.flatMap((entry) => {
    if (!isJsonObject(entry) || typeof entry.property !== 'string') return [];
    if (!['latency', 'freshness'].includes(entry.property.toLowerCase())) return [];
    const value = Number(entry.value);
    const days = Number.isFinite(value) ? durationDays(value, String(entry.unit ?? 'd')) : undefined;
    return days === undefined ? [] : [days * 24];
  });
  return limits.length === 0 ? undefined : Math.min(...limits);
}

/**
 * The strictest `frequency` entry of the contract's `slaProperties`, in hours (the unit
 * defaults to days, as the gate reads it); undefined when it has none that is readable.
 */
export function frequencyLimitHours(contract: JsonObject): number | undefined {
  const entries = Array.isArray(contract.slaProperties) ? contract.slaProperties : [];
  const limits = entries.flatMap((entry) => {
    if (!isJsonObject(entry) || typeof entry.property !== 'string') return [];
    if (entry.property.toLowerCase() !== 'frequency') return [];
    const value = Number(entry.value);
    const days = Number.isFinite(value) ? durationDays(value, String(entry.unit ?? 'd')) : undefined;
    return days === undefined || days <= 0 ? [] : [days * 24];
  });
  return limits.length === 0 ? undefined : Math.min(...limits);
}

function frequencyNow(
  current: SnapshotRecord | undefined,
  at: { now: Date; limitHours: number },
): PortFrequency {
  const allowedHours = frequencyAllowanceDays(at.limitHours / 24) * 24;
  const sinceHours = current ? (at.now.getTime() - Date.parse(current.createdAt)) / HOUR_MS : undefined;
  return {
    limitHours: at.limitHours,
    allowedHours: Math.round(allowedHours * 10) / 10,
    ...(sinceHours === undefined
      ? {}
      : { sinceHours: Math.round(sinceHours * 10) / 10, isOnTime: sinceHours <= allowedHours }),
  };
}

/**
 * Frequency compliance over the window: each publication in it is on time when it came within
 * the allowed interval of the one before (a port's first publication has none and is not
 * counted); an interval still open and already overdue counts as one miss.
 */
function frequencySlo(
  snapshots: readonly SnapshotRecord[],
  at: { now: Date; since: number; frequency: PortFrequency },
): Pick<PortHealth['slo'], 'frequency'> {
  const allowedMs = at.frequency.allowedHours * HOUR_MS;
  const times = snapshots.map((snapshot) => Date.parse(snapshot.createdAt));
  const gaps = times.flatMap((time, index) => {
    const previous = times[index + 1];
    return time >= at.since && previous !== undefined ? [time - previous] : [];
  });
  const onTime = gaps.filter((gap) => gap <= allowedMs).length;
  const isOverdue = at.frequency.isOnTime === false;
  const counted = gaps.length + (isOverdue ? 1 : 0);
  return counted === 0 ? {} : { frequency: ratio(onTime, counted) };
}

function freshnessNow(
  current: SnapshotRecord | undefined,
  at: { now: Date; limitHours: number | undefined },
): PortHealth['freshness'] {
  const ageHours = current ? (at.now.getTime() - Date.parse(current.createdAt)) / HOUR_MS : undefined;
  return {
    ...(at.limitHours === undefined ? {} : { limitHours: at.limitHours }),
    ...(ageHours === undefined ? {} : { ageHours: Math.round(ageHours * 10) / 10 }),
    ...(ageHours === undefined || at.limitHours === undefined ? {} : { isFresh: ageHours <= at.limitHours }),
  };
}

function lastQualityOf(record: QualityRecord | undefined): LastQuality | undefined {
  if (!record) return undefined;
  const { report } = record;
  return {
    runId: record.runId,
    ...(record.version === undefined ? {} : { version: record.version }),
    checkedAt: report.checkedAt,
    isBlocking: report.isBlocking,
    enforced: report.enforced,
    total: report.total,
    failed: failedChecks(record),
  };
}

function failedChecks(record: QualityRecord): number {
  const { report } = record;
  return (
    report.schema.filter((check) => !check.passed).length +
    report.clauses.filter((clause) => clause.status === 'failed').length
  );
}

async function liveIncidents(incidents: IncidentStore, port: string): Promise<HealthIncident[]> {
  const live = [
    ...(await incidents.listIncidents({ port, state: 'open', limit: 100 })),
    ...(await incidents.listIncidents({ port, state: 'acknowledged', limit: 100 })),
  ];
  return live.map(({ id, state, severity, title, rootPort }) => ({ id, state, severity, title, rootPort }));
}

function healthDays(input: {
  snapshots: readonly SnapshotRecord[];
  reports: readonly QualityRecord[];
  now: Date;
  limitHours: number | undefined;
}): HealthDay[] {
  const today = Math.floor(input.now.getTime() / DAY_MS) * DAY_MS;
  const days: HealthDay[] = [];
  for (let index = HEALTH_WINDOW_DAYS - 1; index >= 0; index -= 1) {
    const start = today - index * DAY_MS;
    const end = Math.min(start + DAY_MS, input.now.getTime());
    const checked = input.reports.filter((record) => {
      const at = Date.parse(record.report.checkedAt);
      return at >= start && at < start + DAY_MS;
    });
    const latest = input.snapshots.find((snapshot) => Date.parse(snapshot.createdAt) <= end);
    const isFresh =
      latest && input.limitHours !== undefined
        ? (end - Date.parse(latest.createdAt)) / HOUR_MS <= input.limitHours
        : undefined;
    days.push({
      day: new Date(start).toISOString().slice(0, 10),
      ...(isFresh === undefined ? {} : { isFresh }),
      checks: checked.length,
      passed: checked.filter((record) => failedChecks(record) === 0).length,
    });
  }
  return days;
}

function sloOf(input: {
  days: readonly HealthDay[];
  reports: readonly QualityRecord[];
  snapshots: readonly SnapshotRecord[];
}): PortHealth['slo'] {
  const measured = input.days.filter((day) => day.isFresh !== undefined);
  const checks = input.days.reduce((sum, day) => sum + day.checks, 0);
  const passed = input.days.reduce((sum, day) => sum + day.passed, 0);
  // Each snapshot's own share, averaged: an appended snapshot already counts every earlier batch,
  // so summing rows across snapshots would count the same rows again and again.
  const shares = input.snapshots
    .filter((snapshot) => snapshot.rowCount + snapshot.quarantinedRows > 0)
    .map((snapshot) => snapshot.rowCount / (snapshot.rowCount + snapshot.quarantinedRows));
  return {
    ...(measured.length === 0
      ? {}
      : { freshness: ratio(measured.filter((day) => day.isFresh).length, measured.length) }),
    ...(checks === 0 ? {} : { quality: ratio(passed, checks) }),
    ...(shares.length === 0
      ? {}
      : {
          completeness: ratio(
            shares.reduce((sum, share) => sum + share, 0),
            shares.length,
          ),
        }),
  };
}

function ratio(part: number, whole: number): number {
  return Math.round((part / whole) * 1000) / 1000;
}

function statusOf(input: {
  hasData: boolean;
  freshness: PortHealth['freshness'];
  /** The next publication the `frequency` SLA expects is overdue. */
  isOverdue: boolean;
  lastQuality: LastQuality | undefined;
  openIncidents: readonly HealthIncident[];
}): HealthStatus {
  if (!input.hasData) return 'unknown';
  const isCritical = input.openIncidents.some((incident) => incident.severity === 'critical');
  if (isCritical || input.lastQuality?.isBlocking || input.freshness.isFresh === false) return 'failing';
  const hasWarning = input.openIncidents.length > 0 || (input.lastQuality?.failed ?? 0) > 0;
  if (hasWarning || input.isOverdue) return 'degraded';
  return 'healthy';
}
