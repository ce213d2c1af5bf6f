import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  compareValues,
  estimateDistinct,
  mergeMoments,
  mergeRegisters,
  registersOf,
} from './profile-sketch.ts';

test('numbers compare exactly, whether they arrive as numbers, DECIMAL text or big integers', () => {
  assert.ok(compareValues('2.49', 2.5, 'number') < 0);
  assert.ok(compareValues('-0.5', '-0.25', 'number') < 0);
  assert.ok(compareValues('9007199254740993', '9007199254740992', 'number') > 0);
  assert.equal(compareValues('11.00', 11, 'number'), 0);
  // Text by UTF-8 bytes, as DuckDB's binary collation: U+FFFD sorts before an astral character.
  assert.ok(compareValues('\uFFFD', '😀', 'other') < 0);
  assert.ok(compareValues(false, true, 'other') < 0);
});

test("Chan's merge of two batches' moments equals the moments of all the values", () => {
  const values = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5];
  const moments = (list: number[]) => {
    const mean = list.reduce((sum, value) => sum + value, 0) / list.length;
    const squares = list.reduce((sum, value) => sum + (value - mean) ** 2, 0);
    return { count: list.length, mean, stddev: Math.sqrt(squares / (list.length - 1)) };
  };
  const merged = mergeMoments(moments(values.slice(0, 4)), moments(values.slice(4)));
  const whole = moments(values);
  assert.equal(merged.count, whole.count);
  assert.ok(Math.abs((merged.mean ?? 0) - whole.mean) < 1e-12);
  assert.ok(Math.abs((merged.stddev ?? 0) - whole.stddev) < 1e-12);
  assert.deepEqual(mergeMoments({ count: 0 }, moments([2, 4])), moments([2, 4]));
});

test('registers merge by max; no value estimates zero distinct values', () => {
  const empty = registersOf(null);
  assert.equal(estimateDistinct(empty), 0);
  const bits = (slots: number[]) => {
    const text = Array.from({ length: 2048 * 64 }, () => '0');
    for (const slot of slots) text[slot] = '1';
    return text.join('');
  };
  const a = registersOf(bits([1, 64 + 3]));
  const b = registersOf(bits([2, 128 + 1]));
  const merged = Buffer.from(mergeRegisters(a, b), 'base64');
  assert.deepEqual([...merged.subarray(0, 4)], [2, 3, 1, 0]);
  assert.equal(estimateDistinct(mergeRegisters(a, b)), 3);
});
