import path from 'node:path';
import {
  type FailAction,
  type ForeignKeyTarget,
  isJsonObject,
  type JsonObject,
  type JsonValue,
  type LibraryMetric,
  type MetricRule,
  type QualityRule,
  type QualitySeverity,
  type QualityThreshold,
  type RangeOperator,
  type SingleOperator,
  type SourceLocation,
  type ValidityRule,
} from '@quanta/model';
import { durationDays } from './duration-days.ts';
import { arrayField, numberField, objectField, stringField } from './json-access.ts';
import type { JsonPath, Locate } from './yaml-source.ts';

/** Where the rules come from: the contract file (mesh-relative) and, when parsed, positions. */
export interface QualityOrigin {
  readonly file: string;
  readonly locate?: Locate;
}

/** The customProperty of a rule that routes its failing rows to quarantine (`value: quarantine`). */
export const ON_FAIL_PROPERTY = 'quanta.onFail';

const METRICS: readonly LibraryMetric[] = [
  'nullValues',
  'missingValues',
  'invalidValues',
  'duplicateValues',
  'rowCount',
];
const SINGLE_OPERATORS: readonly SingleOperator[] = [
  'mustBe',
  'mustNotBe',
  'mustBeGreaterThan',
  'mustBeGreaterOrEqualTo',
  'mustBeLessThan',
  'mustBeLessOrEqualTo',
];
const RANGE_OPERATORS: readonly RangeOperator[] = ['mustBeBetween', 'mustNotBeBetween'];
const ZERO: QualityThreshold = { operator: 'mustBe', value: 0 };

/** The context of one rule while it is read. */
interface RuleScope {
  readonly origin: QualityOrigin;
  readonly path: JsonPath;
  /** The property the rule is written on, when property level. */
  readonly column?: string;
}

/**
 * Every quality clause of the contract's table, in document order: per property the column
 * constraints (required, unique, enum, pattern, length), its quality rules and relationships;
 * then the schema-level rules and relationships; then the SLA properties. A clause Quanta
 * cannot evaluate comes back as `unenforceable` with why, never dropped.
 */
export function readQualityRules(odcs: JsonObject, origin: QualityOrigin): QualityRule[] {
  const table = arrayField(odcs, 'schema')[0];
  const rules: QualityRule[] = [];
  for (const [index, property] of arrayField(table, 'properties').entries()) {
    if (!isJsonObject(property)) continue;
    const propertyPath: JsonPath = ['schema', 0, 'properties', index];
    const column = stringField(property, 'name') ?? '';
    rules.push(...columnConstraints(property, { origin, path: propertyPath, column }));
    for (const [ruleIndex, rule] of arrayField(property, 'quality').entries()) {
      rules.push(readRule(rule, { origin, path: [...propertyPath, 'quality', ruleIndex], column }));
    }
    for (const [ruleIndex, relation] of arrayField(property, 'relationships').entries()) {
      const scope = { origin, path: [...propertyPath, 'relationships', ruleIndex], column };
      rules.push(readRelationship(relation, scope));
    }
  }
  for (const [ruleIndex, rule] of arrayField(table, 'quality').entries()) {
    rules.push(readRule(rule, { origin, path: ['schema', 0, 'quality', ruleIndex] }));
  }
  for (const [ruleIndex, relation] of arrayField(table, 'relationships').entries()) {
    rules.push(readRelationship(relation, { origin, path: ['schema', 0, 'relationships', ruleIndex] }));
  }
  for (const [index, entry] of arrayField(odcs, 'slaProperties').entries()) {
    rules.push(readSla(entry, { origin, path: ['slaProperties', index] }));
  }
  return rules;
}

/** The JSON pointer of a document path: the clause id. */
export function clauseId(pathInDocument: JsonPath): string {
  return `/${pathInDocument.map((part) => String(part).replaceAll('~', '~0').replaceAll('/', '~1')).join('/')}`;
}

function base(scope: RuleScope, extra: { name: string; severity: QualitySeverity; at?: JsonPath }) {
  const location = locationOf(scope, extra.at ?? scope.path);
  return {
    id: clauseId(scope.path),
    name: extra.name,
    severity: extra.severity,
    ...(location ? { location } : {}),
  };
}

function locationOf(scope: RuleScope, at: JsonPath): SourceLocation | undefined {
  return scope.origin.locate?.(at);
}

