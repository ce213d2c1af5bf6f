import type { RandomSource } from './random-source.ts';

/** How often a value comes up, relative to the other values of the same picker. */
export interface Weighted<T> {
  readonly value: T;
  readonly weight: number;
}

const TABLE_BITS = 12;

/**
 * Picks values by weight in constant time, through a precomputed lookup table of 4096 slots
 * (weights are rounded to 1/4096). Made for the per-row hot loop of the generators.
 */
export class WeightedPicker<T> {
  readonly #table: readonly T[];

  private constructor(table: readonly T[]) {
    this.#table = table;
  }

  /** A picker over weighted values; every weight must be positive. */
  static create<T>(entries: readonly Weighted<T>[]): WeightedPicker<T> {
    const total = entries.reduce((sum, entry) => sum + entry.weight, 0);
    if (entries.length === 0 || !(total > 0) || entries.some((entry) => !(entry.weight > 0))) {
      throw new RangeError('a weighted picker needs at least one value, each with a positive weight');
    }
    const size = 1 << TABLE_BITS;
    const table: T[] = [];
    let cumulative = 0;
    for (const entry of entries) {
      cumulative += entry.weight;
      const end = Math.round((cumulative / total) * size);
      while (table.length < end) table.push(entry.value);
    }
    return new WeightedPicker(table);
  }

  /** A value drawn from `random`, with the declared weights. */
  pick(random: RandomSource): T {
    return this.#table[random.nextUint32() >>> (32 - TABLE_BITS)] as T;
  }
}
