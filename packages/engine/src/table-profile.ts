import type {
  ColumnProfile,
  ColumnType,
  HistogramBin,
  JsonValue,
  TableProfile,
  ValueCount,
} from '@quanta/model';
import type { DuckDbDatabase } from './duckdb-database.ts';
import {
  compareValues,
  estimateDistinct,
  isRegisters,
  mergeMoments,
  mergeRegisters,
  registersAggregate,
  registersOf,
} from './profile-sketch.ts';
import { DATA_TABLE } from './quarantine.ts';
import { quoteIdentifier, quoteLiteralList } from './sql-text.ts';
import { tableColumns } from './staged-table-description.ts';

const DATA = `main.${DATA_TABLE}`;
const SAMPLE = 'quanta_profile_sample';
const TOP_K = 10;
const TOP_PATTERNS = 5;
const MAX_BINS = 20;
const DEFAULT_BINS = 16;
/** Rows the sample statistics (top values, histograms) are computed on, at most. */
export const PROFILE_SAMPLE_ROWS = 100_000;
/** Rows pattern classes are computed on, at most: regular expressions are the costly part. */
const PATTERN_ROWS = 20_000;
const SAMPLE_SEED = 42;
/** Tables larger than this are sampled by blocks rather than by a reservoir. */
const BLOCK_SAMPLING_ROWS = 1_000_000;

/** How a column is profiled, from its DuckDB type. */
type ColumnFamily = 'number' | 'date' | 'timestamp' | 'text' | 'other';

/** Where each statistic of a column sits in the first scan's row. */
interface FirstScanSlots {
  readonly column: ColumnType;
  readonly family: ColumnFamily;
  readonly slots: Readonly<Record<string, number>>;
}

/** Where the sample statistics are read from, and how to scale their counts to the table. */
interface SampleSource {
  readonly relation: string;
  readonly rows: number;
  /** Pattern classes read every `patternStride`-th row of the source. */
  readonly patternStride: number;
}

/** A profiled base an appended table starts with: its first `rows` rows are the base's. */
export interface ProfileBase {
  readonly rows: number;
  readonly profile: TableProfile;
}

/**
 * Profiles every column of a table in two passes over its data. The first, exact, fused
 * aggregate computes counts, nulls, min/max, mean/stddev, string lengths and HyperLogLog
 * registers (approximate distinct). Quantiles, top values, histograms and pattern classes
 * (A upper, a lower, 9 digit) come from a seeded sample of {@link PROFILE_SAMPLE_ROWS} rows,
 * drawn in the second pass, their counts scaled to the table; a table that small is its own
 * sample, so its counts are exact (and it is read three times).
 *
 * With a `base` (an appended table whose first rows are a profiled snapshot's), the first pass
 * reads only the appended rows and merges with the base's profile (ADR 016): counts, nulls,
 * min/max and lengths exactly, mean/stddev by Chan's parallel variance, distinct by register
 * max. The sample statistics are drawn from the whole table as a full profile draws them.
 */
export async function profileTable(
  database: DuckDbDatabase,
  options: { base?: ProfileBase } = {},
): Promise<TableProfile> {
  const columns = await tableColumns(database, { table: DATA_TABLE });
  const [sized = []] = await database.rows(`SELECT count(*), version() FROM ${DATA}`);
  const rowCount = Number(sized[0] ?? 0);
  const scheme = `hll${REGISTER_SCHEME}:duckdb ${String(sized[1])}`;
  const isSampled = rowCount > PROFILE_SAMPLE_ROWS;
  const expressions: string[] = ['count(*)'];
  const add = (expression: string): number => expressions.push(expression) - 1;
  const planned = columns.map((column) => planFirstScan(column, add));
  const base = mergeableBase(options.base, { planned, rowCount, scheme });
  const first = base
    ? mergeFirst(planned, {
        delta:
          (
            await database.rows(`SELECT ${expressions.join(', ')} FROM ${DATA} WHERE rowid >= ${base.rows}`)
          )[0] ?? [],
        base,
      })
    : finishFirst(planned, (await database.rows(`SELECT ${expressions.join(', ')} FROM ${DATA}`))[0] ?? []);
  const source = await sampleSource(database, { isSampled, rowCount });
  try {
    const tops = await sampleTops(database, { planned, source, rowCount });
    const second = planSecondScan(planned, { first, tops });
    const [secondRow = []] =
      second.expressions.length > 0
        ? await database.rows(`SELECT ${second.expressions.join(', ')} FROM ${source.relation}`)
        : [[]];
    const scale = source.rows === 0 ? 1 : rowCount / source.rows;
    const profiles = planned.map((plan, index) =>
      columnProfile(plan, {
        first,
        second: secondRow,
        slots: second.slots[index] ?? {},
        rowCount,
        scale,
        patterns: tops[index]?.patterns,
      }),
    );
    return {
      rowCount,
      columns: profiles,
      scans: isSampled ? 2 : 3,
      ...(isSampled ? { sampleRows: source.rows } : {}),
      sketchScheme: scheme,
      ...(base ? { incremental: { baseRows: base.rows, deltaRows: rowCount - base.rows } } : {}),
    };
  } finally {
    if (isSampled) await database.run(`DROP TABLE IF EXISTS temp.${SAMPLE}`);
  }
}

