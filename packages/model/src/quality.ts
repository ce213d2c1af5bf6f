import type { SourceLocation } from './errors.ts';
import type { JsonObject, JsonValue } from './json.ts';

/** How bad a failing quality clause is: only `error` blocks publication. */
export type QualitySeverity = 'error' | 'warning' | 'info';

/** The ODCS comparison operators taking one number. */
export type SingleOperator =
  | 'mustBe'
  | 'mustNotBe'
  | 'mustBeGreaterThan'
  | 'mustBeGreaterOrEqualTo'
  | 'mustBeLessThan'
  | 'mustBeLessOrEqualTo';

/** The ODCS comparison operators taking a range, smallest first. */
export type RangeOperator = 'mustBeBetween' | 'mustNotBeBetween';

/** What a measured value must satisfy. */
export type QualityThreshold =
  | { readonly operator: SingleOperator; readonly value: number }
  | { readonly operator: RangeOperator; readonly value: readonly [number, number] };

/** The ODCS v3.1 library metrics. */
export type LibraryMetric = 'nullValues' | 'missingValues' | 'invalidValues' | 'duplicateValues' | 'rowCount';

/** What a row-level rule does with the rows failing it: count them, or move them to quarantine. */
export type FailAction = 'report' | 'quarantine';

/** What every quality clause carries. */
interface QualityRuleBase {
  /** The clause's path in the contract, as a JSON pointer (`/schema/0/properties/2/quality/0`). */
  readonly id: string;
  /** A readable name: the rule's `name`, or `metric:column`. */
  readonly name: string;
  readonly severity: QualitySeverity;
  readonly dimension?: string;
  readonly location?: SourceLocation;
}

/** What makes a value invalid for an `invalidValues` metric. */
export interface ValidityRule {
  readonly validValues?: readonly string[];
  /** A regular expression the whole value must match (RE2 syntax, as DuckDB evaluates it). */
  readonly pattern?: string;
  readonly minLength?: number;
  readonly maxLength?: number;
}

/** A library metric over the table or one or more columns. */
export interface MetricRule extends QualityRuleBase {
  readonly kind: 'metric';
  readonly metric: LibraryMetric;
  /** The columns measured: none for rowCount, one for property rules, several for a composite key. */
  readonly columns: readonly string[];
  readonly threshold: QualityThreshold;
  readonly unit: 'rows' | 'percent';
  readonly validity?: ValidityRule;
  /** Values counting as missing besides NULL (`missingValues`). */
  readonly missingValues?: readonly string[];
  readonly onFail: FailAction;
}

/** A `sql` rule: one query returning one number, compared with the threshold. */
export interface SqlRule extends QualityRuleBase {
  readonly kind: 'sql';
  /** The query as written; `${table}` and `${column}` are replaced before it runs. */
  readonly query: string;
  readonly column?: string;
  readonly threshold: QualityThreshold;
  readonly unit: 'rows' | 'percent';
}

/** Where a foreign key points: a column of another contract's table. */
export interface ForeignKeyTarget {
  /** The reference as written (`../x/y.odcs.yaml#/schema/t/properties/c`). */
  readonly reference: string;
  /** The target contract file, relative to the mesh root. */
  readonly file: string;
  readonly table: string;
  readonly column: string;
}

/** A relationship: every non-null value of `column` must exist in the target's pinned snapshot. */
export interface ForeignKeyRule extends QualityRuleBase {
  readonly kind: 'foreignKey';
  readonly column: string;
  readonly target: ForeignKeyTarget;
}

/** An SLA property measured on the data: the age of the newest (freshness) or oldest (retention) row. */
export interface DataAgeSlaRule extends QualityRuleBase {
  readonly kind: 'sla';
  readonly property: 'freshness' | 'latency' | 'retention';
  /** The date or timestamp column (`element`). */
  readonly column: string;
  readonly limitDays: number;
}

/**
 * The `frequency` SLA: the port publishes at least every `limitDays` (with
 * {@link FREQUENCY_TOLERANCE}), measured on its publish history: at the gate, the time since
 * the port's previous snapshot; in health, the time since its current one.
 */
export interface FrequencySlaRule extends QualityRuleBase {
  readonly kind: 'sla';
  readonly property: 'frequency';
  /** Measured on publications, not on a column. */
  readonly column?: undefined;
  readonly limitDays: number;
}

/**
 * The `completeness` SLA: the share of the snapshot's rows that were published rather than
 * quarantined, `rows / (rows + quarantined rows)`, must be at least `minimum` (0–1).
 */
export interface CompletenessSlaRule extends QualityRuleBase {
  readonly kind: 'sla';
  readonly property: 'completeness';
  /** Measured on the snapshot's row counts, not on a column. */
  readonly column?: undefined;
  /** The smallest share allowed, between 0 and 1. */
  readonly minimum: number;
}

/** An enforceable SLA property: on the data, on the row counts or on the publish history. */
export type SlaRule = DataAgeSlaRule | FrequencySlaRule | CompletenessSlaRule;

/**
 * How late a publication may come under a `frequency` SLA, as a share of the interval: runs
 * take varying time, so a daily product publishing 24 h 5 min after its previous snapshot is on
 * time; one publishing after more than 26.4 h is not.
 */
export const FREQUENCY_TOLERANCE = 0.1;

/** The longest interval between two publications a `frequency` SLA of `limitDays` allows, in days. */
export function frequencyAllowanceDays(limitDays: number): number {
  return limitDays * (1 + FREQUENCY_TOLERANCE);
}

/** A clause Quanta cannot evaluate, with why: reported as "cannot enforce", never as a pass. */
export interface UnenforceableRule extends QualityRuleBase {
  readonly kind: 'unenforceable';
  readonly reason: string;
}