function columnConstraints(property: JsonObject, scope: RuleScope & { column: string }): QualityRule[] {
  const { column, path: at } = scope;
  const isKey = property.primaryKey === true;
  const constraint = (
    name: string,
    fields: { field: string; metric: LibraryMetric; validity?: ValidityRule },
  ): MetricRule => ({
    ...base({ ...scope, path: [...at, fields.field] }, { name, severity: 'error' }),
    kind: 'metric',
    metric: fields.metric,
    columns: [column],
    threshold: ZERO,
    unit: 'rows',
    onFail: 'report',
    ...(fields.validity ? { validity: fields.validity } : {}),
  });
  const rules: QualityRule[] = [];
  if (property.required === true || isKey)
    rules.push(
      constraint(`required:${column}`, { field: isKey ? 'primaryKey' : 'required', metric: 'nullValues' }),
    );
  if (property.unique === true || isKey)
    rules.push(
      constraint(`unique:${column}`, { field: isKey ? 'primaryKey' : 'unique', metric: 'duplicateValues' }),
    );
  const validity = typeOptionsValidity(property);
  if (validity)
    rules.push(
      constraint(`valid:${column}`, { field: 'logicalTypeOptions', metric: 'invalidValues', validity }),
    );
  return rules;
}

/** enum, pattern and length limits from logicalTypeOptions or a sized physical type. */
function typeOptionsValidity(property: JsonObject): ValidityRule | undefined {
  const options = objectField(property, 'logicalTypeOptions');
  const values = arrayField(options, 'enum').map(textOf);
  const pattern = stringField(options, 'pattern');
  const minLength = numberField(options, 'minLength');
  const sized = /\(\s*(\d+)\s*\)$/.exec(stringField(property, 'physicalType')?.toLowerCase() ?? '');
  const isText = /^(varchar|char|character varying|character|string|nvarchar|nchar)/.test(
    stringField(property, 'physicalType')?.toLowerCase() ?? '',
  );
  const maxLength =
    numberField(options, 'maxLength') ?? (isText && sized?.[1] ? Number(sized[1]) : undefined);
  const validity: ValidityRule = {
    ...(values.length > 0 ? { validValues: values } : {}),
    ...(pattern === undefined ? {} : { pattern }),
    ...(minLength === undefined ? {} : { minLength }),
    ...(maxLength === undefined ? {} : { maxLength }),
  };
  return Object.keys(validity).length > 0 ? validity : undefined;
}

function textOf(value: JsonValue): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function severityOf(rule: JsonValue, fallback: QualitySeverity): QualitySeverity {
  const severity = stringField(rule, 'severity')?.toLowerCase();
  if (severity === 'error' || severity === 'warning' || severity === 'info') return severity;
  if (severity === 'warn') return 'warning';
  return fallback;
}

function customProperty(rule: JsonValue, name: string): JsonValue | undefined {
  const entry = arrayField(rule, 'customProperties').find((item) => stringField(item, 'property') === name);
  return isJsonObject(entry) ? entry.value : undefined;
}

function readRule(rule: JsonValue, scope: RuleScope): QualityRule {
  const type = stringField(rule, 'type')?.toLowerCase();
  const metricName = stringField(rule, 'metric') ?? stringField(rule, 'rule');
  const fallbackName = `${metricName ?? type ?? 'rule'}${scope.column ? `:${scope.column}` : ''}`;
  const common = base(scope, {
    name: stringField(rule, 'name') ?? fallbackName,
    severity: severityOf(rule, 'error'),
  });
  const dimension = stringField(rule, 'dimension');
  const head = { ...common, ...(dimension ? { dimension } : {}) };
  const unenforceable = (reason: string): QualityRule => ({ ...head, kind: 'unenforceable', reason });
  if (type === 'text') return unenforceable('a text rule describes quality for people; no check can run it');
  if (type === 'custom') {
    const engine = stringField(rule, 'engine') ?? 'another engine';
    return unenforceable(`a custom rule runs on ${engine}; Quanta runs only library and sql rules`);
  }
  const threshold = thresholdOf(rule);
  if (typeof threshold === 'string') return unenforceable(threshold);
  const unitText = stringField(rule, 'unit')?.toLowerCase();
  const unit = unitText === 'percent' || unitText === '%' ? 'percent' : 'rows';
  if (type === 'sql') {
    const query = stringField(rule, 'query');
    if (!query) return unenforceable('a sql rule needs a `query`');
    const location = locationOf(scope, [...scope.path, 'query']);
    return {
      ...head,
      ...(location ? { location } : {}),
      kind: 'sql',
      query,
      ...(scope.column ? { column: scope.column } : {}),
      threshold,
      unit,
    };
  }
  const metric = metricOf(metricName, rule);
  if (!metric)
    return unenforceable(`'${metricName ?? '(none)'}' is not a library metric (${METRICS.join(', ')})`);
  if (unitText !== undefined && unitText !== 'rows' && unit !== 'percent')
    return unenforceable(`unit '${unitText}' is neither rows nor percent`);
  return readMetric(rule, { scope, head, metric, threshold, unit });
}