/** Registers per column, as named in a profile's sketch scheme. */
const REGISTER_SCHEME = 2048;

/**
 * The base profile, when it can be merged with: the same row count as the base rows, the same
 * sketch scheme, and every column of the table profiled there with the same type and a sketch.
 */
function mergeableBase(
  base: ProfileBase | undefined,
  input: { planned: readonly FirstScanSlots[]; rowCount: number; scheme: string },
): ProfileBase | undefined {
  if (!base || base.profile.rowCount !== base.rows || base.rows > input.rowCount) return undefined;
  if (base.profile.sketchScheme !== input.scheme) return undefined;
  const byName = new Map(base.profile.columns.map((column) => [column.name, column]));
  const isMergeable = input.planned.every((plan) => {
    const column = byName.get(plan.column.name);
    const sketch = column?.sketch;
    if (!column || column.type !== plan.column.type || !isRegisters(sketch?.registers)) return false;
    if (plan.slots.low !== undefined && column.count > 0 && sketch?.low === undefined) return false;
    return plan.family !== 'text' || sketch?.lengthSum !== undefined;
  });
  return isMergeable ? base : undefined;
}

/** The first scan's row with each column's registers in base64 and their distinct estimate. */
function finishFirst(planned: readonly FirstScanSlots[], row: readonly JsonValue[]): JsonValue[] {
  const finished = [...row];
  for (const { slots } of planned) {
    const registers = registersOf(row[slots.registers as number]);
    finished[slots.registers as number] = registers;
    finished[slots.distinct as number] = estimateDistinct(registers);
  }
  return finished;
}

/**
 * The first scan's row of the whole table from the delta's and the base profile: every slot
 * {@link columnProfile} and {@link planSecondScan} read, merged.
 */
function mergeFirst(
  planned: readonly FirstScanSlots[],
  input: { delta: readonly JsonValue[]; base: ProfileBase },
): JsonValue[] {
  const delta = finishFirst(planned, input.delta);
  const merged = [...delta];
  merged[0] = input.base.rows + Number(delta[0] ?? 0);
  const byName = new Map(input.base.profile.columns.map((column) => [column.name, column]));
  for (const plan of planned) {
    const base = byName.get(plan.column.name);
    if (!base?.sketch) continue;
    const { slots } = plan;
    const set = (slot: number | undefined, value: JsonValue | undefined) => {
      if (slot !== undefined) merged[slot] = value ?? null;
    };
    const deltaCount = Number(delta[slots.count as number] ?? 0);
    const count = base.count + deltaCount;
    set(slots.count, count);
    const registers = mergeRegisters(base.sketch.registers, String(delta[slots.registers as number]));
    set(slots.registers, registers);
    set(slots.distinct, estimateDistinct(registers));
    const order = plan.family === 'number' ? 'number' : 'other';
    set(
      slots.min,
      extreme(base.min, delta[slots.min as number], (a, b) => compareValues(a, b, order) <= 0),
    );
    set(
      slots.max,
      extreme(base.max, delta[slots.max as number], (a, b) => compareValues(a, b, order) >= 0),
    );
    const low = numberAt(delta, slots.low);
    const high = numberAt(delta, slots.high);
    set(
      slots.low,
      extreme(base.sketch.low ?? null, low ?? null, (a, b) => Number(a) <= Number(b)),
    );
    set(
      slots.high,
      extreme(base.sketch.high ?? null, high ?? null, (a, b) => Number(a) >= Number(b)),
    );
    if (slots.mean !== undefined) {
      const moments = mergeMoments(
        { count: base.count, ...optional('mean', base.mean), ...optional('stddev', base.stddev) },
        {
          count: deltaCount,
          ...optional('mean', numberAt(delta, slots.mean)),
          ...optional('stddev', numberAt(delta, slots.stddev)),
        },
      );
      set(slots.mean, moments.mean);
      set(slots.stddev, moments.stddev);
    }
    if (slots.lengthSum !== undefined) {
      const sum = (base.sketch.lengthSum ?? 0) + Number(delta[slots.lengthSum] ?? 0);
      set(slots.lengthSum, sum);
      set(slots.meanLength, count === 0 ? null : sum / count);
      const lengths = base.length;
      set(
        slots.minLength,
        extreme(lengths?.min ?? null, delta[slots.minLength as number], (a, b) => Number(a) <= Number(b)),
      );
      set(
        slots.maxLength,
        extreme(lengths?.max ?? null, delta[slots.maxLength as number], (a, b) => Number(a) >= Number(b)),
      );
    }
  }
  return merged;
}

