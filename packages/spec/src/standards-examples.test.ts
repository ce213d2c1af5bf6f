import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { formatLocation } from '@quanta/model';
import { parse } from 'yaml';
import { formatContract } from './format-contract.ts';
import { type Standard, validateStandard } from './schema-validator.ts';
import { parseYaml } from './yaml-source.ts';

const FIXTURES = new URL('../fixtures/standards/', import.meta.url);

/**
 * Official examples that break the schema of the version they declare, each for a reason
 * checked below: they were written with fields of the next version of the standard and
 * validate once that version is declared.
 */
const KNOWN_VIOLATIONS: Readonly<Record<string, { newer: string; violations: string[] }>> = {
  'data-types--all-data-types.odcs.yaml': {
    newer: 'v3.1.0',
    violations: [
      '25:29 schema[0].properties[1].logicalTypeOptions.exclusiveMinimum: must be boolean, not string',
      '30:22 schema[0].properties[2].logicalType: "timestamp" is not allowed',
      '37:22 schema[0].properties[3].logicalType: "timestamp" is not allowed',
      '46:22 schema[0].properties[4].logicalType: "time" is not allowed',
      '63:29 schema[0].properties[6].logicalTypeOptions.exclusiveMaximum: must be boolean, not number',
    ],
  },
  'quality--column-completeness.odcs.yaml': {
    newer: 'v3.1.0',
    violations: ["23:9 schema[0].properties[0].quality[0]: required property 'rule' is missing"],
  },
  'stakeholders--basic-four-dpo.odcs.yaml': {
    newer: 'v3.1.0',
    violations: ['10:3 team: must be array, not object'],
  },
  'customer-data-product.odps.yaml': {
    newer: 'v1.0.0',
    violations: [
      '30:3 inputPorts[3].tags: this property is not defined by the schema of the declared apiVersion',
      '31:3 inputPorts[3].customProperties: this property is not defined by the schema of the declared apiVersion',
      '34:3 inputPorts[3].authoritativeDefinitions: this property is not defined by the schema of the declared apiVersion',
      '49:3 outputPorts[1].tags: this property is not defined by the schema of the declared apiVersion',
      '50:3 outputPorts[1].customProperties: this property is not defined by the schema of the declared apiVersion',
      '53:3 outputPorts[1].authoritativeDefinitions: this property is not defined by the schema of the declared apiVersion',
      '87:13 managementPorts[0].authoritativeDefinitions[0].type: "kafka_topic" is not allowed',
      '103:3 team: must be array, not object',
    ],
  },
};

async function examples(standard: Standard): Promise<{ name: string; text: string }[]> {
  const folder = new URL(`${standard}/`, FIXTURES);
  const names = (await readdir(folder)).filter((name) => name.endsWith('.yaml')).sort();
  return Promise.all(
    names.map(async (name) => ({ name, text: await readFile(new URL(name, folder), 'utf8') })),
  );
}

for (const standard of ['odcs', 'odps'] as const) {
  test(`every official ${standard.toUpperCase()} example validates against the schema it declares`, async () => {
    const files = await examples(standard);
    assert.equal(files.length, standard === 'odcs' ? 18 : 2);
    for (const { name, text } of files) {
      const { source, findings } = parseYaml(text, name);
      assert.deepEqual(findings, [], `${name} parses`);
      assert.ok(source);
      const violations = validateStandard(source, standard).map(
        (item) =>
          `${formatLocation(item.location ?? { file: name, line: 0, col: 0 }).slice(name.length + 1)} ${item.message}`,
      );
      assert.deepEqual(violations, KNOWN_VIOLATIONS[name]?.violations ?? [], name);
    }
  });
}

test('the examples that break their declared schema validate against the next version', async () => {
  const files = [...(await examples('odcs')), ...(await examples('odps'))];
  for (const [name, known] of Object.entries(KNOWN_VIOLATIONS)) {
    const file = files.find((candidate) => candidate.name === name);
    assert.ok(file, name);
    const standard = name.endsWith('.odcs.yaml') ? 'odcs' : 'odps';
    const upgraded = file.text.replace(/^apiVersion: .*$/m, `apiVersion: ${known.newer}`);
    const { source } = parseYaml(upgraded, name);
    assert.ok(source);
    assert.deepEqual(validateStandard(source, standard), [], `${name} as ${known.newer}`);
  }
});

test('formatContract keeps every ODCS example losslessly and is idempotent', async () => {
  for (const { name, text } of await examples('odcs')) {
    const once = formatContract(text);
    assert.deepEqual(parse(once, { version: '1.2' }), parse(text, { version: '1.2' }), name);
    assert.equal(formatContract(once), once, `${name} is stable`);
  }
});
