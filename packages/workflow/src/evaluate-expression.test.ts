import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveValue } from './evaluate-expression.ts';

const scope = new Map<string, import('@quanta/model').JsonValue>([
  ['handle', { kind: 'staged', rows: [10, 20], 'odd key': 'x' }],
  ['name', 'orders'],
]);

test('resolves whole-string expressions with member and index access', () => {
  assert.equal(resolveValue('${handle.rows[1]}', scope), 20);
  assert.equal(resolveValue('${handle["odd key"]}', scope), 'x');
  assert.equal(resolveValue("${handle['kind']}", scope), 'staged');
  assert.deepEqual(resolveValue({ nested: ['${name}', 'plain'] }, scope), { nested: ['orders', 'plain'] });
});

test('leaves text that is not entirely one expression alone', () => {
  assert.equal(resolveValue('table ${name}', scope), 'table ${name}');
  assert.equal(resolveValue(42, scope), 42);
});

test('names the missing member', () => {
  assert.throws(() => resolveValue('${handle.nothing}', scope), /no member "nothing"/);
  assert.throws(() => resolveValue('${handle.rows[5]}', scope), /no member 5/);
  assert.throws(() => resolveValue('${1abc}', scope), /expected a variable name/);
});
