import {
  type ColumnAccess,
  maskExpression,
  type PortAccess,
  PRECOMPUTED_HASH_PREFIX,
  quoteSqlIdentifier,
} from '@quanta/governance';
import type { ColumnType } from '@quanta/model';

/** The derived table a port reference becomes, and what it exposes. */
export interface PortView {
  /** `SELECT <raw and masked columns> FROM <snapshot> WHERE <row filters>`. */
  readonly sql: string;
  /** Column addresses with how they are exposed (`...#email:hash`), for the audit. */
  readonly columns: readonly string[];
  /** Columns the principal may not see at all: absent from the view. */
  readonly hidden: readonly string[];
  /** True when a hash is computed by the session macro (not read from a mask sidecar). */
  readonly usesHash: boolean;
}

/** A snapshot's mask sidecar as a view reads it: its table, its row key and the columns it precomputes. */
export interface PrecomputedHashes {
  /** The sidecar's `hashes` table, as the session attaches it. */
  readonly table: string;
  /** Its column holding the rowid of each snapshot row. */
  readonly rowKey: string;
  readonly columns: ReadonlySet<string>;
}

/** The names the snapshot and its sidecar take inside the view (out of the consumer's scope). */
const SNAPSHOT_ALIAS = 'quanta_snapshot';
const SIDECAR_ALIAS = 'quanta_sidecar';

/**
 * Compiles a granted port access to the view that replaces every reference to the port: only
 * readable columns, masked ones replaced by their mask expression under the same name, and the
 * row filters in the WHERE clause. The query can only ever see this view, so no path (CTE,
 * `SELECT *`, aggregates, joins back) reaches a raw column, a filtered row or a sidecar column.
 * With a mask sidecar, each snapshot row is joined to its hashes by rowid, and each hashed column
 * the sidecar covers is its precomputed hash under the column's name (ADR 019).
 */
export function compilePortView(
  access: Extract<PortAccess, { kind: 'granted' }>,
  snapshot: { table: string; columns: readonly ColumnType[]; precomputed?: PrecomputedHashes },
): PortView {
  const { precomputed } = snapshot;
  const byName = new Map(access.columns.map((column) => [column.column, column]));
  const projections: string[] = [];
  const exposed: string[] = [];
  const hidden: string[] = [];
  let usesHash = false;
  for (const column of snapshot.columns) {
    const decided: ColumnAccess | undefined = byName.get(column.name);
    const address = `${access.port}#${column.name}`;
    if (!decided || decided.kind === 'hidden') {
      hidden.push(column.name);
      continue;
    }
    if (decided.kind === 'raw') {
      projections.push(quoteSqlIdentifier(column.name));
      exposed.push(`${address}:raw`);
      continue;
    }
    const isPrecomputed = decided.mask === 'hash' && precomputed?.columns.has(column.name) === true;
    usesHash ||= decided.mask === 'hash' && !isPrecomputed;
    const expression = isPrecomputed
      ? `${SIDECAR_ALIAS}.${quoteSqlIdentifier(`${PRECOMPUTED_HASH_PREFIX}${column.name}`)}`
      : maskExpression(decided.mask, column);
    projections.push(`${expression} AS ${quoteSqlIdentifier(column.name)}`);
    exposed.push(`${address}:${decided.mask}`);
  }
  const filters = access.rowFilters.map((filter) => filter.sql);
  const where = filters.length > 0 ? ` WHERE ${filters.join(' AND ')}` : '';
  // A LEFT JOIN keeps every row whatever the sidecar holds; filters (the row filters, and the
  // consumer's own, pushed down) apply to the snapshot's scan before the join.
  const from = precomputed
    ? `${snapshot.table} AS ${SNAPSHOT_ALIAS} LEFT JOIN ${precomputed.table} AS ${SIDECAR_ALIAS} ON ${SIDECAR_ALIAS}.${quoteSqlIdentifier(precomputed.rowKey)} = ${SNAPSHOT_ALIAS}.rowid`
    : snapshot.table;
  return {
    sql: `SELECT ${projections.join(', ')} FROM ${from}${where}`,
    columns: exposed,
    hidden,
    usesHash,
  };
}
