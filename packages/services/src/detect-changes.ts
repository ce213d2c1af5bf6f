import type {
  ChangeFinding,
  ChangeSeverity,
  ColumnProfile,
  HistogramBin,
  QualityReport,
  QualityRule,
  RunState,
  SnapshotRecord,
  TableProfile,
} from '@quanta/model';

/** A published snapshot with what change detection compares: its profile and its run's end. */
export interface ObservedSnapshot {
  readonly snapshot: SnapshotRecord;
  readonly profile?: TableProfile;
  /** How the snapshot's run ended; snapshots of failed or blocked runs never enter a baseline. */
  readonly runState?: RunState;
}

/** Thresholds of the detector; the defaults suit daily products. */
export interface ChangeThresholds {
  /** Absolute change of a column's null rate that is a finding (0.05 = 5 points). */
  readonly nullRate: number;
  /** Relative change of the distinct count that is a finding (0.5 = ±50 %). */
  readonly distinctRatio: number;
  /** Population stability index over aligned histograms: ≥ 0.1 info, ≥ 0.25 warning. */
  readonly psiWarning: number;
  /** Robust z-score (|x − median| / 1.4826·MAD) beyond which volume or freshness is anomalous. */
  readonly robustZ: number;
  /** Same-weekday snapshots needed before the baseline uses only them (weekly seasonality). */
  readonly minSeasonalHistory: number;
}

/** The detector's defaults. */
export const DEFAULT_CHANGE_THRESHOLDS: ChangeThresholds = {
  nullRate: 0.05,
  distinctRatio: 0.5,
  psiWarning: 0.25,
  robustZ: 3.5,
  minSeasonalHistory: 3,
};

const PSI_BINS = 10;
const HOUR_MS = 3_600_000;

/**
 * Compares a new snapshot with the history of its port (newest first, the new one excluded):
 * schema change, null-rate, distinct-count and distribution shift (PSI on histograms re-binned
 * onto common edges) against the previous snapshot, and volume and freshness anomalies against
 * a robust baseline (median/MAD) of the same weekday, ignoring snapshots of failed or blocked
 * runs. Returns findings; none means nothing changed beyond the thresholds.
 */
export function detectChanges(
  current: ObservedSnapshot,
  history: readonly ObservedSnapshot[],
  thresholds: ChangeThresholds = DEFAULT_CHANGE_THRESHOLDS,
): ChangeFinding[] {
  const baseline = history.filter((item) => item.runState !== 'failed' && item.runState !== 'blocked');
  const [previous] = baseline;
  if (!previous) return [];
  return [
    ...schemaChanges(current.snapshot, previous.snapshot),
    ...columnShifts(current, { previous, thresholds }),
    ...volumeAnomaly(current.snapshot, { baseline, thresholds }),
    ...freshnessAnomaly(current.snapshot, { baseline, thresholds }),
  ];
}

function finding(snapshot: SnapshotRecord, fields: Omit<ChangeFinding, 'port' | 'version'>): ChangeFinding {
  return { port: snapshot.port, version: snapshot.version, ...fields };
}

function schemaChanges(current: SnapshotRecord, previous: SnapshotRecord): ChangeFinding[] {
  if (current.schemaHash === previous.schemaHash) return [];
  const before = new Map(previous.columns.map((column) => [column.name, column.type]));
  const after = new Map(current.columns.map((column) => [column.name, column.type]));
  const changes = [
    ...[...after.keys()].filter((name) => !before.has(name)).map((name) => `added ${name}`),
    ...[...before.keys()].filter((name) => !after.has(name)).map((name) => `removed ${name}`),
    ...[...after]
      .filter(([name, type]) => before.has(name) && before.get(name) !== type)
      .map(([name, type]) => `${name} ${before.get(name)} → ${type}`),
  ];
  const isBreaking = changes.some((change) => !change.startsWith('added'));
  return [
    finding(current, {
      kind: 'schemaChange',
      severity: isBreaking ? 'critical' : 'info',
      message: `schema changed since @${previous.version}: ${changes.join(', ') || 'column order'}`,
    }),
  ];
}

function columnShifts(
  current: ObservedSnapshot,
  input: { previous: ObservedSnapshot; thresholds: ChangeThresholds },
): ChangeFinding[] {
  const before = new Map((input.previous.profile?.columns ?? []).map((column) => [column.name, column]));
  return (current.profile?.columns ?? []).flatMap((column) => {
    const old = before.get(column.name);
    return old ? shiftsOf(current.snapshot, { column, old, thresholds: input.thresholds }) : [];
  });
}

