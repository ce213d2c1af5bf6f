import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JsonValue } from '@quanta/model';
import { resolveValue } from './evaluate-expression.ts';
import { WorkflowError } from './workflow-error.ts';

const scope = new Map<string, JsonValue>([
  ['handle', { kind: 'staged', rows: [10, 20], 'odd key': 'x' }],
  ['name', 'orders'],
  ['n', 7],
  ['yes', true],
]);

const evaluate = (text: string): Promise<JsonValue> => resolveValue(`\${${text}}`, scope);

async function raised(text: string): Promise<JsonValue> {
  try {
    await evaluate(text);
  } catch (error) {
    assert.ok(error instanceof WorkflowError);
    return { ...(error.value as object), column: error.column ?? null };
  }
  throw new Error(`${text} did not raise`);
}

test('resolves whole-string expressions with member and index access', async () => {
  assert.equal(await resolveValue('${handle.rows[1]}', scope), 20);
  assert.equal(await resolveValue('${handle["odd key"]}', scope), 'x');
  assert.equal(await resolveValue("${handle['kind']}", scope), 'staged');
  assert.deepEqual(await resolveValue({ nested: ['${name}', 'plain'] }, scope), {
    nested: ['orders', 'plain'],
  });
});

test('leaves text that is not entirely one expression alone', async () => {
  assert.equal(await resolveValue('table ${name}', scope), 'table ${name}');
  assert.equal(await resolveValue(42, scope), 42);
});

test('arithmetic follows the documented precedence and division rules', async () => {
  assert.equal(await evaluate('1 + 2 * 3'), 7);
  assert.equal(await evaluate('(1 + 2) * 3'), 9);
  assert.equal(await evaluate('7 / 2'), 3.5);
  assert.equal(await evaluate('7 // 2'), 3);
  assert.equal(await evaluate('-7 // 2'), -4);
  assert.equal(await evaluate('7 % 3'), 1);
  assert.equal(await evaluate('-7 % 3'), 2);
  assert.equal(await evaluate('10 - 2 - 3'), 5);
  assert.equal(await evaluate('-n + 1'), -6);
  assert.equal(await evaluate('2.5 * 2'), 5);
  assert.equal(await evaluate('"a" + "b"'), 'ab');
});

test('comparison, membership and logic', async () => {
  assert.equal(await evaluate('n > 3 and n <= 7'), true);
  assert.equal(await evaluate('n == 7.0'), true);
  assert.equal(await evaluate('n != 7 or name == "orders"'), true);
  assert.equal(await evaluate('"b" < "c"'), true);
  assert.equal(await evaluate('20 in handle.rows'), true);
  assert.equal(await evaluate('"kind" in handle'), true);
  assert.equal(await evaluate('"nope" in handle'), false);
  assert.equal(await evaluate('not yes'), false);
  assert.equal(await evaluate('NOT false AND TRUE'), true);
  assert.equal(await evaluate('false and missing'), false);
  assert.equal(await evaluate('true or missing'), true);
  assert.deepEqual(await evaluate('[1, {"a": n}, null]'), [1, { a: 7 }, null]);
  assert.deepEqual(await evaluate('{"k": [1, 2]}["k"][0]'), 1);
});

test('no implicit conversion: type errors are maps with the column', async () => {
  assert.deepEqual(await raised('"1" + 1'), {
    message: 'unsupported operand types for +: string and integer',
    tags: ['TypeError'],
    column: 1,
  });
  assert.deepEqual(await raised('n * (name - 1)'), {
    message: 'unsupported operand types for -: string and integer',
    tags: ['TypeError'],
    column: 6,
  });
  assert.deepEqual(await raised('yes and 1'), {
    message: '`and` needs booleans, got integer',
    tags: ['TypeError'],
    column: 9,
  });
  assert.deepEqual(await raised('not 1'), {
    message: '`not` needs a boolean, got integer',
    tags: ['TypeError'],
    column: 1,
  });
  assert.deepEqual(await raised('1 < "a"'), {
    message: '`<` cannot compare integer with string',
    tags: ['TypeError'],
    column: 1,
  });
  assert.deepEqual(await raised('n / 0'), {
    message: 'division by zero in `/`',
    tags: ['ZeroDivisionError'],
    column: 1,
  });
});

test('missing keys, indexes and variables raise KeyError and IndexError', async () => {
  assert.deepEqual(await raised('handle.nothing'), {
    message: 'key not found: nothing',
    tags: ['KeyError'],
    column: 1,
  });
  assert.deepEqual(await raised('handle.rows[5]'), {
    message: 'list index 5 out of range (length 2)',
    tags: ['IndexError'],
    column: 13,
  });
  assert.deepEqual(await raised('x + 1'), {
    message: "variable 'x' is not assigned",
    tags: ['KeyError'],
    column: 1,
  });
});

test('syntax errors are ValueErrors with the column', async () => {
  assert.deepEqual(await raised('1abc'), {
    message: "syntax error: unexpected 'abc'",
    tags: ['ValueError'],
    column: 2,
  });
  assert.deepEqual(await raised('(1 + 2'), {
    message: 'syntax error: expected `)`, got the end of the expression',
    tags: ['ValueError'],
    column: 7,
  });
  assert.deepEqual(await raised('"open'), {
    message: 'unterminated string literal in expression',
    tags: ['ValueError'],
    column: 1,
  });
});
