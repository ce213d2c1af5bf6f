import type {
  ClauseResult,
  CompletenessSlaRule,
  DataAgeSlaRule,
  ForeignKeyRule,
  FrequencySlaRule,
  JsonObject,
  JsonValue,
  MetricRule,
  QualityReport,
  QualityRule,
  SlaRule,
  SqlRule,
} from '@quanta/model';
import { frequencyAllowanceDays, toQuantaError } from '@quanta/model';
import { clauseKeyOf } from './clause-key.ts';
import { resolveColumns } from './contract-columns.ts';
import type { QualityRequest } from './data-engine.ts';
import type { DuckDbDatabase } from './duckdb-database.ts';
import { describeThreshold, meetsThreshold } from './quality-thresholds.ts';
import { DATA_TABLE, QUARANTINE_TABLE } from './quarantine.ts';
import { quoteIdentifier, quoteLiteral } from './sql-text.ts';
import { schemaChecks } from './staged-table-audit.ts';
import { tableColumns } from './staged-table-description.ts';

const MAX_SAMPLES = 5;
const DATA = `main.${DATA_TABLE}`;

/** A measured clause waiting for its verdict, with how to find its first failing rows. */
interface Measurement {
  readonly rule: QualityRule;
  readonly measured: number;
  readonly unit: string;
  readonly threshold: string;
  readonly isPassed: boolean;
  readonly detail: string;
  /** A query returning failing rows of the table, run only when the clause failed. */
  readonly sampleSql?: string;
  readonly basis?: ClauseResult['basis'];
}

/** One clause's outcome before samples are fetched. */
type Outcome = Measurement | ClauseResult;

/** Counts the queries that read the table's data: the fused-execution instrument. */
interface ScanCounter {
  scans: number;
}

/**
 * Which rows the fused aggregate reads: all of them, or only those appended after a checked
 * base (rowids from `baseRows` on), each clause then combined with the base report's.
 */
interface Scope {
  readonly baseRows: number;
  /** The base report's clauses by id; empty for a full check. */
  readonly base: ReadonlyMap<string, ClauseResult>;
  readonly isIncremental: boolean;
  /** The clauses (ids) measured on the delta only; the others read the whole table. */
  readonly onDelta: ReadonlySet<string>;
}

/**
 * Checks every quality clause of a table in as few scans as the rules allow: rows failing
 * `quanta.onFail: quarantine` rules are routed first (one insert, one delete), then ONE fused
 * aggregate measures every library metric, SLA clause, count-shaped `sql` rule
 * (`SELECT count(*) FROM ${table} WHERE …`, folded into a FILTER) and foreign key (a scalar
 * anti-join against the attached upstream snapshot, in the same statement). Other `sql` rules
 * run one query each. Failing rows are sampled in one last lookup, only when a clause failed.
 * With `incremental`, the aggregate reads only the appended rows and combines with the base
 * report: uniqueness probes the base's keys with the delta's, foreign keys check the delta.
 * A clause that cannot run is `cannotEnforce`, never a pass.
 */
