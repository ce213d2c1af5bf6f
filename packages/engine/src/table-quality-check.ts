import type {
  ClauseResult,
  ColumnType,
  ForeignKeyRule,
  JsonObject,
  JsonValue,
  MetricRule,
  QualityReport,
  QualityRule,
  SlaRule,
  SqlRule,
} from '@quanta/model';
import { toQuantaError } from '@quanta/model';
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

/** A measured clause waiting for its verdict, with the rowids of its first failing rows. */
interface Measurement {
  readonly rule: QualityRule;
  readonly measured: number;
  readonly unit: string;
  readonly threshold: string;
  readonly isPassed: boolean;
  readonly detail: string;
  readonly sampleRowids: readonly number[];
  readonly quarantined?: number;
}

/** One clause's outcome before samples are fetched. */
type Outcome = Measurement | ClauseResult;

/** Counts the queries that read the table's data: the fused-execution instrument. */
interface ScanCounter {
  scans: number;
}

/**
 * Checks every quality clause of a table in as few scans as the rules allow: rows failing
 * `quanta.onFail: quarantine` rules are routed first (one insert, one delete), then ONE fused
 * aggregate measures every library metric and SLA clause, then one query per `sql` rule and one
 * anti-join per foreign key against the attached upstream snapshot. Failing rows are sampled
 * by rowid in one last lookup. A clause that cannot run is `cannotEnforce`, never a pass.
 */
export async function checkTableQuality(
  database: DuckDbDatabase,
  request: QualityRequest & { canRoute: boolean },
): Promise<QualityReport> {
  const counter: ScanCounter = { scans: 0 };
  const actual = await tableColumns(database, { table: DATA_TABLE });
  const schema = schemaChecks(actual, await resolveColumns(database, request.columns));
  const types = new Map(actual.map((column) => [column.name, column.type]));
  const routed = request.canRoute
    ? await routeToQuarantine(database, { rules: request.rules, types, counter })
    : new Map<string, number>();
  const references = await attachReferences(database, request);
  const outcomes: Outcome[] = [];
  const fused = request.rules.filter((rule) => rule.kind === 'metric' || rule.kind === 'sla');
  const total = await measureFused(database, { rules: fused, types, now: request.now, counter, outcomes });
  for (const rule of request.rules) {
    if (rule.kind === 'unenforceable') outcomes.push(cannotEnforce(rule, rule.reason));
    if (rule.kind === 'sql')
      outcomes.push(await measureSql(database, { rule, table: request.tableName, counter }));
    if (rule.kind === 'foreignKey')
      outcomes.push(
        await measureForeignKey(database, { rule, types, alias: references.get(rule.target.file), counter }),
      );
  }
  const clauses = await withSamples(database, { outcomes, counter, routed });
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
  };
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

