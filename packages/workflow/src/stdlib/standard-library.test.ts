import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import type { JsonValue } from '@quanta/model';
import { fakeClock, resultOf, runYaml } from '../workflow-test-support.ts';

const expression = (text: string, env: Record<string, string> = {}): Promise<JsonValue> =>
  resultOf(`- r:\n    return: '\${${text.replaceAll("'", "''")}}'\n`, { env });

test('expression helpers: default, if, keys, len, int, double, string, bool, type', async () => {
  assert.deepEqual(
    await expression(
      '[default(null, 1), default(2, 1), if(1 > 2, "a", "b"), keys({"x": 1}), len("héllo"), len([1, 2]), len({"a": 1})]',
    ),
    [1, 2, 'b', ['x'], 5, 2, 1],
  );
  assert.deepEqual(
    await expression(
      '[int("42"), int(2.9), double("2.5"), string(7), string(true), bool("TRUE"), type(1), type(1.5), type("s"), type(null), type([]), type({})]',
    ),
    [42, 2, 2.5, '7', 'true', true, 'integer', 'double', 'string', 'null', 'list', 'map'],
  );
  const outcome = await runYaml(`- r:\n    return: \${int("x1")}\n`);
  assert.deepEqual(outcome.kind === 'failed' && outcome.raised, {
    message: "int() cannot convert 'x1' (at workflow.yaml:2:13, expression column 1)",
    tags: ['ValueError'],
  });
});

test('text module', async () => {
  assert.deepEqual(
    await expression(
      '[text.find_all("banana", "an"), text.find_all_regex("a1b22", "[0-9]+"), text.match_regex("abc", "^a.c$"), text.replace_all("a-b-c", "-", "+"), text.replace_all_regex("2024-01-31", "(\\\\d+)-(\\\\d+)-(\\\\d+)", "\\\\3/\\\\2/\\\\1"), text.split("a,b,,c", ","), text.substring("héllo", 1, 3), text.to_upper("abc"), text.to_lower("ABC"), text.url_encode("a b&c"), text.url_decode("a%20b"), text.decode(text.encode("ünï"))]',
    ),
    [
      [
        { index: 1, match: 'an' },
        { index: 3, match: 'an' },
      ],
      [
        { index: 1, match: '1' },
        { index: 3, match: '22' },
      ],
      true,
      'a+b+c',
      '31/01/2024',
      ['a', 'b', '', 'c'],
      'él',
      'ABC',
      'abc',
      'a%20b%26c',
      'a b',
      'ünï',
    ],
  );
});

test('json, map, list and math modules', async () => {
  assert.deepEqual(
    await expression(
      '[json.decode("{\\"a\\": [1, 2]}"), json.encode_to_string({"b": 1}), json.decode(json.encode([true])), map.get({"a": {"b": 2}}, ["a", "b"]), map.get({"a": 1}, "z"), map.delete({"a": 1, "b": 2}, "a"), map.merge({"a": 1, "n": {"x": 1}}, {"n": {"y": 2}}), map.merge_nested({"a": 1, "n": {"x": 1}}, {"n": {"y": 2}}), list.concat([1], 2), list.prepend([1], 0), math.abs(-3), math.floor(2.7), math.max(1, 5), math.min(1, 5), math.sqrt(16)]',
    ),
    [
      { a: [1, 2] },
      '{"b":1}',
      [true],
      2,
      null,
      { b: 2 },
      { a: 1, n: { y: 2 } },
      { a: 1, n: { x: 1, y: 2 } },
      [1, 2],
      [0, 1],
      3,
      2,
      5,
      1,
      4,
    ],
  );
});

test('base64, hash, uuid, time and sys.get_env / sys.now on the injected clock and environment', async () => {
  const result = (await expression(
    '[base64.encode(text.encode("hi")), text.decode(base64.decode("aGk=")), base64.encode(hash.compute_checksum(text.encode("abc"), "SHA256")), base64.encode(hash.compute_hmac(text.encode("k"), text.encode("m"), "SHA256")), len(uuid.generate()), time.format(0), time.format(1704067200.5, "Europe/Paris"), time.parse("2024-01-01T00:00:00Z"), sys.now(), sys.get_env("REGION"), sys.get_env("NOPE", "fallback")]',
    { REGION: 'eu' },
  )) as JsonValue[];
  assert.deepEqual(result, [
    'aGk=',
    'hi',
    'ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=',
    'tgCQ4wUil661oICInOL8S8qVfnVvrrTffTGADKHncew=',
    36,
    '1970-01-01T00:00:00.000000Z',
    '2024-01-01T01:00:00.500000+01:00',
    1704067200,
    1704067200,
    'eu',
    'fallback',
  ]);
});

test('sys.sleep and sys.log are call steps; blocking calls in expressions are refused', async () => {
  const clock = fakeClock();
  const logged: JsonValue[] = [];
  const result = await resultOf(
    `
- nap:
    call: sys.sleep
    args:
      seconds: 90
- note:
    call: sys.log
    args:
      text: hello
      severity: INFO
- r:
    return: \${sys.now()}
`,
    { clock, log: (entry) => logged.push({ ...entry }) },
  );
  assert.equal(result, Date.UTC(2024, 0, 1) / 1000 + 90);
  assert.deepEqual(logged, [{ severity: 'INFO', data: 'hello' }]);
  const outcome = await runYaml('- r:\n    return: ${sys.sleep(1)}\n');
  assert.match(
    outcome.kind === 'failed' ? outcome.error.message : '',
    /^TypeError: sys.sleep is a blocking call/,
  );
});

test('http.* against a real local server: JSON bodies, query, headers, errors as HttpError maps', async () => {
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => {
      body += String(chunk);
    });
    request.on('end', () => {
      if (request.url?.startsWith('/missing')) {
        response.writeHead(404, { 'content-type': 'application/json' });
        response.end('{"error":"nope"}');
        return;
      }
      response.writeHead(200, {
        'content-type': 'application/json',
        'x-seen': String(request.headers['x-token']),
      });
      response.end(
        JSON.stringify({
          method: request.method,
          url: request.url,
          body: body === '' ? null : JSON.parse(body),
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const result = await resultOf(`
- get:
    call: http.get
    args:
      url: ${base}/items
      query: {page: 2}
      headers: {X-Token: abc}
      auth: {type: OIDC}
    result: got
- post:
    call: http.post
    args:
      url: ${base}/items
      body: {name: widget, n: 3}
    result: posted
- other:
    call: http.request
    args:
      method: PUT
      url: ${base}/items/1
      body: {n: 4}
    result: put
- missing:
    try:
      call: http.delete
      args:
        url: ${base}/missing
    except:
      as: e
      steps:
        - r:
            return: ["\${got.code}", "\${got.body}", '\${got.headers["x-seen"]}', "\${posted.body}", "\${put.body.method}", "\${e.code}", "\${e.tags}", "\${e.body}"]
`);
    assert.deepEqual(result, [
      200,
      { method: 'GET', url: '/items?page=2', body: null },
      'abc',
      { method: 'POST', url: '/items', body: { name: 'widget', n: 3 } },
      'PUT',
      404,
      ['HttpError'],
      { error: 'nope' },
    ]);
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const gone = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
  await new Promise((resolve) => closed.close(resolve));
  const refused = await runYaml(`- c:\n    call: http.get\n    args:\n      url: ${gone}/x\n`);
  assert.deepEqual(refused.kind === 'failed' && refused.raised, {
    message: `HTTP request to ${gone} failed: ECONNREFUSED`,
    tags: ['ConnectionFailedError'],
  });
});