function optional<K extends string>(key: K, value: number | undefined): { [P in K]?: number } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: number };
}

/** The kept one of two values (`isFirst` when the first wins); a missing value loses. */
function extreme(
  a: JsonValue | undefined,
  b: JsonValue | undefined,
  isFirst: (a: JsonValue, b: JsonValue) => boolean,
): JsonValue {
  if (a === null || a === undefined) return b ?? null;
  if (b === null || b === undefined) return a;
  return isFirst(a, b) ? a : b;
}

async function sampleSource(
  database: DuckDbDatabase,
  input: { isSampled: boolean; rowCount: number },
): Promise<SampleSource> {
  if (!input.isSampled) {
    return {
      relation: DATA,
      rows: input.rowCount,
      patternStride: Math.max(1, Math.ceil(input.rowCount / PATTERN_ROWS)),
    };
  }
  await database.run(
    `CREATE OR REPLACE TEMP TABLE ${SAMPLE} AS SELECT * FROM ${DATA} USING SAMPLE ${sampleClause(input.rowCount)}`,
  );
  const [counted = []] = await database.rows(`SELECT count(*) FROM temp.${SAMPLE}`);
  const rows = Number(counted[0] ?? 0);
  return { relation: `temp.${SAMPLE}`, rows, patternStride: Math.max(1, Math.ceil(rows / PATTERN_ROWS)) };
}

/**
 * How the sample is drawn. Up to {@link BLOCK_SAMPLING_ROWS} rows, a reservoir: every row equally
 * likely. Beyond, DuckDB's system sampling picks whole vectors (2,048 rows) at random, about ten
 * times cheaper than a reservoir over every column (it skips the vectors it does not take); with
 * at least a few hundred vectors taken from all over the table, its statistics stay close, but a
 * table sorted on a column samples runs of neighbouring values of it.
 */
function sampleClause(rowCount: number): string {
  if (rowCount <= BLOCK_SAMPLING_ROWS) return `${PROFILE_SAMPLE_ROWS} ROWS (reservoir, ${SAMPLE_SEED})`;
  const percent = Math.min(100, (100 * 2 * PROFILE_SAMPLE_ROWS) / rowCount);
  return `${percent.toFixed(4)}% (system, ${SAMPLE_SEED})`;
}

/** The approximate top values and every pattern class of the text columns, over the sample source. */
async function sampleTops(
  database: DuckDbDatabase,
  input: { planned: readonly FirstScanSlots[]; source: SampleSource; rowCount: number },
): Promise<{ top: string[]; patterns?: ValueCount[] }[]> {
  const texts = input.planned.filter((plan) => plan.family === 'text');
  if (texts.length === 0) return input.planned.map(() => ({ top: [] }));
  const names = texts.map((plan) => `CAST(${quoteIdentifier(plan.column.name)} AS VARCHAR)`);
  const [tops = []] = await database.rows(
    `SELECT ${names.map((text) => `approx_top_k(${text}, ${TOP_K})`).join(', ')} FROM ${input.source.relation}`,
  );
  // Patterns are exact over every `patternStride`-th row: regular expressions are the costly part.
  const stride = input.source.patternStride;
  const [patterns = []] = await database.rows(
    `SELECT count(*), ${names.map((_, index) => `histogram(p${index})`).join(', ')} FROM (SELECT ${names
      .map((text, index) => `${patternOf(text)} AS p${index}`)
      .join(', ')} FROM ${input.source.relation}${stride === 1 ? '' : ` WHERE rowid % ${stride} = 0`})`,
  );
  const patternRows = Number(patterns[0] ?? 0);
  const scale = patternRows === 0 ? 1 : input.rowCount / patternRows;
  const byColumn = new Map(
    texts.map((plan, index) => [
      plan,
      {
        top: stringsAt(tops, index),
        patterns: valueCounts(patterns[index + 1], scale).slice(0, TOP_PATTERNS),
      },
    ]),
  );
  return input.planned.map((plan) => byColumn.get(plan) ?? { top: [] });
}

