import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatFinding, isJsonObject, type QualityRule } from '@quanta/model';
import { checkContract } from './check-contract.ts';
import { readQualityRules } from './read-quality-rules.ts';
import { parseYaml } from './yaml-source.ts';

const FILE = 'domains/sales/products/orders/orders.odcs.yaml';
const HERITAGE = { requiredQualityGates: [], requiredMetadata: [] };

function sourceOf(text: string) {
  const { source } = parseYaml(text, FILE);
  assert.ok(source && isJsonObject(source.data));
  return source;
}

function rulesOf(text: string): QualityRule[] {
  const source = sourceOf(text);
  assert.ok(isJsonObject(source.data));
  return readQualityRules(source.data, { file: FILE, locate: source.locate });
}

const CONTRACT = `apiVersion: v3.1.0
kind: DataContract
id: sales.orders.orders
version: 1.0.0
status: active
schema:
  - name: orders
    quality:
      - metric: rowCount
        mustBeBetween: [10, 1]
      - metric: duplicateValues
        arguments: { properties: [order_id, line] }
        mustBe: 0
      - type: sql
        query: SELECT avg(amount) FROM \${table}
        mustBeGreaterThan: 0
        unit: rows
        severity: warning
      - type: text
        description: Orders look right.
    properties:
      - name: order_id
        primaryKey: true
        logicalTypeOptions: { pattern: '^O[0-9]+$' }
      - name: line
        logicalType: integer
      - name: email
        logicalType: string
        quality:
          - metric: missingValues
            arguments: { missingValues: [null, '', N/A] }
            mustBeLessThan: 5
            unit: percent
            customProperties:
              - property: quanta.onFail
                value: quarantine
          - metric: invalidValues
            arguments: { pattern: '[^@]+@[^@]+' }
            mustBe: 'zero'
      - name: customer_id
        logicalType: string
        relationships:
          - to: ../../../customers/products/crm/customers.odcs.yaml#/schema/customers/properties/customer_id
      - name: amount
        logicalType: number
slaProperties:
  - property: latency
    value: 1
    unit: d
    element: orders.order_date
  - property: frequency
    value: 1
    unit: d
  - property: retention
    value: 2
    unit: y
`;

test('reads every clause of a contract, each with its JSON-pointer id', () => {
  const rules = rulesOf(CONTRACT);
  assert.deepEqual(
    rules.map((rule) => [rule.id, rule.kind, rule.name, rule.severity]),
    [
      ['/schema/0/properties/0/primaryKey', 'metric', 'required:order_id', 'error'],
      ['/schema/0/properties/0/primaryKey', 'metric', 'unique:order_id', 'error'],
      ['/schema/0/properties/0/logicalTypeOptions', 'metric', 'valid:order_id', 'error'],
      ['/schema/0/properties/2/quality/0', 'metric', 'missingValues:email', 'error'],
      ['/schema/0/properties/2/quality/1', 'unenforceable', 'invalidValues:email', 'error'],
      ['/schema/0/properties/3/relationships/0', 'foreignKey', 'foreignKey:customer_id', 'error'],
      ['/schema/0/quality/0', 'metric', 'rowCount', 'error'],
      ['/schema/0/quality/1', 'metric', 'duplicateValues', 'error'],
      ['/schema/0/quality/2', 'sql', 'sql', 'warning'],
      ['/schema/0/quality/3', 'unenforceable', 'text', 'error'],
      ['/slaProperties/0', 'sla', 'sla:latency', 'warning'],
      ['/slaProperties/1', 'sla', 'sla:frequency', 'warning'],
      ['/slaProperties/2', 'unenforceable', 'sla:retention', 'warning'],
    ],
  );
});

