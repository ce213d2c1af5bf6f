import { createHash } from 'node:crypto';

/** Mask functions, weakest first: when several policies mask a column, the strongest wins. */
export const MASK_FUNCTIONS = ['partial', 'hash', 'redact', 'null'] as const;

/** One of {@link MASK_FUNCTIONS}. */
export type MaskFunction = (typeof MASK_FUNCTIONS)[number];

/** The session macro computing the keyed hash; consumers may not call it (the gateway refuses `quanta_*`). */
export const HASH_MACRO_NAME = 'quanta_mask_hash';

/** A SQL macro the read session defines before it is locked. */
export interface MaskMacro {
  readonly name: string;
  readonly parameters: readonly string[];
  readonly body: string;
}

/** True when `value` names a mask function. */
export function isMaskFunction(value: string): value is MaskFunction {
  return (MASK_FUNCTIONS as readonly string[]).includes(value);
}

/** The strongest of several masks (`null` > `redact` > `hash` > `partial`). */
export function strongestMask(masks: readonly MaskFunction[]): MaskFunction | undefined {
  let strongest: MaskFunction | undefined;
  for (const mask of masks) {
    if (strongest === undefined || MASK_FUNCTIONS.indexOf(mask) > MASK_FUNCTIONS.indexOf(strongest))
      strongest = mask;
  }
  return strongest;
}

/**
 * The SQL expression that replaces a column: `null` keeps the type, `hash` is HMAC-SHA256 under
 * the mesh secret (equal values stay joinable), `partial` keeps the last 4 characters, `redact`
 * writes a constant. NULL stays NULL for every mask but `null`.
 */
export function maskExpression(mask: MaskFunction, column: { name: string; type: string }): string {
  const name = quoteSqlIdentifier(column.name);
  const text = `CAST(${name} AS VARCHAR)`;
  switch (mask) {
    case 'null':
      return `CAST(NULL AS ${column.type})`;
    case 'hash':
      return `${HASH_MACRO_NAME}(${text})`;
    case 'partial':
      // One vectorized call, no CASE: lpad of NULL is NULL, and short values come back unmasked
      // in length (the last 4 characters are all there is).
      return `lpad(right(${text}, 4), CAST(length(${text}) AS INTEGER), '*')`;
    case 'redact':
      return `CASE WHEN ${name} IS NULL THEN NULL ELSE '[REDACTED]' END`;
  }
}

/**
 * The keyed hash as a SQL macro: HMAC-SHA256 (RFC 2104) of the value's UTF-8 bytes, written with
 * DuckDB's `sha256` over blobs so that it runs vectorized. The key never appears in a query.
 */
export function hashMaskMacro(secret: Buffer): MaskMacro {
  const key = secret.length > 64 ? createHash('sha256').update(secret).digest() : secret;
  const block = Buffer.alloc(64);
  key.copy(block);
  const pad = (byte: number): string => Buffer.from(block.map((value) => value ^ byte)).toString('hex');
  return {
    name: HASH_MACRO_NAME,
    parameters: ['v'],
    body: `sha256(unhex('${pad(0x5c)}') || unhex(sha256(unhex('${pad(0x36)}') || encode(v))))`,
  };
}

/** Double-quotes an identifier for DuckDB. */
export function quoteSqlIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** Single-quotes a string literal for DuckDB. */
export function quoteSqlLiteral(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}