function shiftsOf(
  snapshot: SnapshotRecord,
  input: { column: ColumnProfile; old: ColumnProfile; thresholds: ChangeThresholds },
): ChangeFinding[] {
  const { column, old, thresholds } = input;
  const findings: ChangeFinding[] = [];
  const rate = nullRate(column);
  const oldRate = nullRate(old);
  if (Math.abs(rate - oldRate) >= thresholds.nullRate) {
    findings.push(
      finding(snapshot, {
        kind: 'nullRate',
        column: column.name,
        severity: rate > oldRate && rate - oldRate >= 4 * thresholds.nullRate ? 'critical' : 'warning',
        message: `${column.name} null rate ${percent(oldRate)} → ${percent(rate)}`,
        measured: rate,
        baseline: oldRate,
      }),
    );
  }
  if (old.distinct > 0 && Math.abs(column.distinct / old.distinct - 1) >= thresholds.distinctRatio) {
    findings.push(
      finding(snapshot, {
        kind: 'distinctCount',
        column: column.name,
        severity: 'warning',
        message: `${column.name} distinct values ${old.distinct} → ${column.distinct}`,
        measured: column.distinct,
        baseline: old.distinct,
      }),
    );
  }
  const psi = histogramPsi(old.histogram, column.histogram);
  if (psi !== undefined && psi >= thresholds.psiWarning / 2.5) {
    findings.push(
      finding(snapshot, {
        kind: 'distribution',
        column: column.name,
        severity: psi >= thresholds.psiWarning ? 'warning' : 'info',
        message: `${column.name} distribution shifted (PSI ${psi.toFixed(3)})`,
        measured: psi,
      }),
    );
  }
  return findings;
}

function nullRate(column: ColumnProfile): number {
  const rows = column.count + column.nulls;
  return rows === 0 ? 0 : column.nulls / rows;
}

function percent(rate: number): string {
  return `${Math.round(rate * 1000) / 10}%`;
}

/**
 * The population stability index of two histograms whose bins differ: both are re-binned onto
 * the same equal-width edges over their joint range, assuming values uniform within a bin.
 * Undefined for non-numeric bins or empty histograms.
 */
export function histogramPsi(
  expected: readonly HistogramBin[] | undefined,
  actual: readonly HistogramBin[] | undefined,
): number | undefined {
  if (!expected?.length || !actual?.length) return undefined;
  const bounds = [...expected, ...actual].flatMap((bin) => [numeric(bin.lower), numeric(bin.upper)]);
  if (bounds.some((bound) => bound === undefined)) return undefined;
  const values = bounds as number[];
  const low = Math.min(...values);
  const high = Math.max(...values);
  if (!(high > low)) return undefined;
  const edges = Array.from({ length: PSI_BINS + 1 }, (_, index) => low + ((high - low) * index) / PSI_BINS);
  const p = rebin(expected, edges);
  const q = rebin(actual, edges);
  const floor = 1e-4;
  return p.reduce((sum, share, index) => {
    const a = Math.max(share, floor);
    const b = Math.max(q[index] ?? 0, floor);
    return sum + (b - a) * Math.log(b / a);
  }, 0);
}

function numeric(bound: number | string): number | undefined {
  if (typeof bound === 'number') return bound;
  const time = Date.parse(bound);
  return Number.isNaN(time) ? undefined : time;
}

/** Shares of a histogram's rows falling in each [edge, next edge), by overlap. */
function rebin(bins: readonly HistogramBin[], edges: readonly number[]): number[] {
  const shares = new Array<number>(edges.length - 1).fill(0);
  const total = bins.reduce((sum, bin) => sum + bin.count, 0);
  if (total === 0) return shares;
  for (const bin of bins) {
    const lower = numeric(bin.lower) ?? 0;
    const upper = numeric(bin.upper) ?? 0;
    for (let index = 0; index < shares.length; index += 1) {
      const from = edges[index] ?? 0;
      const to = edges[index + 1] ?? 0;
      const overlap =
        upper > lower
          ? Math.max(0, Math.min(upper, to) - Math.max(lower, from)) / (upper - lower)
          : lower >= from && (lower < to || index === shares.length - 1)
            ? 1
            : 0;
      shares[index] = (shares[index] ?? 0) + (overlap * bin.count) / total;
    }
  }
  return shares;
}

/** Median and scaled MAD of values; the robust center and spread of a baseline. */
export function robustStats(values: readonly number[]): { median: number; mad: number } {
  const median = medianOf(values);
  return { median, mad: 1.4826 * medianOf(values.map((value) => Math.abs(value - median))) };
}

function medianOf(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return 0;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? 0)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