export async function checkTableQuality(
  database: DuckDbDatabase,
  request: QualityRequest & { canRoute: boolean },
): Promise<QualityReport> {
  const counter: ScanCounter = { scans: 0 };
  const actual = await tableColumns(database, { table: DATA_TABLE });
  const schema = schemaChecks(actual, await resolveColumns(database, request.columns));
  const types = new Map(actual.map((column) => [column.name, column.type]));
  const separate = request.rules.filter(
    (rule): rule is SqlRule =>
      rule.kind === 'sql' && fusableSqlCondition(rule, request.tableName) === undefined,
  );
  const publication = request.rules.filter(isFrequency);
  const fused = request.rules.filter(
    (rule) => rule.kind !== 'unenforceable' && !isFrequency(rule) && !separate.includes(rule as SqlRule),
  );
  const keys = new Map(fused.map((rule) => [rule.id, clauseKeyOf(rule, { request, types })]));
  const scope = scopeOf(request, { rules: fused, keys });
  const routed = request.canRoute
    ? await routeToQuarantine(database, { rules: request.rules, types, counter, scope })
    : new Map<string, number>();
  const references = await attachReferences(database, request);
  const outcomes: Outcome[] = [];
  const context: FusedContext = {
    types,
    now: request.now,
    table: request.tableName,
    references,
    scope,
    keys,
  };
  const onDelta = fused.filter((rule) => scope.onDelta.has(rule.id));
  const onTable = fused.filter((rule) => !scope.onDelta.has(rule.id));
  let total: number | undefined;
  if (onDelta.length > 0)
    total = await measureFused(database, { rules: onDelta, context, counter, outcomes });
  if (onTable.length > 0 || total === undefined) {
    const wholeTable = { ...context, scope: FULL };
    const counted = await measureFused(database, { rules: onTable, context: wholeTable, counter, outcomes });
    total ??= counted;
  }
  for (const rule of request.rules) {
    if (rule.kind === 'unenforceable') outcomes.push(cannotEnforce(rule, rule.reason));
  }
  for (const rule of separate)
    outcomes.push(await measureSql(database, { rule, table: request.tableName, counter }));
  for (const rule of publication) outcomes.push(measureFrequency(rule, request));
  const clauses = annotate(await withSamples(database, { outcomes, counter, routed }), {
    scope,
    keys,
    unscoped: new Set(publication.map((rule) => rule.id)),
  });
  const order = new Map(request.rules.map((rule, index) => [rule.id, index]));
  clauses.sort((a, b) => (order.get(a.id) ?? 0) - (order.get(b.id) ?? 0));
  const [quarantine] = await database.rows(`SELECT count(*) FROM main.${QUARANTINE_TABLE}`);
  const enforced = clauses.filter((clause) => clause.status !== 'cannotEnforce').length;
  return {
    checkedAt: request.now,
    schema,
    clauses,
    enforced,
    total: clauses.length,
    isBlocking:
      schema.some((check) => !check.passed) ||
      clauses.some((clause) => clause.status === 'failed' && clause.severity === 'error'),
    scans: counter.scans,
    rowCount: total,
    quarantinedRows: Number(quarantine?.[0] ?? 0),
    ...(scope.isIncremental
      ? { incremental: { baseRows: scope.baseRows, deltaRows: total - scope.baseRows } }
      : {}),
  };
}

/**
 * Stamps each basis with its clause key (what a later incremental check must match) and, on an
 * incremental check, says of every measured clause whether it read the delta only (`delta`)
 * or the whole table (`table`); `unscoped` clauses read no row (frequency) and say neither.
 */
function annotate(
  clauses: readonly ClauseResult[],
  input: { scope: Scope; keys: ReadonlyMap<string, string>; unscoped: ReadonlySet<string> },
): ClauseResult[] {
  return clauses.map((clause) => {
    const key = input.keys.get(clause.id);
    const basis = clause.basis && key !== undefined ? { ...clause.basis, key } : clause.basis;
    const scope: ClauseResult['scope'] = input.scope.onDelta.has(clause.id) ? 'delta' : 'table';
    const isScoped =
      input.scope.isIncremental && clause.status !== 'cannotEnforce' && !input.unscoped.has(clause.id);
    return { ...clause, ...(basis ? { basis } : {}), ...(isScoped ? { scope } : {}) };
  });
}

const FULL: Scope = { baseRows: 0, base: new Map(), isIncremental: false, onDelta: new Set() };

/**
 * Which clauses can read the delta only: those whose base clause measured the same thing (the
 * same clause key: condition, column types, pinned reference) and left a basis to add to. The
 * row count is the base's plus the delta's, and completeness needs only the row counts. Every
 * other clause reads the whole table. Routing
 * to quarantine must only touch the delta (base rows keep their rowids), so a quarantine rule
 * the base was not checked with makes the whole check a full scan.
 */
function scopeOf(
  request: QualityRequest,
  input: { rules: readonly QualityRule[]; keys: ReadonlyMap<string, string> },
): Scope {
  const incremental = request.incremental;
  if (!incremental || incremental.baseReport.rowCount !== incremental.baseRows) return FULL;
  const base = new Map(incremental.baseReport.clauses.map((clause) => [clause.id, clause]));
  const isCounted = (rule: QualityRule) =>
    (rule.kind === 'metric' && rule.metric === 'rowCount') ||
    (rule.kind === 'sla' && rule.property === 'completeness');
  const isCombinable = (rule: QualityRule): boolean => {
    if (isCounted(rule)) return true;
    const clause = base.get(rule.id);
    if (!clause || clause.status === 'cannotEnforce' || !clause.basis) return false;
    if (clause.basis.key === undefined || clause.basis.key !== input.keys.get(rule.id)) return false;
    return rule.kind === 'sla' ? clause.basis.edge !== undefined : clause.basis.failing !== undefined;
  };
  const onDelta = new Set(input.rules.filter(isCombinable).map((rule) => rule.id));
  const isRoutable = request.rules.every(
    (rule) => rule.kind !== 'metric' || rule.onFail !== 'quarantine' || onDelta.has(rule.id),
  );
  const isAnyOnDelta = input.rules.some((rule) => onDelta.has(rule.id) && !isCounted(rule));
  if (!isRoutable || !isAnyOnDelta) return FULL;
  return { baseRows: incremental.baseRows, base, isIncremental: true, onDelta };
}