/** The SQL condition true for a row failing a row-level metric; undefined for table-level metrics. */
function failingCondition(rule: MetricRule): string | undefined {
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
      if (validity.validValues && validity.validValues.length > 0)
        tests.push(`${text} NOT IN (${validity.validValues.map(quoteLiteral).join(', ')})`);
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
  input: { rules: readonly QualityRule[]; types: ReadonlyMap<string, string>; counter: ScanCounter },
): Promise<Map<string, number>> {
  const routing: { rule: MetricRule; condition: string; reason: string }[] = [];
  for (const rule of input.rules) {
    if (rule.kind !== 'metric' || rule.onFail !== 'quarantine') continue;
    const condition = failingCondition(rule);
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
  const anyFailing = routing.map(({ condition }) => condition).join(' OR ');
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

  get sql(): string {
    return `SELECT ${this.#expressions.join(', ')} FROM ${DATA}`;
  }
}

/** How to read a fused clause's values out of the aggregate row. */
type Reader = (row: readonly JsonValue[], total: number) => Outcome;

async function measureFused(
  database: DuckDbDatabase,
  input: {
    rules: readonly QualityRule[];
    types: ReadonlyMap<string, string>;
    now: string;
    counter: ScanCounter;
    outcomes: Outcome[];
  },
): Promise<number> {
  const aggregates = new AggregateList();
  const readers: Reader[] = [];
  for (const rule of input.rules) {
    const reader =
      rule.kind === 'metric'
        ? await metricReader(database, { rule, types: input.types, aggregates })
        : rule.kind === 'sla'
          ? slaReader({ rule, types: input.types, aggregates, now: input.now })
          : cannotEnforce(rule, 'not a fused clause');
    if (typeof reader === 'function') readers.push(reader);
    else input.outcomes.push(reader);
  }
  let row: JsonValue[];
  try {
    input.counter.scans += 1;
    [row = []] = await database.rows(aggregates.sql);
  } catch (error) {
    const why = `the fused check query failed: ${toQuantaError(error).message}`;
    for (const rule of input.rules) input.outcomes.push(cannotEnforce(rule, why));
    return 0;
  }
  const total = Number(row[0] ?? 0);
  for (const reader of readers) input.outcomes.push(reader(row, total));
  return total;
}

async function metricReader(
  database: DuckDbDatabase,
  input: { rule: MetricRule; types: ReadonlyMap<string, string>; aggregates: AggregateList },
): Promise<Reader | ClauseResult> {
  const { rule, aggregates } = input;
  const why = missingColumn(rule.columns, input.types) ?? (await invalidPattern(database, rule));
  if (why) return cannotEnforce(rule, why);
  const condition = failingCondition(rule);
  if (condition !== undefined) {
    const count = aggregates.add(`count(*) FILTER (WHERE ${condition})`);
    const rowids = aggregates.add(`min(rowid, ${MAX_SAMPLES}) FILTER (WHERE ${condition})`);
    return (row, total) =>
      judge(rule, {
        count: Number(row[count] ?? 0),
        total,
        rowids: rowidsOf(row[rowids]),
        what: describeMetric(rule),
      });
  }
  if (rule.metric === 'rowCount') {
    return (_row, total) =>
      judge(rule, { count: total, total, rowids: [], what: 'row(s)', isRatioFree: true });
  }
  const names = rule.columns.map(quoteIdentifier);
  const key = names.length === 1 ? (names[0] as string) : `(${names.join(', ')})`;
  const present = names.map((name) => `${name} IS NOT NULL`).join(' AND ');
  const duplicates = aggregates.add(
    `count(*) FILTER (WHERE ${present}) - count(DISTINCT ${key}) FILTER (WHERE ${present})`,
  );
  return (row, total) =>
    judge(rule, { count: Number(row[duplicates] ?? 0), total, rowids: [], what: 'duplicate row(s)' });
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

function rowidsOf(value: JsonValue | undefined): number[] {
  return Array.isArray(value) ? value.map(Number).filter(Number.isFinite) : [];
}

function judge(
  rule: MetricRule,
  input: { count: number; total: number; rowids: readonly number[]; what: string; isRatioFree?: boolean },
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
    sampleRowids: isPassed ? [] : input.rowids,
  };
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

function slaReader(input: {
  rule: SlaRule;
  types: ReadonlyMap<string, string>;
  aggregates: AggregateList;
  now: string;
}): Reader | ClauseResult {
  const { rule } = input;
  const type = input.types.get(rule.column);
  if (type === undefined) return cannotEnforce(rule, `column '${rule.column}' is not in the table`);
  if (!/^(DATE|TIMESTAMP)/.test(type))
    return cannotEnforce(rule, `column '${rule.column}' is ${type}, not a date or timestamp`);
  const isNewest = rule.property !== 'retention';
  const edge = input.aggregates.add(
    `epoch(${isNewest ? 'max' : 'min'}(${quoteIdentifier(rule.column)})::TIMESTAMP)`,
  );
  const now = Date.parse(input.now) / 1000;
  return (row) => {
    const value = row[edge];
    if (value === null || value === undefined)
      return cannotEnforce(rule, `column '${rule.column}' has no value`);
    const ageDays = (now - Number(value)) / 86_400;
    const isPassed = ageDays <= rule.limitDays;
    const which = isNewest ? 'newest' : 'oldest';
    return {
      rule,
      measured: round(ageDays),
      unit: 'days',
      threshold: `≤ ${round(rule.limitDays)}`,
      isPassed,
      detail: `the ${which} ${rule.column} is ${round(ageDays)} day(s) old; ${rule.property} allows ${round(rule.limitDays)}`,
      sampleRowids: [],
    };
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
      sampleRowids: [],
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

async function measureForeignKey(
  database: DuckDbDatabase,
  input: {
    rule: ForeignKeyRule;
    types: ReadonlyMap<string, string>;
    alias: string | undefined;
    counter: ScanCounter;
  },
): Promise<Outcome> {
  const { rule, alias } = input;
  const why = missingColumn([rule.column], input.types);
  if (why) return cannotEnforce(rule, why);
  if (!alias)
    return cannotEnforce(
      rule,
      `no pinned snapshot of ${rule.target.file} to check against (has its port published?)`,
    );
  const column = `d.${quoteIdentifier(rule.column)}`;
  const target = `u.${quoteIdentifier(rule.target.column)}`;
  try {
    input.counter.scans += 1;
    const [row = []] = await database.rows(
      `SELECT count(*), min(d.rowid, ${MAX_SAMPLES}) FROM ${DATA} d WHERE ${column} IS NOT NULL AND NOT EXISTS ` +
        `(SELECT 1 FROM ${quoteIdentifier(alias)}.main.${DATA_TABLE} u WHERE ${target} = ${column})`,
    );
    const orphans = Number(row[0] ?? 0);
    const isPassed = orphans === 0;
    return {
      rule,
      measured: orphans,
      unit: 'rows',
      threshold: '= 0',
      isPassed,
      detail: `${orphans} value(s) of ${rule.column} not found in ${rule.target.table}.${rule.target.column}`,
      sampleRowids: isPassed ? [] : rowidsOf(row[1] ?? null),
    };
  } catch (error) {
    return cannotEnforce(rule, `the upstream check failed: ${toQuantaError(error).message}`);
  }
}

/** Turns measurements into clause results, fetching every failing sample row in one lookup by rowid. */
async function withSamples(
  database: DuckDbDatabase,
  input: { outcomes: readonly Outcome[]; counter: ScanCounter; routed: ReadonlyMap<string, number> },
): Promise<ClauseResult[]> {
  const rowids = [
    ...new Set(input.outcomes.flatMap((outcome) => ('rule' in outcome ? outcome.sampleRowids : []))),
  ];
  const rows = new Map<number, JsonObject>();
  if (rowids.length > 0) {
    input.counter.scans += 1;
    const found = await database.objects(
      `SELECT rowid AS quanta_rowid, * FROM ${DATA} WHERE rowid IN (${rowids.join(', ')})`,
    );
    for (const { quanta_rowid: rowid, ...row } of found) rows.set(Number(rowid), row);
  }
  const results: ClauseResult[] = [];
  for (const outcome of input.outcomes) {
    if (!('rule' in outcome)) {
      results.push(outcome);
      continue;
    }
    const samples = outcome.sampleRowids
      .map((rowid) => rows.get(rowid))
      .filter((row): row is JsonObject => row !== undefined);
    const quarantined = input.routed.get(outcome.rule.id);
    results.push({
      id: outcome.rule.id,
      name: outcome.rule.name,
      kind: outcome.rule.kind,
      status: outcome.isPassed ? 'passed' : 'failed',
      severity: outcome.rule.severity,
      measured: outcome.measured,
      threshold: outcome.threshold,
      unit: outcome.unit,
      detail: quarantined ? `${outcome.detail}; ${quarantined} row(s) moved to quarantine` : outcome.detail,
      samples,
      ...(quarantined === undefined ? {} : { quarantined }),
    });
  }
  return results;
}