function familyOf(type: string): ColumnFamily {
  if (
    /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|DECIMAL)/.test(
      type,
    )
  )
    return 'number';
  if (type === 'DATE') return 'date';
  if (type.startsWith('TIMESTAMP')) return 'timestamp';
  if (type === 'VARCHAR' || type === 'BOOLEAN' || type === 'UUID') return 'text';
  return 'other';
}

/** A numeric view of a value for averages and bins: days for dates, seconds for timestamps. */
function numericOf(name: string, family: ColumnFamily): string {
  if (family === 'date') return `(epoch(${name}) / 86400)`;
  if (family === 'timestamp') return `epoch(${name})`;
  return `${name}::DOUBLE`;
}

function patternOf(text: string): string {
  // Three regexp_replace passes are about 3× faster than translate() in DuckDB 1.5.
  return `regexp_replace(regexp_replace(regexp_replace(${text}, '[A-Z]', 'A', 'g'), '[a-z]', 'a', 'g'), '[0-9]', '9', 'g')`;
}

function planFirstScan(column: ColumnType, add: (expression: string) => number): FirstScanSlots {
  const name = quoteIdentifier(column.name);
  const family = familyOf(column.type);
  const slots: Record<string, number> = {
    count: add(`count(${name})`),
    registers: add(registersAggregate(name)),
    // Filled from the registers once read (finishFirst, mergeFirst).
    distinct: add('NULL'),
  };
  if (family !== 'other') {
    slots.min = add(`min(${name})`);
    slots.max = add(`max(${name})`);
  }
  if (family === 'number' || family === 'date' || family === 'timestamp') {
    const numeric = numericOf(name, family);
    slots.low = add(`min(${numeric})`);
    slots.high = add(`max(${numeric})`);
  }
  if (family === 'number') {
    slots.mean = add(`avg(${name}::DOUBLE)`);
    slots.stddev = add(`stddev_samp(${name}::DOUBLE)`);
  }
  if (family === 'text') {
    const text = `CAST(${name} AS VARCHAR)`;
    slots.minLength = add(`min(length(${text}))`);
    slots.maxLength = add(`max(length(${text}))`);
    slots.meanLength = add(`avg(length(${text}))`);
    slots.lengthSum = add(`sum(length(${text}))`);
  }
  return { column, family, slots };
}

function binsOf(plan: FirstScanSlots, range: { low: number; high: number }): number {
  const span = range.high - range.low;
  if (plan.family === 'date' || /INT/.test(plan.column.type))
    return Math.max(1, Math.min(MAX_BINS, Math.floor(span) + 1, DEFAULT_BINS));
  return DEFAULT_BINS;
}

function planSecondScan(
  planned: readonly FirstScanSlots[],
  input: {
    first: readonly JsonValue[];
    tops: readonly { top: string[] }[];
  },
): { expressions: string[]; slots: Record<string, number>[] } {
  const expressions: string[] = [];
  const add = (expression: string): number => expressions.push(expression) - 1;
  const slots = planned.map((plan, index) => {
    const own: Record<string, number> = {};
    const name = quoteIdentifier(plan.column.name);
    const { low, high } = rangeOf(plan, input.first);
    if (low !== undefined && high !== undefined && high > low) {
      const bins = binsOf(plan, { low, high });
      const width = (high - low) / bins;
      own.histogram = add(
        `histogram(least(floor((${numericOf(name, plan.family)} - ${low}) / ${width})::INTEGER, ${bins - 1}))`,
      );
    }
    if (plan.family === 'number' || plan.family === 'date' || plan.family === 'timestamp') {
      // From the sample: a 100,000-row reservoir puts quantiles within a fraction of a percent.
      own.quantiles = add(`approx_quantile(${name}, [0.25, 0.5, 0.75, 0.95])`);
    }
    const { top = [] } = input.tops[index] ?? {};
    if (top.length > 0) {
      const text = `CAST(${name} AS VARCHAR)`;
      own.top = add(`histogram(${text}) FILTER (WHERE list_contains(${quoteLiteralList(top)}, ${text}))`);
    }
    return own;
  });
  return { expressions, slots };
}

function rangeOf(plan: FirstScanSlots, row: readonly JsonValue[]): { low?: number; high?: number } {
  const low = numberAt(row, plan.slots.low);
  const high = numberAt(row, plan.slots.high);
  return { ...(low === undefined ? {} : { low }), ...(high === undefined ? {} : { high }) };
}

