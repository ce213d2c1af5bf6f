import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { SerialQueue } from './serial-queue.ts';

test('runs tasks one at a time in order, and goes on after a failure', async () => {
  const queue = new SerialQueue();
  const log: string[] = [];
  const task = (name: string, ms: number) => async () => {
    log.push(`start ${name}`);
    await sleep(ms);
    log.push(`end ${name}`);
    return name;
  };
  const failing = queue.run(async () => {
    throw new Error('boom');
  });
  const results = Promise.all([queue.run(task('a', 20)), queue.run(task('b', 1))]);
  await assert.rejects(failing, /boom/);
  assert.deepEqual(await results, ['a', 'b']);
  assert.deepEqual(log, ['start a', 'end a', 'start b', 'end b']);
});
