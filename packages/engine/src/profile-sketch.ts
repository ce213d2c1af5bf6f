import type { JsonValue } from '@quanta/model';

/** HyperLogLog registers per column: 2^11, a standard error of 1.04 / √2048 ≈ 2.3 %. */
const REGISTER_BITS = 11;
const REGISTERS = 1 << REGISTER_BITS;
/** Bits of a register's slot in the bitstring: rank 1..54 fits in 64. */
const RANK_SLOTS = 64;
/** The hash bits left after the register index, capped so the rank is at most 54. */
const RANK_BITS = 53;

/**
 * The aggregate computing a column's HyperLogLog registers in the profile's scan, from DuckDB's
 * 64-bit `hash`: the low 11 bits pick the register, the rank is 1 + the trailing zeros of the
 * next 53. DuckDB has no register-wise max aggregate, so each (register, rank) pair sets one
 * bit of a bitstring and {@link registersOf} keeps each register's highest rank. The registers
 * of two batches merge by taking the max per register, exactly the registers of their union.
 */
export function registersAggregate(name: string): string {
  const hashed = `hash(${name})`;
  const rest = `((${hashed} >> ${REGISTER_BITS}) | (1::UBIGINT << ${RANK_BITS}))`;
  const rank = `bit_count(xor(${rest}, ${rest} - 1))::INTEGER`;
  const slot = `((${hashed} & ${REGISTERS - 1})::INTEGER * ${RANK_SLOTS} + ${rank})`;
  return `bitstring_agg(${slot}, 0, ${REGISTERS * RANK_SLOTS - 1}) FILTER (WHERE ${name} IS NOT NULL)::VARCHAR`;
}

/** The registers (one byte each, base64) from the bitstring of {@link registersAggregate}; all zero for no value. */
export function registersOf(bits: JsonValue | undefined): string {
  const registers = new Uint8Array(REGISTERS);
  if (typeof bits === 'string') {
    for (let index = 0; index < REGISTERS; index += 1) {
      const start = index * RANK_SLOTS;
      const last = bits.lastIndexOf('1', start + RANK_SLOTS - 1);
      if (last >= start) registers[index] = last - start;
    }
  }
  return Buffer.from(registers).toString('base64');
}

/** The registers of a union of batches: the max of each register. */
export function mergeRegisters(a: string, b: string): string {
  const left = Buffer.from(a, 'base64');
  const right = Buffer.from(b, 'base64');
  const merged = new Uint8Array(REGISTERS);
  for (let index = 0; index < REGISTERS; index += 1)
    merged[index] = Math.max(left[index] ?? 0, right[index] ?? 0);
  return Buffer.from(merged).toString('base64');
}

/** True for registers this engine computed (a merge needs registers of the same scheme). */
export function isRegisters(value: unknown): value is string {
  return typeof value === 'string' && Buffer.from(value, 'base64').length === REGISTERS;
}

/**
 * The distinct count the registers estimate (Flajolet et al.'s HyperLogLog), with linear
 * counting while registers are still empty below 2.5 m: small counts come out exact or nearly.
 */
export function estimateDistinct(registers: string): number {
  const values = Buffer.from(registers, 'base64');
  let sum = 0;
  let empty = 0;
  for (const value of values) {
    sum += 2 ** -value;
    if (value === 0) empty += 1;
  }
  const alpha = 0.7213 / (1 + 1.079 / REGISTERS);
  const raw = (alpha * REGISTERS * REGISTERS) / sum;
  if (raw <= 2.5 * REGISTERS && empty > 0) return Math.round(REGISTERS * Math.log(REGISTERS / empty));
  return Math.round(raw);
}

/** Count, mean and sample standard deviation of a batch: what Chan et al.'s merge needs. */
export interface Moments {
  readonly count: number;
  readonly mean?: number;
  readonly stddev?: number;
}

/**
 * The moments of two batches together (Chan, Golub and LeVeque's parallel variance): exact up
 * to floating-point rounding, without reading either batch again.
 */
export function mergeMoments(a: Moments, b: Moments): Moments {
  if (a.count === 0 || a.mean === undefined) return b;
  if (b.count === 0 || b.mean === undefined) return a;
  const count = a.count + b.count;
  const delta = b.mean - a.mean;
  const mean = a.mean + (delta * b.count) / count;
  const squares = (moments: Moments) => (moments.stddev ?? 0) ** 2 * (moments.count - 1);
  const m2 = squares(a) + squares(b) + (delta * delta * a.count * b.count) / count;
  return { count, mean, ...(count > 1 ? { stddev: Math.sqrt(m2 / (count - 1)) } : {}) };
}

/**
 * Orders two profile values the way DuckDB orders the column: numbers (big integers arrive as
 * text) by value, dates and timestamps by their ISO text, other text by UTF-8 bytes (DuckDB's
 * binary collation), booleans false first.
 */
export function compareValues(a: JsonValue, b: JsonValue, family: 'number' | 'other'): number {
  if (family === 'number') {
    if (typeof a === 'number' && typeof b === 'number') return a - b;
    const [x, y] = [decimalParts(a), decimalParts(b)];
    if (!x || !y) return Number(a) - Number(b);
    const scale = Math.max(x.fraction.length, y.fraction.length);
    const [p, q] = [x, y].map((part) => BigInt(`${part.whole}${part.fraction.padEnd(scale, '0')}`));
    return p === undefined || q === undefined ? 0 : p < q ? -1 : p > q ? 1 : 0;
  }
  if (typeof a === 'boolean' || typeof b === 'boolean') return Number(a) - Number(b);
  return Buffer.compare(Buffer.from(String(a)), Buffer.from(String(b)));
}

/** A number's digits, exactly: big integers and DECIMAL values arrive as text. */
function decimalParts(value: JsonValue): { whole: string; fraction: string } | undefined {
  const match = /^(-?[0-9]+)(?:\.([0-9]+))?$/.exec(String(value));
  return match ? { whole: match[1] ?? '0', fraction: match[2] ?? '' } : undefined;
}