function numberAt(row: readonly JsonValue[], slot: number | undefined): number | undefined {
  if (slot === undefined) return undefined;
  const value = row[slot];
  if (value === null || value === undefined) return undefined;
  const number = Number(value);
  return Number.isFinite(number) ? number : undefined;
}

function stringsAt(row: readonly JsonValue[], slot: number | undefined): string[] {
  const value = slot === undefined ? undefined : row[slot];
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

/** Reads a DuckDB MAP as returned in JSON (`[{key, value}]`). */
function mapEntries(value: JsonValue | undefined): [JsonValue, number][] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((entry) =>
    entry !== null && typeof entry === 'object' && !Array.isArray(entry)
      ? [[entry.key ?? null, Number(entry.value)] as [JsonValue, number]]
      : [],
  );
}

function valueCounts(value: JsonValue | undefined, scale: number): ValueCount[] {
  return mapEntries(value)
    .map(([key, count]) => ({ value: String(key), count: Math.round(count * scale) }))
    .sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : 1));
}

function boundOf(value: number, family: ColumnFamily): number | string {
  if (family === 'date') return new Date(Math.round(value) * 86_400_000).toISOString().slice(0, 10);
  if (family === 'timestamp') return new Date(value * 1000).toISOString();
  return Math.round(value * 1e6) / 1e6;
}

function histogramOf(
  plan: FirstScanSlots,
  input: { value: JsonValue | undefined; low: number; high: number; scale: number },
): HistogramBin[] {
  const counts = new Map(mapEntries(input.value).map(([key, count]) => [Number(key), count]));
  const bins = binsOf(plan, input);
  const width = (input.high - input.low) / bins;
  return Array.from({ length: bins }, (_, index) => ({
    lower: boundOf(input.low + index * width, plan.family),
    upper: boundOf(index === bins - 1 ? input.high : input.low + (index + 1) * width, plan.family),
    count: Math.round((counts.get(index) ?? 0) * input.scale),
  }));
}

function quantilesOf(value: JsonValue | undefined): ColumnProfile['quantiles'] | undefined {
  if (!Array.isArray(value) || value.length !== 4) return undefined;
  const [p25 = null, p50 = null, p75 = null, p95 = null] = value;
  return { p25, p50, p75, p95 };
}

function columnProfile(
  plan: FirstScanSlots,
  input: {
    first: readonly JsonValue[];
    second: readonly JsonValue[];
    slots: Record<string, number>;
    rowCount: number;
    /** Table rows per sample row. */
    scale: number;
    patterns: readonly ValueCount[] | undefined;
  },
): ColumnProfile {
  const { first, second, slots } = input;
  const at = (slot: number | undefined): JsonValue | undefined =>
    slot === undefined ? undefined : first[slot];
  const count = Number(at(plan.slots.count) ?? 0);
  const { low, high } = rangeOf(plan, first);
  const quantiles = quantilesOf(slots.quantiles === undefined ? undefined : second[slots.quantiles]);
  const mean = numberAt(first, plan.slots.mean);
  const stddev = numberAt(first, plan.slots.stddev);
  const minLength = numberAt(first, plan.slots.minLength);
  const histogram =
    slots.histogram !== undefined && low !== undefined && high !== undefined
      ? histogramOf(plan, { value: second[slots.histogram], low, high, scale: input.scale })
      : undefined;
  const patterns = input.patterns;
  return {
    name: plan.column.name,
    type: plan.column.type,
    count,
    nulls: input.rowCount - count,
    distinct: Number(at(plan.slots.distinct) ?? 0),
    ...(plan.slots.min === undefined
      ? {}
      : { min: at(plan.slots.min) ?? null, max: at(plan.slots.max) ?? null }),
    ...(mean === undefined ? {} : { mean }),
    ...(stddev === undefined ? {} : { stddev }),
    ...(quantiles ? { quantiles } : {}),
    topValues: slots.top === undefined ? [] : valueCounts(second[slots.top], input.scale),
    ...(histogram ? { histogram } : {}),
    ...(minLength === undefined
      ? {}
      : {
          length: {
            min: minLength,
            max: numberAt(first, plan.slots.maxLength) ?? 0,
            mean: Math.round((numberAt(first, plan.slots.meanLength) ?? 0) * 1000) / 1000,
          },
        }),
    ...(patterns ? { patterns } : {}),
    sketch: {
      registers: String(at(plan.slots.registers) ?? ''),
      ...(plan.slots.lengthSum === undefined ? {} : { lengthSum: Number(at(plan.slots.lengthSum) ?? 0) }),
      ...(low === undefined || high === undefined ? {} : { low, high }),
    },
  };
}