/** Same-weekday history when there is enough of it (weekly seasonality), else all of it. */
function seasonal<T>(
  items: readonly T[],
  input: { at: string; dateOf: (item: T) => string; thresholds: ChangeThresholds },
): { items: readonly T[]; isSeasonal: boolean } {
  const weekday = new Date(input.at).getUTCDay();
  const same = items.filter((item) => new Date(input.dateOf(item)).getUTCDay() === weekday);
  return same.length >= input.thresholds.minSeasonalHistory
    ? { items: same, isSeasonal: true }
    : { items, isSeasonal: false };
}

/** Whether `value` is anomalous against a baseline: robust z beyond the limit (or ±50 % when MAD is 0). */
function anomaly(
  value: number,
  input: { values: readonly number[]; thresholds: ChangeThresholds },
): { median: number; severity: ChangeSeverity } | undefined {
  if (input.values.length < 3) return undefined;
  const { median, mad } = robustStats(input.values);
  const z =
    mad === 0
      ? (median === 0 ? 0 : Math.abs(value - median) / (0.5 * median)) * input.thresholds.robustZ
      : Math.abs(value - median) / mad;
  if (z <= input.thresholds.robustZ) return undefined;
  return { median, severity: z > 2 * input.thresholds.robustZ ? 'critical' : 'warning' };
}

function volumeAnomaly(
  current: SnapshotRecord,
  input: { baseline: readonly ObservedSnapshot[]; thresholds: ChangeThresholds },
): ChangeFinding[] {
  const { items, isSeasonal } = seasonal(input.baseline, {
    at: current.createdAt,
    dateOf: (item) => item.snapshot.createdAt,
    thresholds: input.thresholds,
  });
  const found = anomaly(current.rowCount, {
    values: items.map((item) => item.snapshot.rowCount),
    thresholds: input.thresholds,
  });
  if (!found) return [];
  return [
    finding(current, {
      kind: 'volume',
      severity: found.severity,
      message: `${current.rowCount} rows against a median of ${found.median}${isSeasonal ? ' on the same weekday' : ''}`,
      measured: current.rowCount,
      baseline: found.median,
    }),
  ];
}

function freshnessAnomaly(
  current: SnapshotRecord,
  input: { baseline: readonly ObservedSnapshot[]; thresholds: ChangeThresholds },
): ChangeFinding[] {
  const times = [current, ...input.baseline.map((item) => item.snapshot)].map((snapshot) =>
    Date.parse(snapshot.createdAt),
  );
  const gaps = times.slice(0, -1).map((time, index) => ({
    at: new Date(time).toISOString(),
    hours: (time - (times[index + 1] ?? time)) / HOUR_MS,
  }));
  const [latest, ...earlier] = gaps;
  if (!latest) return [];
  const { items, isSeasonal } = seasonal(earlier, {
    at: latest.at,
    dateOf: (gap) => gap.at,
    thresholds: input.thresholds,
  });
  const found = anomaly(latest.hours, {
    values: items.map((gap) => gap.hours),
    thresholds: input.thresholds,
  });
  if (!found || latest.hours < found.median) return [];
  return [
    finding(current, {
      kind: 'freshness',
      severity: found.severity,
      message: `published ${round(latest.hours)} h after the previous snapshot against a median of ${round(found.median)} h${isSeasonal ? ' on the same weekday' : ''}`,
      measured: round(latest.hours),
      baseline: round(found.median),
    }),
  ];
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}

/**
 * Quality clauses that failed without blocking (warnings): each a finding that opens an
 * incident. A failed `frequency` SLA clause (the port published later than its contract
 * promises: a missed expected publish) is a `freshness` finding, as a late publication found
 * against the port's own history is; `rules` (the contract's clauses) tell which clauses those are.
 */
export function qualityFindings(
  snapshot: Pick<SnapshotRecord, 'port' | 'version'>,
  input: { report: QualityReport; rules?: readonly QualityRule[] },
): ChangeFinding[] {
  const frequencies = new Set(
    (input.rules ?? [])
      .filter((rule) => rule.kind === 'sla' && rule.property === 'frequency')
      .map((rule) => rule.id),
  );
  return input.report.clauses
    .filter((clause) => clause.status === 'failed')
    .map((clause) => ({
      kind: frequencies.has(clause.id) ? 'freshness' : 'quality',
      severity: clause.severity === 'error' ? 'critical' : clause.severity,
      port: snapshot.port,
      version: snapshot.version,
      message: `${clause.name}: ${clause.detail}`,
      ...(clause.measured === undefined ? {} : { measured: clause.measured }),
    }));
}
