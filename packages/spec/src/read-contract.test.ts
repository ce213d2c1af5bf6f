import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readContract } from './read-contract.ts';
import { parseYaml } from './yaml-source.ts';

function contractOf(text: string) {
  const { source } = parseYaml(text, 'c.odcs.yaml');
  assert.ok(source && typeof source.data === 'object' && source.data !== null && !Array.isArray(source.data));
  return readContract(source.data, { file: 'c.odcs.yaml', locate: source.locate });
}

test('maps ODCS properties to columns: sizes, enums, defaults', () => {
  const contract = contractOf(`apiVersion: v3.1.0
kind: DataContract
id: c
version: 2.0.0
schema:
  - name: t
    properties:
      - name: code
        physicalType: VARCHAR(18)
        unique: true
        primaryKey: true
      - name: amount
        logicalType: number
        physicalType: decimal(12,2)
      - name: status
        logicalType: string
        logicalTypeOptions: { maxLength: 10 }
        quality:
          - metric: invalidValues
            mustBe: 0
            arguments:
              validValues: [open, closed]
      - name: legacy
        quality:
          - rule: validValues
            validValues: [a, b]
slaProperties:
  - property: retention
    value: 6
    unit: m
team:
  - username: alice
    role: Owner
`);
  assert.deepEqual(
    contract.table.columns.map(({ location, ...column }) => ({ ...column, at: location?.line })),
    [
      {
        name: 'code',
        logicalType: 'string',
        physicalType: 'VARCHAR(18)',
        required: false,
        unique: true,
        primaryKey: true,
        tags: [],
        maxLength: 18,
        at: 8,
      },
      {
        name: 'amount',
        logicalType: 'number',
        physicalType: 'decimal(12,2)',
        required: false,
        unique: false,
        primaryKey: false,
        tags: [],
        precision: 12,
        scale: 2,
        at: 12,
      },
      {
        name: 'status',
        logicalType: 'string',
        required: false,
        unique: false,
        primaryKey: false,
        tags: [],
        enumValues: ['open', 'closed'],
        maxLength: 10,
        at: 15,
      },
      {
        name: 'legacy',
        logicalType: 'string',
        required: false,
        unique: false,
        primaryKey: false,
        tags: [],
        enumValues: ['a', 'b'],
        at: 23,
      },
    ],
  );
  assert.equal(contract.retentionDays, 180);
  assert.equal(contract.owner, 'alice', 'the v3.0 team array form, role matched case-insensitively');
  assert.equal(contract.version, '2.0.0');
  assert.deepEqual(contract.versionLocation, { file: 'c.odcs.yaml', line: 4, col: 10 });
});