/** The delta's rows only (incremental), as a condition on rowid; `true` for a full check. */
function scopeFilter(scope: Scope, alias?: string): string {
  return scope.isIncremental ? `${alias ? `${alias}.` : ''}rowid >= ${scope.baseRows}` : 'true';
}

function cannotEnforce(rule: QualityRule, why: string): ClauseResult {
  return {
    id: rule.id,
    name: rule.name,
    kind: rule.kind,
    status: 'cannotEnforce',
    severity: rule.severity,
    detail: `cannot enforce: ${why}`,
    samples: [],
  };
}

function missingColumn(columns: readonly string[], types: ReadonlyMap<string, string>): string | undefined {
  const missing = columns.find((column) => !types.has(column));
  return missing === undefined ? undefined : `column '${missing}' is not in the table`;
}

const INTEGER_TYPE =
  /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT)$/;
const INTEGER_TEXT = /^-?(0|[1-9][0-9]*)$/;

/**
 * The SQL condition true for a row failing a row-level metric; undefined for table-level
 * metrics. Valid values of an integer column that are all canonical integers compare as numbers,
 * which means the same as comparing texts and spares a cast per row.
 */
function failingCondition(rule: MetricRule, types: ReadonlyMap<string, string>): string | undefined {
  const [column] = rule.columns;
  if (column === undefined) return undefined;
  const name = quoteIdentifier(column);
  const text = `CAST(${name} AS VARCHAR)`;
  switch (rule.metric) {
    case 'nullValues':
      return `${name} IS NULL`;
    case 'missingValues': {
      const listed = rule.missingValues ?? [];
      return listed.length === 0
        ? `${name} IS NULL`
        : `(${name} IS NULL OR ${text} IN (${listed.map(quoteLiteral).join(', ')}))`;
    }
    case 'invalidValues': {
      const validity = rule.validity ?? {};
      const tests: string[] = [];
      const valid = validity.validValues ?? [];
      const isNumeric =
        INTEGER_TYPE.test(types.get(column) ?? '') && valid.every((value) => INTEGER_TEXT.test(value));
      if (valid.length > 0)
        tests.push(
          isNumeric
            ? `${name} NOT IN (${valid.join(', ')})`
            : `${text} NOT IN (${valid.map(quoteLiteral).join(', ')})`,
        );
      if (validity.pattern !== undefined)
        tests.push(`NOT regexp_full_match(${text}, ${quoteLiteral(validity.pattern)})`);
      if (validity.minLength !== undefined) tests.push(`length(${text}) < ${Math.floor(validity.minLength)}`);
      if (validity.maxLength !== undefined) tests.push(`length(${text}) > ${Math.floor(validity.maxLength)}`);
      return `(${name} IS NOT NULL AND (${tests.join(' OR ')}))`;
    }
    case 'duplicateValues':
    case 'rowCount':
      return undefined;
  }
}

async function invalidPattern(database: DuckDbDatabase, rule: MetricRule): Promise<string | undefined> {
  const pattern = rule.validity?.pattern;
  if (pattern === undefined) return undefined;
  try {
    await database.rows(`SELECT regexp_full_match('', ${quoteLiteral(pattern)})`);
    return undefined;
  } catch (error) {
    return `pattern ${quoteLiteral(pattern)} is not a valid regular expression: ${toQuantaError(error).message}`;
  }
}