test('reads thresholds, units, arguments, quarantine routing and foreign key targets', () => {
  const rules = rulesOf(CONTRACT);
  const byId = (id: string, kind: QualityRule['kind']) =>
    rules.find((rule) => rule.id === id && rule.kind === kind);
  assert.deepEqual(byId('/schema/0/quality/0', 'metric'), {
    ...byId('/schema/0/quality/0', 'metric'),
    threshold: { operator: 'mustBeBetween', value: [1, 10] },
    columns: [],
  });
  const missing = byId('/schema/0/properties/2/quality/0', 'metric');
  assert.ok(missing?.kind === 'metric');
  assert.deepEqual(
    [missing.missingValues, missing.unit, missing.onFail, missing.threshold],
    [['', 'N/A'], 'percent', 'quarantine', { operator: 'mustBeLessThan', value: 5 }],
  );
  const composite = byId('/schema/0/quality/1', 'metric');
  assert.deepEqual(composite?.kind === 'metric' && composite.columns, ['order_id', 'line']);
  const fk = byId('/schema/0/properties/3/relationships/0', 'foreignKey');
  assert.deepEqual(fk?.kind === 'foreignKey' && fk.target, {
    reference: '../../../customers/products/crm/customers.odcs.yaml#/schema/customers/properties/customer_id',
    file: 'domains/customers/products/crm/customers.odcs.yaml',
    table: 'customers',
    column: 'customer_id',
  });
  const latency = byId('/slaProperties/0', 'sla');
  assert.deepEqual(
    latency?.kind === 'sla' && latency.property === 'latency' && [latency.column, latency.limitDays],
    ['order_date', 1],
  );
  const frequency = byId('/slaProperties/1', 'sla');
  assert.deepEqual(frequency?.kind === 'sla' && frequency.property === 'frequency' && frequency.limitDays, 1);
  const reasons = rules.flatMap((rule) => (rule.kind === 'unenforceable' ? [rule.reason] : []));
  assert.deepEqual(reasons, [
    'mustBe "zero" is not a number; Quanta compares numbers',
    'a text rule describes quality for people; no check can run it',
    'retention needs `element` naming the date or timestamp column it is measured on',
  ]);
});

test('a clause naming a missing column is a validation error at its file:line:col', () => {
  const { findings } = checkContract(sourceOf(CONTRACT), HERITAGE);
  const errors = findings
    .filter((finding) => finding.code === 'QUANTA_REFERENCE_UNRESOLVED')
    .map(formatFinding);
  assert.deepEqual(errors, [
    `${FILE}:50:14 error QUANTA_REFERENCE_UNRESOLVED quality clause 'sla:latency' names column 'order_date', which the contract does not declare. Fix: name an existing property, e.g. order_id, email, line`,
  ]);
});

test('completeness and frequency SLAs are enforceable; only unreadable values stay "cannot enforce"', () => {
  const sla = (entries: string) =>
    rulesOf(`apiVersion: v3.1.0
kind: DataContract
id: x
version: 1.0.0
status: active
schema:
  - name: orders
    properties:
      - name: order_id
slaProperties:
${entries}`).filter((rule) => rule.id.startsWith('/slaProperties/'));
  const described = (rule: QualityRule) => {
    if (rule.kind === 'unenforceable') return rule.reason;
    if (rule.kind !== 'sla') return rule.kind;
    return rule.property === 'completeness' ? rule.minimum : `${rule.property} ${rule.limitDays}`;
  };
  const rules = sla(`  - { property: completeness, value: 99.5, unit: percent }
  - { property: completeness, value: 0.98 }
  - { property: Completeness, value: 95, unit: '%' }
  - { property: frequency, value: 6, unit: h }
  - { property: frequency, value: 1 }
  - { property: completeness, value: 99 }
  - { property: completeness, value: 101, unit: percent }
  - { property: completeness, value: 0.9, unit: rows }
  - { property: completeness }
  - { property: frequency, value: 1, unit: fortnight }
  - { property: frequency, value: 0, unit: d }
  - { property: frequency, value: daily }
  - { property: availability, value: 99.9 }
`);
  assert.deepEqual(rules.map(described), [
    0.995,
    0.98,
    0.95,
    'frequency 0.25',
    'frequency 1',
    'completeness needs a value between 0 and 1 (a ratio), or unit: percent',
    'completeness needs a value between 0 and 100 (percent)',
    "completeness unit 'rows' is neither percent nor ratio",
    'completeness needs a value between 0 and 1 (a ratio), or unit: percent',
    'frequency needs a positive numeric value and a known unit (d, h, w, ...)',
    'frequency needs a positive numeric value and a known unit (d, h, w, ...)',
    'frequency needs a positive numeric value and a known unit (d, h, w, ...)',
    "SLA property 'availability' is not measurable on a snapshot or its publish history",
  ]);
  assert.ok(rules.every((rule) => rule.severity === 'warning'));
});