function metricOf(name: string | undefined, rule: JsonValue): LibraryMetric | undefined {
  if (name === 'validValues' || arrayField(rule, 'validValues').length > 0) return 'invalidValues';
  if (name === 'nullCheck') return 'nullValues';
  if (name === 'uniqueCheck' || name === 'unique') return 'duplicateValues';
  return METRICS.find((metric) => metric === name);
}

function readMetric(
  rule: JsonValue,
  parts: {
    scope: RuleScope;
    head: ReturnType<typeof base> & { dimension?: string };
    metric: LibraryMetric;
    threshold: QualityThreshold;
    unit: 'rows' | 'percent';
  },
): QualityRule {
  const { scope, head, metric, threshold, unit } = parts;
  const args = objectField(rule, 'arguments');
  const onFail: FailAction =
    customProperty(rule, ON_FAIL_PROPERTY) === 'quarantine' ? 'quarantine' : 'report';
  const columns = columnsOfMetric({ scope, args, metric });
  if (typeof columns === 'string') return { ...head, kind: 'unenforceable', reason: columns };
  const common = { ...head, kind: 'metric' as const, metric, columns, threshold, unit, onFail };
  if (metric === 'missingValues') {
    const listed = arrayField(args, 'missingValues');
    const missingValues = listed.filter((value) => value !== null).map(textOf);
    return { ...common, missingValues };
  }
  if (metric === 'invalidValues') {
    const validValues = [...arrayField(args, 'validValues'), ...arrayField(rule, 'validValues')].map(textOf);
    const pattern = stringField(args, 'pattern');
    const minLength = numberField(args, 'minLength');
    const maxLength = numberField(args, 'maxLength');
    const validity: ValidityRule = {
      ...(validValues.length > 0 ? { validValues } : {}),
      ...(pattern === undefined ? {} : { pattern }),
      ...(minLength === undefined ? {} : { minLength }),
      ...(maxLength === undefined ? {} : { maxLength }),
    };
    if (Object.keys(validity).length === 0)
      return {
        ...head,
        kind: 'unenforceable',
        reason: 'invalidValues needs arguments.validValues, pattern, minLength or maxLength',
      };
    return { ...common, validity };
  }
  return common;
}

function columnsOfMetric(input: {
  scope: RuleScope;
  args: JsonObject | undefined;
  metric: LibraryMetric;
}): string[] | string {
  const { scope, args, metric } = input;
  if (metric === 'rowCount') return [];
  if (scope.column !== undefined) return [scope.column];
  const listed = arrayField(args, 'properties').filter((item): item is string => typeof item === 'string');
  const single = stringField(args, 'property');
  const columns = single ? [single] : listed;
  if (columns.length === 0)
    return `a schema-level ${metric} rule needs arguments.properties naming its columns (or write it on the property)`;
  if (metric !== 'duplicateValues' && columns.length > 1)
    return `${metric} measures one column; write one rule per column`;
  return columns;
}

function thresholdOf(rule: JsonValue): QualityThreshold | string {
  if (!isJsonObject(rule)) return 'the rule is not a mapping';
  for (const operator of SINGLE_OPERATORS) {
    if (!(operator in rule)) continue;
    const value = rule[operator];
    if (typeof value === 'number') return { operator, value };
    return `${operator} ${JSON.stringify(value)} is not a number; Quanta compares numbers`;
  }
  for (const operator of RANGE_OPERATORS) {
    const value = rule[operator];
    if (value === undefined) continue;
    if (Array.isArray(value) && value.length === 2 && value.every((item) => typeof item === 'number')) {
      const [low, high] = value as [number, number];
      return { operator, value: [Math.min(low, high), Math.max(low, high)] };
    }
    return `${operator} needs two numbers, smallest first`;
  }
  return 'the rule has no threshold (mustBe, mustBeLessThan, mustBeBetween, ...)';
}