/** Moves rows failing quarantine rules into the quarantine table, each with the rules it failed. */
async function routeToQuarantine(
  database: DuckDbDatabase,
  input: {
    rules: readonly QualityRule[];
    types: ReadonlyMap<string, string>;
    counter: ScanCounter;
    scope: Scope;
  },
): Promise<Map<string, number>> {
  const routing: { rule: MetricRule; condition: string; reason: string }[] = [];
  for (const rule of input.rules) {
    if (rule.kind !== 'metric' || rule.onFail !== 'quarantine') continue;
    const condition = failingCondition(rule, input.types);
    if (!condition || missingColumn(rule.columns, input.types) || (await invalidPattern(database, rule)))
      continue;
    routing.push({ rule, condition, reason: `quality rule ${rule.name} (${rule.id})` });
  }
  const routed = new Map<string, number>();
  if (routing.length === 0) return routed;
  const fields = [...input.types.keys()].map(
    (name) => `coalesce(CAST(${quoteIdentifier(name)} AS VARCHAR), '')`,
  );
  const reasons = routing.map(
    ({ condition, reason }) => `CASE WHEN ${condition} THEN ${quoteLiteral(reason)} END`,
  );
  const anyFailing = `${scopeFilter(input.scope)} AND (${routing.map(({ condition }) => condition).join(' OR ')})`;
  await database.run(
    `INSERT INTO main.${QUARANTINE_TABLE} SELECT concat_ws(',', ${fields.join(', ')}), concat_ws('; ', ${reasons.join(', ')}), NULL, NULL FROM ${DATA} WHERE ${anyFailing}`,
  );
  await database.run(`DELETE FROM ${DATA} WHERE ${anyFailing}`);
  input.counter.scans += 2;
  const counts = routing.map(
    ({ reason }) => `count(*) FILTER (WHERE contains(reason, ${quoteLiteral(reason)}))`,
  );
  const [row = []] = await database.rows(
    `SELECT ${counts.join(', ')} FROM main.${QUARANTINE_TABLE} WHERE source_file IS NULL`,
  );
  for (const [index, { rule }] of routing.entries()) routed.set(rule.id, Number(row[index] ?? 0));
  return routed;
}

/** Aggregates deduplicated by text: equal expressions are computed once. */
class AggregateList {
  readonly #expressions: string[] = ['count(*)'];
  readonly #indexes = new Map<string, number>([['count(*)', 0]]);

  add(expression: string): number {
    const known = this.#indexes.get(expression);
    if (known !== undefined) return known;
    this.#expressions.push(expression);
    this.#indexes.set(expression, this.#expressions.length - 1);
    return this.#expressions.length - 1;
  }

  /** The one statement: the table under the contract's table name (for sql rules' conditions). */
  sql(input: { table: string; scope: Scope }): string {
    return `SELECT ${this.#expressions.join(', ')} FROM ${DATA} AS ${quoteIdentifier(input.table)} WHERE ${scopeFilter(input.scope)}`;
  }
}

/** What every fused reader needs to know. */
interface FusedContext {
  readonly types: ReadonlyMap<string, string>;
  readonly now: string;
  readonly table: string;
  /** Attached upstream snapshots by contract file. */
  readonly references: ReadonlyMap<string, string>;
  readonly scope: Scope;
  /** What each clause measures, by rule id: a base clause with another key cannot be combined. */
  readonly keys: ReadonlyMap<string, string>;
}

/** The aggregate row and the table's row count (base plus delta when incremental). */
interface Tally {
  readonly row: readonly JsonValue[];
  readonly total: number;
}

/** How to read a fused clause's values out of the aggregate row. */
type Reader = (tally: Tally) => Outcome;

/** What one fused statement measures; `isApart` when it is a fallback statement already. */
interface FusedInput {
  readonly rules: readonly QualityRule[];
  readonly context: FusedContext;
  readonly counter: ScanCounter;
  readonly outcomes: Outcome[];
  readonly isApart?: boolean;
}

async function measureFused(database: DuckDbDatabase, input: FusedInput): Promise<number> {
  const { context } = input;
  const aggregates = new AggregateList();
  const readers: Reader[] = [];
  const measured: QualityRule[] = [];
  const immediate: Outcome[] = [];
  let subqueries = 0;
  for (const rule of input.rules) {
    const reader = await readerOf(database, { rule, context, aggregates });
    if (typeof reader === 'function') {
      readers.push(reader);
      measured.push(rule);
    } else immediate.push(reader);
    if (
      rule.kind === 'foreignKey' ||
      (rule.kind === 'metric' && rule.metric === 'duplicateValues' && context.scope.isIncremental)
    )
      subqueries += 1;
  }
  let row: JsonValue[];
  try {
    input.counter.scans += 1 + subqueries;
    [row = []] = await database.rows(aggregates.sql(context));
  } catch (error) {
    const why = `the fused check query failed: ${toQuantaError(error).message}`;
    if (!input.isApart && input.rules.some((rule) => rule.kind === 'sql' || rule.kind === 'foreignKey'))
      return measureApart(database, input);
    input.outcomes.push(...immediate, ...measured.map((rule) => cannotEnforce(rule, why)));
    return 0;
  }
  input.outcomes.push(...immediate);
  const total = context.scope.baseRows + Number(row[0] ?? 0);
  for (const reader of readers) input.outcomes.push(reader({ row, total }));
  return total;
}

/**
 * When the fused statement fails (a sql rule's condition does not compile on its own, say),
 * each sql rule and foreign key is measured in a statement of its own so that one bad clause
 * cannot hide the others.
 */
