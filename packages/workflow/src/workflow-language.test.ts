import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fakeClock, resultOf, runYaml } from './workflow-test-support.ts';

test('assign writes nested map keys and list items, each assignment seeing the previous', async () => {
  const result = await resultOf(`
main:
  steps:
    - init:
        assign:
          - m: {a: {b: 1}, list: [1, 2, 3]}
          - m.a.c: 2
          - m["a"]["b"]: \${m.a.b + 10}
          - i: 1
          - m.list[i]: 20
          - m.new: "x"
    - done:
        return: \${m}
`);
  assert.deepEqual(result, { a: { b: 11, c: 2 }, list: [1, 20, 3], new: 'x' });
});

test('switch takes the first true condition; next jumps, ends and loops', async () => {
  const result = await resultOf(`
- init:
    assign:
      - n: 0
      - log: []
- loop:
    switch:
      - condition: \${n >= 3}
        next: finish
      - condition: \${n % 2 == 0}
        assign:
          - log: \${list.concat(log, "even")}
      - condition: true
        steps:
          - odd:
              assign:
                - log: \${list.concat(log, "odd")}
- bump:
    assign:
      - n: \${n + 1}
    next: loop
- finish:
    return: \${log}
`);
  assert.deepEqual(result, ['even', 'odd', 'even']);
  assert.equal(await resultOf('- a:\n    next: end\n- b:\n    return: 1\n'), null);
});

test('for loops over lists, map keys and inclusive ranges, with index, break and continue', async () => {
  const result = await resultOf(`
main:
  params: [args]
  steps:
    - init:
        assign:
          - total: 0
          - seen: []
          - m: {b: 2, a: 1}
    - overList:
        for:
          value: v
          index: i
          in: [10, 20, 30, 40]
          steps:
            - skip:
                switch:
                  - condition: \${i == 1}
                    next: continue
                  - condition: \${v == 40}
                    next: break
            - add:
                assign:
                  - total: \${total + v}
    - overKeys:
        for:
          value: k
          in: \${keys(m)}
          steps:
            - note:
                assign:
                  - seen: \${list.concat(seen, k + "=" + string(m[k]))}
    - overRange:
        for:
          value: r
          range: [1, 4]
          steps:
            - add:
                assign:
                  - total: \${total + r}
    - done:
        return: {total: "\${total}", seen: "\${seen}"}
`);
  assert.deepEqual(result, { total: 10 + 30 + 1 + 2 + 3 + 4, seen: ['b=2', 'a=1'] });
});

test('variables created in a loop body are local to it; outer ones are updated', async () => {
  const outcome = await runYaml(`
- init:
    assign:
      - outer: 0
- loop:
    for:
      value: v
      in: [1, 2]
      steps:
        - inner:
            assign:
              - created: \${v}
              - outer: \${outer + v}
- after:
    return: \${created}
`);
  assert.equal(outcome.kind, 'failed');
  assert.deepEqual(outcome.kind === 'failed' && outcome.raised, {
    message: "variable 'created' is not assigned (at workflow.yaml:15:13, expression column 1)",
    tags: ['KeyError'],
  });
  assert.equal(
    await resultOf(`
- init:
    assign:
      - outer: 0
- loop:
    for:
      value: v
      in: [1, 2]
      steps:
        - inner:
            assign:
              - outer: \${outer + v}
- after:
    return: \${outer}
`),
    3,
  );
});

test('subworkflows take params with defaults and are called by steps and in expressions', async () => {
  const result = await resultOf(
    `
main:
  params: [args]
  steps:
    - call:
        call: greet
        args:
          name: \${args.who}
        result: first
    - done:
        return: ["\${first}", '\${greet("Ann", "Hi")}', "\${fact(5)}"]
greet:
  params: [name, greeting: Hello]
  steps:
    - r:
        return: \${greeting + ", " + name}
fact:
  params: [n]
  steps:
    - base:
        switch:
          - condition: \${n <= 1}
            return: 1
    - rec:
        return: \${n * fact(n - 1)}
`,
    { args: { who: 'Bob' } },
  );
  assert.deepEqual(result, ['Hello, Bob', 'Hi, Ann', 120]);
});

