import { type ColumnAccess, maskExpression, type PortAccess, quoteSqlIdentifier } from '@quanta/governance';
import type { ColumnType } from '@quanta/model';

/** The derived table a port reference becomes, and what it exposes. */
export interface PortView {
  /** `SELECT <raw and masked columns> FROM <snapshot> WHERE <row filters>`. */
  readonly sql: string;
  /** Column addresses with how they are exposed (`...#email:hash`), for the audit. */
  readonly columns: readonly string[];
  /** Columns the principal may not see at all: absent from the view. */
  readonly hidden: readonly string[];
  readonly usesHash: boolean;
}

/**
 * Compiles a granted port access to the view that replaces every reference to the port: only
 * readable columns, masked ones replaced by their mask expression under the same name, and the
 * row filters in the WHERE clause. The query can only ever see this view, so no path (CTE,
 * `SELECT *`, aggregates, joins back) reaches a raw column or a filtered row.
 */
export function compilePortView(
  access: Extract<PortAccess, { kind: 'granted' }>,
  snapshot: { table: string; columns: readonly ColumnType[] },
): PortView {
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
    usesHash ||= decided.mask === 'hash';
    projections.push(`${maskExpression(decided.mask, column)} AS ${quoteSqlIdentifier(column.name)}`);
    exposed.push(`${address}:${decided.mask}`);
  }
  const filters = access.rowFilters.map((filter) => filter.sql);
  const where = filters.length > 0 ? ` WHERE ${filters.join(' AND ')}` : '';
  return {
    sql: `SELECT ${projections.join(', ')} FROM ${snapshot.table}${where}`,
    columns: exposed,
    hidden,
    usesHash,
  };
}