/** One enforceable (or explicitly unenforceable) clause of a contract. */
export type QualityRule = MetricRule | SqlRule | ForeignKeyRule | SlaRule | UnenforceableRule;

/** The verdict of one clause. */
export type ClauseStatus = 'passed' | 'failed' | 'cannotEnforce';

/** The result of one clause on one table. */
export interface ClauseResult {
  readonly id: string;
  readonly name: string;
  readonly kind: QualityRule['kind'];
  readonly status: ClauseStatus;
  readonly severity: QualitySeverity;
  /** The measured value (rows, percent, days), absent when the clause could not be measured. */
  readonly measured?: number;
  /** The threshold in words (`= 0`, `between 1 and 5`, `≤ 1 day(s)`). */
  readonly threshold?: string;
  readonly unit?: string;
  /** What was found, or why the clause cannot be enforced. */
  readonly detail: string;
  /** Up to five failing rows, JSON-safe. */
  readonly samples: readonly JsonObject[];
  /** Rows moved to quarantine by this clause. */
  readonly quarantined?: number;
  /**
   * What an incremental check adds the delta's measure to: the failing rows (row-level
   * metrics, duplicates, orphans, count-shaped sql rules), or the newest/oldest value of an SLA
   * clause in epoch seconds; `key` is what the clause measured (its condition, the column
   * types, the pinned reference), which a later incremental check must match (ADR 016).
   */
  readonly basis?: { readonly failing?: number; readonly edge?: number; readonly key?: string };
  /**
   * On an incremental check: `delta` when only the appended rows were read and the measure was
   * combined with the base snapshot's report, `table` when the whole table was read.
   */
  readonly scope?: 'delta' | 'table';
}

/** A schema check from the table's metadata (column present, type fits, no extra column). */
export interface SchemaCheckResult {
  readonly name: string;
  readonly passed: boolean;
  readonly detail: string;
  readonly column?: string;
}

/** Everything checked on one table: a value, never thrown. */
export interface QualityReport {
  readonly checkedAt: string;
  readonly schema: readonly SchemaCheckResult[];
  readonly clauses: readonly ClauseResult[];
  /** Clauses measured (passed or failed); `total` counts every clause. */
  readonly enforced: number;
  readonly total: number;
  /** True when a schema check or an `error` clause failed: publication must stop. */
  readonly isBlocking: boolean;
  /** Full passes over the table's data the checks took (instrumented, for tests and benchmarks). */
  readonly scans: number;
  /** Rows left in the table, and rows in its quarantine, after routing. */
  readonly rowCount: number;
  readonly quarantinedRows: number;
  /**
   * Present when clauses read only the rows appended since a checked base (ADR 010, 016); each
   * measured clause then says its `scope`.
   */
  readonly incremental?: { readonly baseRows: number; readonly deltaRows: number };
}

/** "N of M clauses enforced", the one-line summary of a report. */
export function enforcementSummary(report: Pick<QualityReport, 'enforced' | 'total'>): string {
  return `${report.enforced} of ${report.total} clauses enforced`;
}

/** One bar of a histogram; bounds are numbers, or ISO dates for date columns. */
export interface HistogramBin {
  readonly lower: number | string;
  readonly upper: number | string;
  readonly count: number;
}

/** A value or pattern and how often it occurs. */
export interface ValueCount {
  readonly value: string;
  readonly count: number;
}

/** The profile of one column. */
export interface ColumnProfile {
  readonly name: string;
  readonly type: string;
  readonly count: number;
  readonly nulls: number;
  /** Approximate distinct count (HyperLogLog, 2,048 registers: about 2.3 % standard error). */
  readonly distinct: number;
  readonly min?: JsonValue;
  readonly max?: JsonValue;
  readonly mean?: number;
  readonly stddev?: number;
  /** Approximate quantiles p25, p50, p75, p95 (numbers, or ISO dates for date columns). */
  readonly quantiles?: Readonly<Record<'p25' | 'p50' | 'p75' | 'p95', JsonValue>>;
  readonly topValues: readonly ValueCount[];
  readonly histogram?: readonly HistogramBin[];
  readonly length?: { readonly min: number; readonly max: number; readonly mean: number };
  /** Character classes of text values (A upper, a lower, 9 digit), most frequent first. */
  readonly patterns?: readonly ValueCount[];
  /** What merging this profile with an appended batch's needs (ADR 016); not for display. */
  readonly sketch?: ColumnSketch;
}

/** The mergeable state behind a column's profile. */
export interface ColumnSketch {
  /** HyperLogLog registers, one byte each, base64: a union's registers are the max of each. */
  readonly registers: string;
  /** The sum of the text lengths, for the exact mean length of a merged profile. */
  readonly lengthSum?: number;
  /** Min and max on the scale histograms are binned on (days for dates, seconds for timestamps). */
  readonly low?: number;
  readonly high?: number;
}

/** The profile of a table: every column, computed in a fixed number of scans. */
export interface TableProfile {
  readonly rowCount: number;
  readonly columns: readonly ColumnProfile[];
  readonly scans: number;
  /**
   * Rows of the seeded reservoir sample top values, histograms and patterns were computed on,
   * their counts scaled to the table; absent when the whole table was read (exact counts).
   */
  readonly sampleRows?: number;
  /** How the columns' sketches were computed (hash and registers): only equal schemes merge. */
  readonly sketchScheme?: string;
  /**
   * Present when the exact statistics and sketches were computed on the rows appended after
   * `baseRows` and merged with the base snapshot's profile (ADR 016).
   */
  readonly incremental?: { readonly baseRows: number; readonly deltaRows: number };
}