test('raise of strings and maps, caught by except as, and uncaught raise fails with the map', async () => {
  const caught = await resultOf(`
- t1:
    try:
      raise: plain text
    except:
      as: e
      steps:
        - keep:
            assign:
              - first: \${e}
- t2:
    try:
      steps:
        - bad:
            raise:
              code: 55
              message: custom
              tags: [MyError]
    except:
      as: e
      steps:
        - r:
            return: ["\${first}", "\${e.code}", '\${"MyError" in e.tags}']
`);
  assert.deepEqual(caught, ['plain text', 55, true]);
  const failed = await runYaml('- boom:\n    raise:\n      code: 7\n      message: no\n');
  assert.equal(failed.kind, 'failed');
  assert.equal(failed.kind === 'failed' && failed.step, 'boom');
  assert.deepEqual(failed.kind === 'failed' && failed.raised, { code: 7, message: 'no' });
  assert.equal(failed.kind === 'failed' && failed.error.code, 'QUANTA_WORKFLOW_FAILED');
});

test('runtime type errors are catchable maps carrying file:line:col and the expression column', async () => {
  const result = await resultOf(`
- t:
    try:
      steps:
        - bad:
            assign:
              - x: \${"1" + 1}
    except:
      as: e
      steps:
        - r:
            return: \${e}
`);
  assert.deepEqual(result, {
    message:
      'unsupported operand types for +: string and integer (at workflow.yaml:7:20, expression column 1)',
    tags: ['TypeError'],
  });
});

test('retry re-runs the body with backoff on a fake clock until the predicate says stop', async () => {
  const clock = fakeClock();
  const result = await resultOf(
    `
main:
  steps:
    - init:
        assign:
          - attempts: 0
    - flaky:
        try:
          steps:
            - count:
                assign:
                  - attempts: \${attempts + 1}
            - fail:
                switch:
                  - condition: \${attempts < 4}
                    raise: {code: 503, message: unavailable}
        retry:
          predicate: \${only503}
          max_retries: 5
          backoff:
            initial_delay: 2
            max_delay: 10
            multiplier: 3
    - done:
        return: \${attempts}
only503:
  params: [e]
  steps:
    - check:
        return: \${e.code == 503}
`,
    { clock },
  );
  assert.equal(result, 4);
  assert.deepEqual(clock.sleeps, [2000, 6000, 10000]);
});

test('named retry policies: http.default_retry retries 503 five times, retry.never not at all', async () => {
  const clock = fakeClock();
  const outcome = await runYaml(
    `
- t:
    try:
      raise: {code: 503, message: down, tags: [HttpError]}
    retry: \${http.default_retry}
`,
    { clock },
  );
  assert.equal(outcome.kind, 'failed');
  assert.deepEqual(clock.sleeps, [1000, 1250, 1562.5, 1953.125, 2441.40625]);
  const never = fakeClock();
  const caught = await resultOf(
    `
- t:
    try:
      raise: {code: 503, message: down}
    retry:
      predicate: \${retry.never}
      max_retries: 3
    except:
      as: e
      steps:
        - r:
            return: \${e.message}
`,
    { clock: never },
  );
  assert.equal(caught, 'down');
  assert.deepEqual(never.sleeps, []);
  const nonIdempotent = fakeClock();
  await runYaml(
    `
- t:
    try:
      raise: {code: 502, message: bad gateway}
    retry: \${http.default_retry_non_idempotent}
`,
    { clock: nonIdempotent },
  );
  assert.deepEqual(nonIdempotent.sleeps, []);
});

