import { randomUUID } from 'node:crypto';
import { readdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { QuantaError } from '@quanta/model';
import type { MaskSidecar, MaskSidecarRequest } from './data-engine.ts';
import { type DatabaseSettings, DuckDbDatabase } from './duckdb-database.ts';
import { fileExists, sealReadOnly, syncPath } from './durable-files.ts';
import { DATA_TABLE } from './quarantine.ts';
import { quoteIdentifier, quoteLiteral } from './sql-text.ts';

/** The table of a mask sidecar: per snapshot row, its rowid and the hashes of its covered columns. */
export const MASK_SIDECAR_TABLE = 'hashes';

/** The sidecar column holding the `rowid` of the snapshot row each hash row belongs to. */
export const MASK_SIDECAR_ROW_KEY = '__quanta_rowid';

const SNAPSHOT_SUFFIX = '.duckdb';
const FINGERPRINT = /^[0-9a-f]{8,64}$/;

/**
 * The sidecar file of a snapshot for a fingerprint: `<snapshot without .duckdb>.masks-<fingerprint>.duckdb`,
 * next to the snapshot (ADR 019).
 */
export function maskSidecarFile(snapshotFile: string, fingerprint: string): string {
  if (!FINGERPRINT.test(fingerprint)) {
    throw new QuantaError('QUANTA_USAGE', `'${fingerprint}' is not a mask sidecar fingerprint`, {
      fix: 'pass 8 to 64 lower-case hex digits',
    });
  }
  return `${snapshotBase(snapshotFile)}.masks-${fingerprint}.duckdb`;
}

/**
 * Writes a snapshot's mask sidecar unless it exists: in a private temporary file, one plain
 * `CREATE TABLE hashes AS SELECT rowid AS __quanta_rowid, <macro>(CAST(col AS VARCHAR)), ...
 * FROM data`. Each hash row carries the rowid of its snapshot row, so `data LEFT JOIN hashes ON
 * __quanta_rowid = data.rowid` pairs every row with its own hashes whatever the scan order;
 * insertion order is preserved so that the keys ascend and a selective query's join skips
 * row groups. The macro is a temporary one (its body holds key material: it is never stored).
 * The row counts are checked, the file checkpointed, flushed, made read-only (0444) and renamed
 * into place, so a reader sees a complete sidecar or none.
 */
export async function buildMaskSidecarFile(
  snapshotFile: string,
  options: { request: MaskSidecarRequest; settings: DatabaseSettings; base?: BaseSidecar },
): Promise<MaskSidecar> {
  const { request } = options;
  const target = maskSidecarFile(snapshotFile, request.fingerprint);
  if (await fileExists(target)) return { kind: 'existing', path: target };
  if (request.columns.length === 0) {
    throw new QuantaError('QUANTA_USAGE', 'a mask sidecar needs at least one column', {
      fix: 'build a sidecar only for ports with columns to precompute',
    });
  }
  if (!(await fileExists(snapshotFile))) {
    throw new QuantaError('QUANTA_NOT_FOUND', `snapshot file ${snapshotFile} does not exist`, {
      fix: 'build sidecars of published snapshots only',
    });
  }
  const building = `${target.slice(0, -SNAPSHOT_SUFFIX.length)}.building-${randomUUID()}.duckdb`;
  try {
    const hashedRows = await writeHashes(building, {
      snapshotFile,
      request,
      settings: options.settings,
      ...(options.base ? { base: options.base } : {}),
    });
    await sealReadOnly(building, 'build the sidecar again');
    // Another builder may have won meanwhile: its sidecar is the same table.
    if (await fileExists(target)) {
      await removeFile(building);
      return { kind: 'existing', path: target };
    }
    await rename(building, target);
    await syncPath(path.dirname(target));
    return { kind: 'built', path: target, hashedRows };
  } catch (error) {
    await removeFile(building);
    throw error;
  }
}

/** Every sidecar file of a snapshot (any fingerprint, finished or left half-built by a crash). */
export async function maskSidecarFilesOf(snapshotFile: string): Promise<string[]> {
  const folder = path.dirname(snapshotFile);
  const prefix = `${path.basename(snapshotBase(snapshotFile))}.masks-`;
  const names = await readdir(folder).catch(() => [] as string[]);
  return names.filter((name) => name.startsWith(prefix)).map((name) => path.join(folder, name));
}

/** Removes a file and its write-ahead log, if any. */
export async function removeFile(file: string): Promise<void> {
  await rm(file, { force: true });
  await rm(`${file}.wal`, { force: true });
}

/** The sidecar of the snapshot an appended snapshot extends, and how many rows it covers. */
export interface BaseSidecar {
  readonly file: string;
  readonly rows: number;
}

/** Rows checked against a fresh hash before a base sidecar's hashes are reused. */
const REUSE_CHECKS = 1000;

async function writeHashes(
  file: string,
  at: { snapshotFile: string; request: MaskSidecarRequest; settings: DatabaseSettings; base?: BaseSidecar },
): Promise<number> {
  const { request } = at;
  const database = await DuckDbDatabase.create(file, { settings: at.settings });
  try {
    // The default, said out loud: ascending keys let a selective query's join skip row groups.
    await database.run('SET preserve_insertion_order = true');
    await database.run(`ATTACH ${quoteLiteral(at.snapshotFile)} AS quanta_snapshot (READ_ONLY)`);
    const source = `quanta_snapshot.main.${DATA_TABLE}`;
    const existing = new Set(
      (await database.rows(`SELECT column_name FROM (DESCRIBE ${source})`)).map((row) => String(row[0])),
    );
    const missing = request.columns.filter((column) => !existing.has(column));
    if (missing.length > 0) {
      throw new QuantaError('QUANTA_NOT_FOUND', `the snapshot has no column ${missing.join(', ')}`, {
        fix: "name columns of the snapshot's data table",
      });
    }
    const macro = request.macro;
    await database.run(
      `CREATE TEMP MACRO ${quoteIdentifier(macro.name)}(${macro.parameters.map(quoteIdentifier).join(', ')}) AS (${macro.body})`,
    );
    const projections = [...new Set(request.columns)].map(
      (column) =>
        `${quoteIdentifier(macro.name)}(CAST(${quoteIdentifier(column)} AS VARCHAR)) AS ${quoteIdentifier(`${request.columnPrefix}${column}`)}`,
    );
    const key = `rowid AS ${quoteIdentifier(MASK_SIDECAR_ROW_KEY)}`;
    const reused = at.base ? await reusableBase(database, { base: at.base, source, request }) : undefined;
    const fresh = `SELECT ${[key, ...projections].join(', ')} FROM ${source}`;
    await database.run(
      reused
        ? `CREATE TABLE main.${MASK_SIDECAR_TABLE} AS ${reused} UNION ALL ${fresh} WHERE rowid >= ${at.base?.rows}`
        : `CREATE TABLE main.${MASK_SIDECAR_TABLE} AS ${fresh}`,
    );
    const [counts] = await database.rows(
      `SELECT (SELECT count(*) FROM ${source}), (SELECT count(*) FROM main.${MASK_SIDECAR_TABLE})`,
    );
    if (String(counts?.[0]) !== String(counts?.[1])) {
      throw new QuantaError(
        'QUANTA_INTERNAL',
        `mask sidecar of ${at.snapshotFile}: ${counts?.[1]} hashed rows for ${counts?.[0]} rows`,
        { fix: 'build the sidecar again' },
      );
    }
    await database.run('DETACH quanta_snapshot');
    if (reused) await database.run('DETACH quanta_base');
    await database.run('CHECKPOINT');
    return Number(counts?.[0] ?? 0) - (reused ? (at.base?.rows ?? 0) : 0);
  } finally {
    database.close();
  }
}

/**
 * The SELECT giving an appended snapshot's first `rows` rows their hashes from the base's
 * sidecar, or undefined when it cannot be trusted. The appended snapshot holds the base's rows
 * first, in the base's order, with row ids 0..rows-1 (ADR 018: `appendedTo` is recorded only
 * when they are untouched); the base's own row ids may have gaps, so each is replaced by its
 * rank. Checked before use: the base sidecar holds `rows` rows of the same columns, and
 * {@link REUSE_CHECKS} rows spread over them hash, under this key, to what it says.
 */
async function reusableBase(
  database: DuckDbDatabase,
  at: { base: BaseSidecar; source: string; request: MaskSidecarRequest },
): Promise<string | undefined> {
  const { base, request } = at;
  await database.run(`ATTACH ${quoteLiteral(base.file)} AS quanta_base (READ_ONLY)`);
  const table = `quanta_base.main.${MASK_SIDECAR_TABLE}`;
  const key = quoteIdentifier(MASK_SIDECAR_ROW_KEY);
  const columns = [...new Set(request.columns)].map((column) => ({
    raw: quoteIdentifier(column),
    hashed: quoteIdentifier(`${request.columnPrefix}${column}`),
  }));
  const [shape] = await database.rows(`SELECT count(*), min(${key}), max(${key}) FROM ${table}`);
  if (Number(shape?.[0]) !== base.rows) {
    await database.run('DETACH quanta_base');
    return undefined;
  }
  const isDense = Number(shape?.[1]) === 0 && Number(shape?.[2]) === base.rows - 1;
  const position = isDense ? key : `row_number() OVER (ORDER BY ${key}) - 1`;
  const reused = `SELECT ${position} AS ${key}, ${columns.map((column) => column.hashed).join(', ')} FROM ${table}`;
  const step = Math.max(1, Math.floor(base.rows / REUSE_CHECKS));
  const macro = quoteIdentifier(request.macro.name);
  const [mismatches] = await database.rows(
    `SELECT count(*) FROM (${reused}) AS reused JOIN ${at.source} AS data ON data.rowid = reused.${key}
     WHERE reused.${key} % ${step} = 0 AND (${columns
       .map(
         (column) => `reused.${column.hashed} IS DISTINCT FROM ${macro}(CAST(data.${column.raw} AS VARCHAR))`,
       )
       .join(' OR ')})`,
  );
  if (Number(mismatches?.[0]) !== 0) {
    await database.run('DETACH quanta_base');
    return undefined;
  }
  return reused;
}

function snapshotBase(snapshotFile: string): string {
  if (!snapshotFile.endsWith(SNAPSHOT_SUFFIX)) {
    throw new QuantaError('QUANTA_USAGE', `${snapshotFile} is not a snapshot file`, {
      fix: 'pass the storage path of a published snapshot (`.duckdb`)',
    });
  }
  return snapshotFile.slice(0, -SNAPSHOT_SUFFIX.length);
}