async function measureApart(database: DuckDbDatabase, input: FusedInput): Promise<number> {
  const isAlone = (rule: QualityRule): boolean => rule.kind === 'sql' || rule.kind === 'foreignKey';
  const apart = { ...input, isApart: true };
  const total = await measureFused(database, {
    ...apart,
    rules: input.rules.filter((rule) => !isAlone(rule)),
  });
  for (const rule of input.rules.filter(isAlone)) {
    const outcomes: Outcome[] = [];
    await measureFused(database, { ...apart, rules: [rule], outcomes });
    input.outcomes.push(...outcomes);
  }
  return total;
}

async function readerOf(
  database: DuckDbDatabase,
  input: { rule: QualityRule; context: FusedContext; aggregates: AggregateList },
): Promise<Reader | ClauseResult> {
  const { rule, context, aggregates } = input;
  switch (rule.kind) {
    case 'metric':
      return metricReader(database, { rule, context, aggregates });
    case 'sla':
      return slaReader({ rule, context, aggregates });
    case 'sql':
      return sqlCountReader({ rule, context, aggregates });
    case 'foreignKey':
      return foreignKeyReader({ rule, context, aggregates });
    case 'unenforceable':
      return cannotEnforce(rule, rule.reason);
  }
}

/** The failing rows so far: the base report's, when the check is incremental. */
function baseFailing(rule: QualityRule, scope: Scope): number {
  return scope.base.get(rule.id)?.basis?.failing ?? 0;
}

async function metricReader(
  database: DuckDbDatabase,
  input: { rule: MetricRule; context: FusedContext; aggregates: AggregateList },
): Promise<Reader | ClauseResult> {
  const { rule, aggregates, context } = input;
  const why = missingColumn(rule.columns, context.types) ?? (await invalidPattern(database, rule));
  if (why) return cannotEnforce(rule, why);
  const condition = failingCondition(rule, context.types);
  const prior = baseFailing(rule, context.scope);
  if (condition !== undefined) {
    const count = aggregates.add(failingCount(rule, condition));
    return ({ row, total }) =>
      judge(rule, {
        count: prior + Number(row[count] ?? 0),
        total,
        what: describeMetric(rule),
        sampleSql: `SELECT * FROM ${DATA} WHERE ${condition} LIMIT ${MAX_SAMPLES}`,
      });
  }
  if (rule.metric === 'rowCount') {
    return ({ total }) => judge(rule, { count: total, total, what: 'row(s)', isRatioFree: true });
  }
  const names = rule.columns.map(quoteIdentifier);
  const key = names.length === 1 ? (names[0] as string) : `(${names.join(', ')})`;
  const present = names.map((name) => `${name} IS NOT NULL`).join(' AND ');
  const duplicates = aggregates.add(
    `count(*) FILTER (WHERE ${present}) - count(DISTINCT ${key}) FILTER (WHERE ${present})`,
  );
  const across = context.scope.isIncremental
    ? aggregates.add(repeatedBaseKeys(names, context.scope))
    : undefined;
  return ({ row, total }) =>
    judge(rule, {
      count: prior + Number(row[duplicates] ?? 0) + (across === undefined ? 0 : Number(row[across] ?? 0)),
      total,
      what: 'duplicate row(s)',
    });
}

/**
 * The aggregate counting a row-level metric's failing rows. Nulls are counted as
 * `count(*) - count(column)`: DuckDB answers `count(column)` from the column's storage
 * statistics when they prove it holds no null (no scan of it at all), and counts validity
 * bits otherwise; a `FILTER (WHERE column IS NULL)` is always evaluated row by row.
 */
function failingCount(rule: MetricRule, condition: string): string {
  const [column] = rule.columns;
  const isNullCount =
    rule.metric === 'nullValues' ||
    (rule.metric === 'missingValues' && (rule.missingValues ?? []).length === 0);
  if (isNullCount && column !== undefined && rule.columns.length === 1)
    return `count(*) - count(${quoteIdentifier(column)})`;
  return `count(*) FILTER (WHERE ${condition})`;
}

/** How many distinct keys of the delta the base already holds: each one more duplicate. */
function repeatedBaseKeys(names: readonly string[], scope: Scope): string {
  const present = names.map((name) => `${name} IS NOT NULL`).join(' AND ');
  const equal = names.map((name) => `b.${name} = d.${name}`).join(' AND ');
  return (
    `(SELECT count(*) FROM (SELECT DISTINCT ${names.join(', ')} FROM ${DATA} WHERE rowid >= ${scope.baseRows} AND ${present}) d ` +
    `WHERE EXISTS (SELECT 1 FROM ${DATA} b WHERE b.rowid < ${scope.baseRows} AND ${equal}))`
  );
}

