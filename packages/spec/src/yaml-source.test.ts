import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseDocument } from 'yaml';
import { parseYaml } from './yaml-source.ts';

const CONTRACT = `apiVersion: v3.1.0
kind: DataContract
id: orders
version: 1.0.0
status: active
schema:
  - name: orders
    properties:
      - name: order_id
        logicalType: string
        required: true
      - name: placed_on
        logicalType: date
        examples: [2022-10-03, 0x1F, 0o17, .inf, ~, "yes", no]
`;

describe('parseYaml', () => {
  test('gives the same data as a YAML 1.2 core-schema parse (dates and yes/no stay strings)', () => {
    const parsed = parseYaml(CONTRACT, 'orders.yaml');
    assert.deepEqual(parsed.findings, []);
    assert.deepEqual(parsed.source?.data, parseDocument(CONTRACT, { version: '1.2', schema: 'core' }).toJS());
    const data = parsed.source?.data as { schema: { properties: { examples?: unknown[] }[] }[] };
    const examples = data.schema[0]?.properties[1]?.examples;
    assert.deepEqual(examples, ['2022-10-03', 31, 15, Number.POSITIVE_INFINITY, null, 'yes', 'no']);
  });

  test('locates keys and values at their line and column', () => {
    const source = parseYaml(CONTRACT, 'orders.yaml').source;
    assert.ok(source);
    assert.deepEqual(
      { ...source.locate(['schema', 0, 'properties', 1, 'logicalType']) },
      {
        file: 'orders.yaml',
        line: 13,
        col: 22,
      },
    );
    assert.deepEqual(
      { ...source.locate(['status'], { key: true }) },
      { file: 'orders.yaml', line: 5, col: 1 },
    );
    assert.deepEqual(
      { ...source.locate(['schema', 0, 'missing']) },
      { file: 'orders.yaml', line: 7, col: 5 },
    );
  });

  test('duplicate keys and malformed YAML are findings with their position', () => {
    const duplicate = parseYaml('id: a\nname: x\nid: b\n', 'dup.yaml');
    assert.equal(duplicate.source, undefined);
    assert.equal(duplicate.findings[0]?.code, 'QUANTA_YAML_MALFORMED');
    assert.deepEqual(duplicate.findings[0]?.location, { file: 'dup.yaml', line: 3, col: 1 });
    const unclosed = parseYaml('id: "a\nname: x\n', 'bad.yaml');
    assert.equal(unclosed.findings[0]?.code, 'QUANTA_YAML_MALFORMED');
  });

  test('an alias bomb is refused, not expanded', () => {
    const levels = ['a: &a ["x", "x", "x", "x", "x", "x", "x", "x", "x"]'];
    for (let level = 1; level < 9; level += 1) {
      const previous = String.fromCharCode(96 + level);
      const name = String.fromCharCode(97 + level);
      levels.push(`${name}: &${name} [${Array(9).fill(`*${previous}`).join(', ')}]`);
    }
    assert.throws(() => parseYaml(`${levels.join('\n')}\n`, 'bomb.yaml'), /alias/i);
  });
});
