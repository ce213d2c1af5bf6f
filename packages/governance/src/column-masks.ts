import { createHash } from 'node:crypto';
import type { ColumnSpec } from '@quanta/model';

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

/** How a precomputed hash column of a mask sidecar is named: `__quanta_hash__<column>` (ADR 019). */
export const PRECOMPUTED_HASH_PREFIX = '__quanta_hash__';

/** Names Quanta reserves in a view reading a sidecar: a snapshot with such a column gets none. */
const RESERVED_COLUMN_PREFIX = '__quanta_';

/**
 * The version of what a sidecar holds: {@link hashMaskMacro}'s HMAC-SHA256 of the value's text.
 * Changing the macro must change it, so that sidecars built by the old one stop being used.
 */
const SIDECAR_SCHEME = 'quanta/mask-sidecar/v1';

/** Classifications whose columns a sidecar precomputes, besides columns tagged `pii`. */
const PRECOMPUTED_CLASSIFICATIONS: ReadonlySet<string> = new Set(['restricted', 'confidential']);

/** What a snapshot's mask sidecar precomputes, and the name it is found under (ADR 019). */
export interface MaskSidecarPlan {
  /** Columns hashed ahead of time, in the snapshot's order. */
  readonly columns: readonly string[];
  /** The key's and the columns' fingerprint: another key or other columns give another file. */
  readonly fingerprint: string;
  readonly columnPrefix: string;
  /** The keyed hash, as the gateway computes it at query time. */
  readonly macro: MaskMacro;
}

/**
 * A short public name of the mask key: the first 16 hex digits of SHA-256 over a
 * domain-separated input. It tells keys apart and reveals nothing of the key.
 */
export function maskKeyFingerprint(secret: Buffer): string {
  return createHash('sha256')
    .update('quanta/mask-key-fingerprint/v1\0')
    .update(secret)
    .digest('hex')
    .slice(0, 16);
}

/**
 * The columns a snapshot's mask sidecar covers: those the port's contract classifies
 * `restricted` or `confidential`, or tags `pii` (the ones policies hash), that the snapshot has.
 * None when a snapshot column could be mistaken for one of the sidecar's (`__quanta_*`).
 */
export function maskSidecarColumns(
  portColumns: readonly ColumnSpec[],
  snapshotColumns: readonly { readonly name: string }[],
): string[] {
  if (snapshotColumns.some((column) => column.name.startsWith(RESERVED_COLUMN_PREFIX))) return [];
  const covered = new Set(
    portColumns
      .filter(
        (column) =>
          PRECOMPUTED_CLASSIFICATIONS.has((column.classification ?? '').toLowerCase()) ||
          column.tags.some((tag) => tag.toLowerCase() === 'pii'),
      )
      .map((column) => column.name),
  );
  return snapshotColumns.map((column) => column.name).filter((name) => covered.has(name));
}

/**
 * The sidecar a snapshot of a port gets under a key, or undefined when it covers no column.
 * The builder and the gateway both ask this function, so they always agree on the file and
 * its columns: a contract reclassifying a column or a new key gives a new fingerprint, and the
 * gateway computes masks as before until the next sidecar is built.
 */
export function maskSidecarPlan(
  secret: Buffer,
  port: {
    readonly portColumns: readonly ColumnSpec[];
    readonly snapshotColumns: readonly { readonly name: string }[];
  },
): MaskSidecarPlan | undefined {
  const columns = maskSidecarColumns(port.portColumns, port.snapshotColumns);
  if (columns.length === 0) return undefined;
  const fingerprint = createHash('sha256')
    .update(`${SIDECAR_SCHEME}\0${maskKeyFingerprint(secret)}\0`)
    .update(JSON.stringify(columns))
    .digest('hex')
    .slice(0, 16);
  return { columns, fingerprint, columnPrefix: PRECOMPUTED_HASH_PREFIX, macro: hashMaskMacro(secret) };
}

/** Double-quotes an identifier for DuckDB. */
export function quoteSqlIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** Single-quotes a string literal for DuckDB. */
export function quoteSqlLiteral(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}
