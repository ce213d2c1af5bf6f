import { QuantaError } from '@quanta/model';
import type { CatalogTable, HashedRecord } from './catalog-tables.ts';
import type { SqlExecutor } from './sql-database.ts';
import { placeholders } from './sql-placeholders.ts';
import { readText } from './sql-row.ts';

/** What syncing one table changed. */
export interface SyncCounts {
  readonly created: number;
  readonly updated: number;
  readonly removed: number;
  readonly unchanged: number;
}

/** Rows per multi-row statement: well under both backends' parameter limits. */
const ROWS_PER_STATEMENT = 200;

/**
 * Makes a catalog table hold exactly `records`, inside the caller's transaction: inserts new
 * keys, rewrites rows whose hash changed, deletes keys no longer present, and leaves equal
 * hashes untouched (so a repeated apply writes nothing).
 */
export async function syncCatalogTable<R extends HashedRecord>(
  tx: SqlExecutor,
  table: CatalogTable<R>,
  records: readonly R[],
): Promise<SyncCounts> {
  const wanted = indexByKey(table, records);
  const existing = await readHashes(tx, table);
  const changed = [...wanted.values()].filter((record) => existing.get(table.keyOf(record)) !== record.hash);
  const removed = [...existing.keys()].filter((key) => !wanted.has(key));
  const created = changed.filter((record) => !existing.has(table.keyOf(record))).length;
  for (const batch of chunk(changed, ROWS_PER_STATEMENT)) await upsertRows(tx, table, batch);
  for (const batch of chunk(removed, ROWS_PER_STATEMENT)) await deleteRows(tx, table, batch);
  return {
    created,
    updated: changed.length - created,
    removed: removed.length,
    unchanged: wanted.size - changed.length,
  };
}

function indexByKey<R extends HashedRecord>(table: CatalogTable<R>, records: readonly R[]): Map<string, R> {
  const byKey = new Map<string, R>();
  for (const record of records) {
    const key = table.keyOf(record);
    if (byKey.has(key)) {
      throw new QuantaError('QUANTA_DUPLICATE_ADDRESS', `the catalog lists ${key} twice in ${table.name}`, {
        address: key,
      });
    }
    byKey.set(key, record);
  }
  return byKey;
}

async function readHashes<R extends HashedRecord>(
  tx: SqlExecutor,
  table: CatalogTable<R>,
): Promise<Map<string, string>> {
  const rows = await tx.query(`SELECT ${table.key} AS key, hash FROM ${table.name}`);
  return new Map(rows.map((row) => [readText(row, 'key'), readText(row, 'hash')]));
}

async function upsertRows<R extends HashedRecord>(
  tx: SqlExecutor,
  table: CatalogTable<R>,
  records: readonly R[],
): Promise<void> {
  const row = `(${placeholders(table.columns.length)})`;
  const updates = table.columns
    .filter((column) => column !== table.key)
    .map((column) => `${column} = excluded.${column}`)
    .join(', ');
  const sql =
    `INSERT INTO ${table.name} (${table.columns.join(', ')}) VALUES ${records.map(() => row).join(', ')} ` +
    `ON CONFLICT (${table.key}) DO UPDATE SET ${updates}`;
  await tx.query(
    sql,
    records.flatMap((record) => table.toParams(record)),
  );
}

async function deleteRows<R extends HashedRecord>(
  tx: SqlExecutor,
  table: CatalogTable<R>,
  keys: readonly string[],
): Promise<void> {
  await tx.query(`DELETE FROM ${table.name} WHERE ${table.key} IN (${placeholders(keys.length)})`, keys);
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let start = 0; start < items.length; start += size) chunks.push(items.slice(start, start + size));
  return chunks;
}