function describeMetric(rule: MetricRule): string {
  switch (rule.metric) {
    case 'nullValues':
      return 'null value(s)';
    case 'missingValues':
      return 'missing value(s)';
    case 'invalidValues':
      return 'invalid value(s)';
    default:
      return 'row(s)';
  }
}

function judge(
  rule: MetricRule,
  input: { count: number; total: number; what: string; isRatioFree?: boolean; sampleSql?: string },
): Measurement {
  const isPercent = rule.unit === 'percent' && !input.isRatioFree;
  const measured = isPercent ? (input.total === 0 ? 0 : (input.count * 100) / input.total) : input.count;
  const unit = isPercent ? 'percent' : 'rows';
  const shown = isPercent
    ? `${round(measured)}% (${input.count} ${input.what} in ${input.total} rows)`
    : `${input.count} ${input.what}`;
  const isPassed = meetsThreshold(measured, rule.threshold);
  return {
    rule,
    measured,
    unit,
    threshold: describeThreshold(rule.threshold),
    isPassed,
    detail: `${shown}; must be ${describeThreshold(rule.threshold)}`,
    ...(input.sampleSql === undefined ? {} : { sampleSql: input.sampleSql }),
    ...(input.isRatioFree ? {} : { basis: { failing: input.count } }),
  };
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

function slaReader(input: {
  rule: SlaRule;
  context: FusedContext;
  aggregates: AggregateList;
}): Reader | ClauseResult {
  const { rule } = input;
  switch (rule.property) {
    case 'completeness':
      return completenessReader({ rule, aggregates: input.aggregates });
    case 'frequency':
      return cannotEnforce(rule, 'frequency is measured on the publish history, not in the fused statement');
    case 'freshness':
    case 'latency':
    case 'retention':
      return dataAgeReader({ ...input, rule });
  }
}

function dataAgeReader(input: {
  rule: DataAgeSlaRule;
  context: FusedContext;
  aggregates: AggregateList;
}): Reader | ClauseResult {
  const { rule, context } = input;
  const type = context.types.get(rule.column);
  if (type === undefined) return cannotEnforce(rule, `column '${rule.column}' is not in the table`);
  if (!/^(DATE|TIMESTAMP)/.test(type))
    return cannotEnforce(rule, `column '${rule.column}' is ${type}, not a date or timestamp`);
  const isNewest = rule.property !== 'retention';
  const edge = input.aggregates.add(
    `epoch(${isNewest ? 'max' : 'min'}(${quoteIdentifier(rule.column)})::TIMESTAMP)`,
  );
  const now = Date.parse(context.now) / 1000;
  const prior = context.scope.base.get(rule.id)?.basis?.edge;
  return ({ row }) => {
    const value = row[edge];
    const edges = [value === null || value === undefined ? undefined : Number(value), prior].filter(
      (item): item is number => item !== undefined,
    );
    if (edges.length === 0) return cannotEnforce(rule, `column '${rule.column}' has no value`);
    const at = isNewest ? Math.max(...edges) : Math.min(...edges);
    const ageDays = (now - at) / 86_400;
    const isPassed = ageDays <= rule.limitDays;
    const which = isNewest ? 'newest' : 'oldest';
    return {
      rule,
      measured: round(ageDays),
      unit: 'days',
      threshold: `≤ ${round(rule.limitDays)}`,
      isPassed,
      detail: `the ${which} ${rule.column} is ${round(ageDays)} day(s) old; ${rule.property} allows ${round(rule.limitDays)}`,
      basis: { edge: at },
    };
  };
}

/**
 * Completeness: the share of the rows in (published plus quarantined, after routing) that were
 * published. The quarantine count rides along in the fused statement; on an appended snapshot
 * the quarantine holds every batch's rejected rows, so the share is the snapshot's as a whole.
 */
function completenessReader(input: { rule: CompletenessSlaRule; aggregates: AggregateList }): Reader {
  const { rule } = input;
  const quarantined = input.aggregates.add(`(SELECT count(*) FROM main.${QUARANTINE_TABLE})`);
  return ({ row, total }) => {
    const rejected = Number(row[quarantined] ?? 0);
    const rowsIn = total + rejected;
    if (rowsIn === 0) return cannotEnforce(rule, 'the table has no row, published or quarantined');
    const percent = (total * 100) / rowsIn;
    const minimum = rule.minimum * 100;
    return {
      rule,
      measured: round(percent),
      unit: 'percent',
      threshold: `≥ ${round(minimum)}`,
      isPassed: total >= rule.minimum * rowsIn,
      detail: `${round(percent)}% of ${rowsIn} row(s) in were published (${rejected} quarantined); completeness requires ≥ ${round(minimum)}%`,
    };
  };
}

function isFrequency(rule: QualityRule): rule is FrequencySlaRule {
  return rule.kind === 'sla' && rule.property === 'frequency';
}

/**
 * Frequency, from the publish history rather than the rows: the time from the port's previous
 * publication to now (this check) must stay within the promised interval plus its tolerance.
 */
function measureFrequency(rule: FrequencySlaRule, request: QualityRequest): Outcome {
  const previous = request.lastPublishedAt === undefined ? Number.NaN : Date.parse(request.lastPublishedAt);
  if (Number.isNaN(previous))
    return cannotEnforce(
      rule,
      'no earlier snapshot of the port: a first publication has no interval to measure',
    );
  const days = (Date.parse(request.now) - previous) / 86_400_000;
  const allowed = frequencyAllowanceDays(rule.limitDays);
  return {
    rule,
    measured: round(days),
    unit: 'days',
    threshold: `≤ ${round(allowed)}`,
    isPassed: days <= allowed,
    detail: `${round(days)} day(s) since the previous snapshot (${request.lastPublishedAt}); frequency promises every ${round(rule.limitDays)} day(s), ${round(allowed)} with its tolerance`,
  };
}

/** Names the upstream snapshots foreign keys check against, attached read-only; external access is then shut. */
async function attachReferences(
  database: DuckDbDatabase,
  request: QualityRequest,
): Promise<Map<string, string>> {
  const aliases = new Map<string, string>();
  for (const [index, [file, relation]] of Object.entries(request.references ?? {}).entries()) {
    const alias = `quanta_reference_${index}`;
    await database.run(`ATTACH ${quoteLiteral(relation.path)} AS ${quoteIdentifier(alias)} (READ_ONLY)`);
    aliases.set(file, alias);
  }
  // SQL rules come from contracts: they may read the table and nothing else on this machine.
  await database.run('SET enable_external_access = false');
  return aliases;
}

const COUNT_SHAPE =
  /^\s*select\s+count\s*\(\s*\*\s*\)\s+from\s+("(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_]*)(?:\s+where\s+([\s\S]+?))?\s*;?\s*$/i;
const NOT_A_ROW_CONDITION =
  /\b(select|from|join|group|order|limit|offset|having|qualify|window|union|except|intersect)\b|;/i;

/**
 * The row condition of a count-shaped sql rule (`SELECT count(*) FROM ${table} WHERE …`), which
 * the fused aggregate evaluates as a FILTER; undefined for any other query, run on its own.
 */
function fusableSqlCondition(rule: SqlRule, table: string): string | undefined {
  const match = COUNT_SHAPE.exec(ruleSql(rule, table));
  if (!match) return undefined;
  const [, target = '', condition = 'true'] = match;
  const isTable = target === quoteIdentifier(table) || target.toLowerCase() === table.toLowerCase();
  if (!isTable || NOT_A_ROW_CONDITION.test(condition)) return undefined;
  return condition;
}

function sqlCountReader(input: {
  rule: SqlRule;
  context: FusedContext;
  aggregates: AggregateList;
}): Reader | ClauseResult {
  const { rule, context } = input;
  const condition = fusableSqlCondition(rule, context.table);
  if (condition === undefined) return cannotEnforce(rule, 'not a count-shaped rule');
  const count = input.aggregates.add(`count(*) FILTER (WHERE ${condition})`);
  const prior = baseFailing(rule, context.scope);
  return ({ row }) => {
    const measured = prior + Number(row[count] ?? 0);
    const threshold = describeThreshold(rule.threshold);
    return {
      rule,
      measured,
      unit: rule.unit,
      threshold,
      isPassed: meetsThreshold(measured, rule.threshold),
      detail: `the query returned ${measured}; must be ${threshold}`,
      basis: { failing: measured },
    };
  };
}

async function measureSql(
  database: DuckDbDatabase,
  input: { rule: SqlRule; table: string; counter: ScanCounter },
): Promise<Outcome> {
  const { rule } = input;
  const sql = ruleSql(rule, input.table);
  try {
    await database.run(
      `CREATE OR REPLACE TEMP VIEW ${quoteIdentifier(input.table)} AS SELECT * FROM ${DATA}`,
    );
    input.counter.scans += 1;
    const [row] = await database.rows(sql);
    const value = row?.[0];
    const measured = typeof value === 'number' ? value : Number(value);
    if (value === null || value === undefined || !Number.isFinite(measured))
      return cannotEnforce(rule, `the query returned ${JSON.stringify(value ?? null)}, not a number`);
    const isPassed = meetsThreshold(measured, rule.threshold);
    const threshold = describeThreshold(rule.threshold);
    return {
      rule,
      measured,
      unit: rule.unit,
      threshold,
      isPassed,
      detail: `the query returned ${measured}; must be ${threshold}`,
    };
  } catch (error) {
    return cannotEnforce(rule, `the query failed: ${toQuantaError(error).message}`);
  }
}

/** A sql rule's query with `${table}` and `${column}` replaced, as it runs and as validate parses it. */
export function ruleSql(rule: SqlRule, table: string): string {
  return rule.query
    .replaceAll('${table}', quoteIdentifier(table))
    .replaceAll('${column}', rule.column === undefined ? '${column}' : quoteIdentifier(rule.column));
}

function foreignKeyReader(input: {
  rule: ForeignKeyRule;
  context: FusedContext;
  aggregates: AggregateList;
}): Reader | ClauseResult {
  const { rule, context } = input;
  const why = missingColumn([rule.column], context.types);
  if (why) return cannotEnforce(rule, why);
  const alias = context.references.get(rule.target.file);
  if (!alias)
    return cannotEnforce(
      rule,
      `no pinned snapshot of ${rule.target.file} to check against (has its port published?)`,
    );
  const column = `d.${quoteIdentifier(rule.column)}`;
  const target = `u.${quoteIdentifier(rule.target.column)}`;
  const orphan =
    `${scopeFilter(context.scope, 'd')} AND ${column} IS NOT NULL AND NOT EXISTS ` +
    `(SELECT 1 FROM ${quoteIdentifier(alias)}.main.${DATA_TABLE} u WHERE ${target} = ${column})`;
  const count = input.aggregates.add(`(SELECT count(*) FROM ${DATA} d WHERE ${orphan})`);
  const prior = baseFailing(rule, context.scope);
  return ({ row }) => {
    const orphans = prior + Number(row[count] ?? 0);
    const isPassed = orphans === 0;
    return {
      rule,
      measured: orphans,
      unit: 'rows',
      threshold: '= 0',
      isPassed,
      detail: `${orphans} value(s) of ${rule.column} not found in ${rule.target.table}.${rule.target.column}`,
      sampleSql: `SELECT d.* FROM ${DATA} d WHERE ${orphan.replace(scopeFilter(context.scope, 'd'), 'true')} LIMIT ${MAX_SAMPLES}`,
      basis: { failing: orphans },
    };
  };
}

/** Turns measurements into clause results, fetching the failing clauses' sample rows in one lookup. */
async function withSamples(
  database: DuckDbDatabase,
  input: { outcomes: readonly Outcome[]; counter: ScanCounter; routed: ReadonlyMap<string, number> },
): Promise<ClauseResult[]> {
  const failing = input.outcomes.filter(
    (outcome): outcome is Measurement =>
      'rule' in outcome && !outcome.isPassed && outcome.sampleSql !== undefined,
  );
  const samples = new Map<number, JsonObject[]>();
  if (failing.length > 0) {
    input.counter.scans += 1;
    const union = failing
      .map((outcome, index) => `SELECT ${index} AS quanta_clause, * FROM (${outcome.sampleSql})`)
      .join(' UNION ALL ');
    for (const { quanta_clause: clause, ...row } of await database.objects(union)) {
      const index = Number(clause);
      samples.set(index, [...(samples.get(index) ?? []), row]);
    }
  }
  return input.outcomes.map((outcome): ClauseResult => {
    if (!('rule' in outcome)) return outcome;
    const quarantined = input.routed.get(outcome.rule.id);
    const index = failing.indexOf(outcome as Measurement);
    return {
      id: outcome.rule.id,
      name: outcome.rule.name,
      kind: outcome.rule.kind,
      status: outcome.isPassed ? 'passed' : 'failed',
      severity: outcome.rule.severity,
      measured: outcome.measured,
      threshold: outcome.threshold,
      unit: outcome.unit,
      detail: quarantined ? `${outcome.detail}; ${quarantined} row(s) moved to quarantine` : outcome.detail,
      samples: index < 0 ? [] : (samples.get(index) ?? []),
      ...(quarantined === undefined ? {} : { quarantined }),
      ...(outcome.basis === undefined ? {} : { basis: outcome.basis }),
    };
  });
}