test('parallel branches write shared variables; branch-local variables stay local', async () => {
  const result = await resultOf(`
- init:
    assign:
      - total: 0
      - names: []
- fan:
    parallel:
      shared: [total, names]
      branches:
        - one:
            steps:
              - a:
                  assign:
                    - local: 1
                    - total: \${total + 1}
                    - names: \${list.concat(names, "one")}
        - two:
            steps:
              - b:
                  call: sys.sleep
                  args:
                    seconds: 1
              - c:
                  assign:
                    - total: \${total + 10}
                    - names: \${list.concat(names, "two")}
- done:
    return: ["\${total}", "\${names}", '\${"local" in names}']
`);
  assert.deepEqual(result, [11, ['one', 'two'], false]);
});

test('parallel for with concurrency_limit runs every iteration', async () => {
  const result = await resultOf(`
- init:
    assign:
      - sum: 0
- fan:
    parallel:
      shared: [sum]
      concurrency_limit: 2
      for:
        value: v
        in: [1, 2, 3, 4, 5]
        steps:
          - add:
              assign:
                - sum: \${sum + v}
- done:
    return: \${sum}
`);
  assert.equal(result, 15);
});

test('an unhandled branch error fails the parallel step after the others; continueAll runs them all', async () => {
  const stop = await resultOf(`
- init:
    assign:
      - done: []
- t:
    try:
      parallel:
        shared: [done]
        concurrency_limit: 1
        for:
          value: v
          in: [1, 2, 3]
          steps:
            - check:
                switch:
                  - condition: \${v == 2}
                    raise: {message: two, tags: [Two]}
            - mark:
                assign:
                  - done: \${list.concat(done, v)}
    except:
      as: e
      steps:
        - r:
            return: ["\${done}", "\${e.tags}", "\${e.branches}"]
`);
  assert.deepEqual(stop, [
    [1],
    ['UnhandledBranchError'],
    [{ id: 1, error: { message: 'two', tags: ['Two'] } }],
  ]);
  const all = await resultOf(`
- init:
    assign:
      - done: []
- t:
    try:
      parallel:
        shared: [done]
        exception_policy: continueAll
        concurrency_limit: 1
        for:
          value: v
          in: [1, 2, 3]
          steps:
            - check:
                switch:
                  - condition: \${v == 2}
                    raise: two
            - mark:
                assign:
                  - done: \${list.concat(done, v)}
    except:
      as: e
      steps:
        - r:
            return: ["\${done}", "\${len(e.branches)}"]
`);
  assert.deepEqual(all, [[1, 3], 1]);
});

test('an infinite loop stops at the step limit with a ResourceLimitError nobody can catch', async () => {
  const outcome = await runYaml(
    `
- t:
    try:
      steps:
        - spin:
            next: spin
    except:
      steps:
        - r:
            return: caught
`,
    { maxSteps: 500 },
  );
  assert.equal(outcome.kind, 'failed');
  assert.equal(outcome.kind === 'failed' && outcome.step, 'spin');
  assert.deepEqual(outcome.kind === 'failed' && outcome.raised, {
    message: 'the run exceeded 500 steps (Cloud Workflows allows 100,000): a loop that never ends?',
    tags: ['ResourceLimitError'],
  });
});

test('deep recursion stops at the call depth limit with a RecursionError', async () => {
  const outcome = await runYaml(`
main:
  steps:
    - go:
        return: \${down(0)}
down:
  params: [n]
  steps:
    - r:
        return: \${down(n + 1)}
`);
  assert.equal(outcome.kind, 'failed');
  assert.deepEqual(outcome.kind === 'failed' && outcome.raised, {
    message: "maximum call depth of 20 exceeded calling 'down' (at workflow.yaml:10:17, expression column 1)",
    tags: ['RecursionError'],
  });
});

test('a variable over 512 KB raises a ResourceLimitError', async () => {
  const outcome = await runYaml(`
- big:
    assign:
      - s: \${text.replace_all(text.substring("${'x'.repeat(1000)}", 0, 1000), "x", "${'y'.repeat(600)}")}
`);
  assert.equal(outcome.kind, 'failed');
  assert.match(
    outcome.kind === 'failed' ? outcome.error.message : '',
    /^ResourceLimitError: variable 's' would hold 600002 bytes/,
  );
});
