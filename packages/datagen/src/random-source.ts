/**
 * A small, fast, seeded pseudo-random source (sfc32, seeded through splitmix32). It drives every
 * bulk column of the generated data, so the same seed always gives the same bytes. It is not
 * cryptographic.
 */
export class RandomSource {
  #a: number;
  #b: number;
  #c: number;
  #d: number;

  private constructor(state: readonly [number, number, number, number]) {
    [this.#a, this.#b, this.#c, this.#d] = state;
  }

  /** A source whose whole sequence is fixed by `seed` (any finite number; fractions are truncated). */
  static create(seed: number): RandomSource {
    let state = Math.trunc(seed) >>> 0;
    const nextSeedWord = (): number => {
      state = (state + 0x9e3779b9) >>> 0;
      let z = state;
      z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
      z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
      return (z ^ (z >>> 15)) >>> 0;
    };
    const source = new RandomSource([nextSeedWord(), nextSeedWord(), nextSeedWord(), nextSeedWord()]);
    for (let round = 0; round < 12; round++) source.nextUint32();
    return source;
  }

  /** The next unsigned 32-bit integer. */
  nextUint32(): number {
    const a = this.#a;
    const b = this.#b;
    const c = this.#c;
    const d = this.#d;
    const t = (((a + b) | 0) + d) | 0;
    this.#d = (d + 1) | 0;
    this.#a = b ^ (b >>> 9);
    this.#b = (c + (c << 3)) | 0;
    const rotated = (c << 21) | (c >>> 11);
    this.#c = (rotated + t) | 0;
    return t >>> 0;
  }

  /** A float in [0, 1). */
  nextFloat(): number {
    return this.nextUint32() / 4294967296;
  }

  /** An integer in [0, bound), for bounds up to 2^32. */
  nextInt(bound: number): number {
    return Math.floor(this.nextFloat() * bound);
  }

  /** An integer in [min, max], both included. */
  nextIntBetween(min: number, max: number): number {
    return min + this.nextInt(max - min + 1);
  }

  /** An element of a non-empty list, uniformly. */
  pick<T>(values: readonly T[]): T {
    const value = values[this.nextInt(values.length)];
    if (value === undefined) throw new RangeError('cannot pick from an empty list');
    return value;
  }

  /**
   * An independent source seeded from this one: each generator gets its own stream, so adding
   * draws to one dataset does not shift the others.
   */
  fork(): RandomSource {
    return RandomSource.create(this.nextUint32());
  }
}
