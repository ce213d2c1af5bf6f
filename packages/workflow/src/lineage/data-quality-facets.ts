import type {
  ClauseResult,
  ColumnProfile,
  JsonObject,
  JsonValue,
  LibraryMetric,
  QualityReport,
  QualityRule,
  SnapshotRecord,
  TableProfile,
} from '@quanta/model';

const SPEC = 'https://openlineage.io/spec';

/** The `_schemaURL`s of the two data quality facets, as vendored in `schemas/openlineage`. */
export const DATA_QUALITY_FACETS = {
  assertions: `${SPEC}/facets/1-1-0/DataQualityAssertionsDatasetFacet.json#/$defs/DataQualityAssertionsDatasetFacet`,
  metrics: `${SPEC}/facets/1-0-0/DataQualityMetricsDatasetFacet.json#/$defs/DataQualityMetricsDatasetFacet`,
} as const;

const METRIC_ASSERTIONS: Readonly<Record<LibraryMetric, string>> = {
  nullValues: 'not_null',
  missingValues: 'not_missing',
  invalidValues: 'accepted_values',
  duplicateValues: 'unique',
  rowCount: 'row_count',
};

const QUANTILES = { p25: '0.25', p50: '0.5', p75: '0.75', p95: '0.95' } as const;

/**
 * The `dataQualityAssertions` facet of a quality report: one assertion per schema check and per
 * measured clause. Clauses Quanta could not enforce are left out: nothing was tested, and an
 * assertion must say success or failure, so listing them would report a pass or a failure that
 * never happened (the quality report keeps them as "cannot enforce").
 */
export function dataQualityAssertionsFacet(
  report: QualityReport,
  input: { producer: string; rules?: readonly QualityRule[] },
): JsonObject {
  const rules = new Map((input.rules ?? []).map((rule) => [rule.id, rule]));
  const schema: JsonObject[] = report.schema.map((check) => ({
    assertion: 'schema',
    success: check.passed,
    severity: 'error',
    name: check.name,
    description: check.detail,
    ...(check.column ? { column: check.column } : {}),
  }));
  const clauses = report.clauses
    .filter((clause) => clause.status !== 'cannotEnforce')
    .map((clause) => clauseAssertion(clause, rules.get(clause.id)));
  return {
    _producer: input.producer,
    _schemaURL: DATA_QUALITY_FACETS.assertions,
    assertions: [...schema, ...clauses],
  };
}

function clauseAssertion(clause: ClauseResult, rule: QualityRule | undefined): JsonObject {
  const column = rule ? columnOf(rule) : undefined;
  return {
    assertion: rule ? assertionKind(rule) : clause.kind,
    success: clause.status === 'passed',
    severity: clause.severity === 'warning' ? 'warn' : clause.severity,
    name: clause.name,
    description: clause.detail,
    ...(column ? { column } : {}),
    ...(clause.threshold === undefined ? {} : { expected: clause.threshold }),
    ...(clause.measured === undefined
      ? {}
      : { actual: `${clause.measured}${clause.unit ? ` ${clause.unit}` : ''}` }),
    ...(rule?.kind === 'sql' ? { content: rule.query, contentType: 'sql' } : {}),
    params: { id: clause.id },
  };
}

/** The assertion classification OpenLineage consumers know (dbt's and Great Expectations' names). */
function assertionKind(rule: QualityRule): string {
  switch (rule.kind) {
    case 'metric':
      return METRIC_ASSERTIONS[rule.metric];
    case 'sql':
      return 'custom_sql';
    case 'foreignKey':
      return 'relationships';
    case 'sla':
      return rule.property;
    case 'unenforceable':
      return 'unenforceable';
  }
}

function columnOf(rule: QualityRule): string | undefined {
  switch (rule.kind) {
    case 'metric':
      return rule.columns.length === 1 ? rule.columns[0] : undefined;
    case 'sql':
      return rule.column;
    case 'foreignKey':
    case 'sla':
      return rule.column;
    case 'unenforceable':
      return undefined;
  }
}

/**
 * The `dataQualityMetrics` facet of a snapshot's profile: rows, bytes and per column the null
 * and (approximate) distinct counts, the count of values, and numeric min, max and quantiles.
 */
export function dataQualityMetricsFacet(
  profile: TableProfile,
  input: { producer: string; snapshot: SnapshotRecord },
): JsonObject {
  return {
    _producer: input.producer,
    _schemaURL: DATA_QUALITY_FACETS.metrics,
    rowCount: profile.rowCount,
    bytes: input.snapshot.bytes,
    fileCount: 1,
    lastUpdated: input.snapshot.createdAt,
    columnMetrics: Object.fromEntries(profile.columns.map((column) => [column.name, columnMetrics(column)])),
  };
}

function columnMetrics(column: ColumnProfile): JsonObject {
  const quantiles = Object.entries(QUANTILES).flatMap(([key, quantile]) => {
    const value = column.quantiles?.[key as keyof typeof QUANTILES];
    return typeof value === 'number' ? [[quantile, value] as const] : [];
  });
  return {
    nullCount: column.nulls,
    distinctCount: column.distinct,
    count: column.count,
    ...numeric('min', column.min),
    ...numeric('max', column.max),
    ...(quantiles.length === 0 ? {} : { quantiles: Object.fromEntries(quantiles) }),
  };
}

function numeric(key: 'min' | 'max', value: JsonValue | undefined): JsonObject {
  return typeof value === 'number' && Number.isFinite(value) ? { [key]: value } : {};
}