function readRelationship(relation: JsonValue, scope: RuleScope): QualityRule {
  const to = stringField(relation, 'to');
  const from = scope.column ?? stringField(relation, 'from')?.split('.').at(-1);
  const name = `foreignKey:${from ?? '?'}`;
  const severity = severityOf({ severity: customProperty(relation, 'quanta.severity') ?? null }, 'error');
  const withSeverity = base(scope, { name, severity, at: [...scope.path, 'to'] });
  if (!to || !from)
    return { ...withSeverity, kind: 'unenforceable', reason: 'a relationship needs `to` (and `from`)' };
  const target = parseTarget(to, scope.origin.file);
  if (typeof target === 'string') return { ...withSeverity, kind: 'unenforceable', reason: target };
  return { ...withSeverity, kind: 'foreignKey', column: from, target };
}

/** `<file>.yaml#/schema/<table>/properties/<column>`, the file relative to the contract's folder. */
function parseTarget(reference: string, contractFile: string): ForeignKeyTarget | string {
  const match = /^(.+\.ya?ml)#\/?schema\/([^/]+)\/properties\/([^/]+)$/.exec(reference);
  if (!match?.[1] || !match[2] || !match[3]) {
    return (
      `cannot resolve '${reference}': Quanta checks foreign keys to another product's port, ` +
      'written <contract file>#/schema/<table>/properties/<column>'
    );
  }
  const file = path.posix.normalize(path.posix.join(path.posix.dirname(contractFile), match[1]));
  return { reference, file, table: match[2], column: match[3] };
}

function readSla(entry: JsonValue, scope: RuleScope): QualityRule {
  const property = stringField(entry, 'property') ?? '';
  const lower = property.toLowerCase();
  const head = base(scope, { name: `sla:${property}`, severity: 'warning' });
  const unenforceable = (reason: string): QualityRule => ({ ...head, kind: 'unenforceable', reason });
  if (lower === 'completeness') return readCompleteness(entry, { head, unenforceable });
  const value = numberField(entry, 'value');
  const unit = stringField(entry, 'unit') ?? 'd';
  const limitDays = value === undefined ? undefined : durationDays(value, unit);
  if (lower === 'frequency') {
    if (limitDays === undefined || limitDays <= 0)
      return unenforceable('frequency needs a positive numeric value and a known unit (d, h, w, ...)');
    return { ...head, kind: 'sla', property: 'frequency', limitDays };
  }
  if (lower !== 'freshness' && lower !== 'latency' && lower !== 'retention')
    return unenforceable(`SLA property '${property}' is not measurable on a snapshot or its publish history`);
  const element = stringField(entry, 'element');
  if (!element)
    return unenforceable(
      `${property} needs \`element\` naming the date or timestamp column it is measured on`,
    );
  if (limitDays === undefined) return unenforceable(`${property} needs a numeric value and a known unit`);
  const column = element.split(',')[0]?.trim().split('.').at(-1) ?? element;
  const location = locationOf(scope, [...scope.path, 'element']);
  return {
    ...head,
    ...(location ? { location } : {}),
    kind: 'sla',
    property: lower,
    column,
    limitDays,
  };
}

/**
 * `completeness`: the smallest share of published rows, as a percentage (`unit: percent` or
 * `%`, 0–100) or a ratio (no unit, or `unit: ratio`, 0–1). A bare number above 1 is ambiguous
 * (99 what?), so it is not guessed.
 */
function readCompleteness(
  entry: JsonValue,
  parts: { head: ReturnType<typeof base>; unenforceable: (reason: string) => QualityRule },
): QualityRule {
  const value = numberField(entry, 'value');
  const unit = stringField(entry, 'unit')?.trim().toLowerCase();
  const isPercent = unit === 'percent' || unit === '%';
  if (unit !== undefined && !isPercent && unit !== 'ratio')
    return parts.unenforceable(`completeness unit '${unit}' is neither percent nor ratio`);
  const limit = isPercent ? 100 : 1;
  if (value === undefined || value < 0 || value > limit) {
    const range = isPercent ? 'between 0 and 100 (percent)' : 'between 0 and 1 (a ratio), or unit: percent';
    return parts.unenforceable(`completeness needs a value ${range}`);
  }
  return { ...parts.head, kind: 'sla', property: 'completeness', minimum: value / limit };
}
