import { type ColumnSpec, QuantaError } from '@quanta/model';
import { declaredType, isTypeName, logicalTypeOf } from './column-types.ts';
import type { DuckDbDatabase } from './duckdb-database.ts';

/** A contract column with the DuckDB type it is stored as, in DuckDB's own spelling. */
export interface ResolvedColumn {
  readonly name: string;
  /** As DuckDB prints it: `INTEGER`, `DECIMAL(12,2)`, `VARCHAR`. */
  readonly type: string;
  readonly required: boolean;
}

/**
 * Resolves each contract column's type with DuckDB itself, so that the staged table, the reasons
 * of rejected rows and the audit all spell types the same way. A physical type DuckDB does not
 * know (another database's dialect, say) falls back to the logical type's mapping.
 */
export async function resolveColumns(
  database: DuckDbDatabase,
  columns: readonly ColumnSpec[],
): Promise<ResolvedColumn[]> {
  assertDistinctNames(columns);
  const resolved: ResolvedColumn[] = [];
  for (const column of columns) {
    const type =
      (await canonicalType(database, declaredType(column))) ??
      (await canonicalType(database, logicalTypeOf(column))) ??
      'VARCHAR';
    resolved.push({ name: column.name, type, required: column.required || column.primaryKey });
  }
  return resolved;
}

/** DuckDB's spelling of a type name, or undefined when DuckDB does not know it. */
export async function canonicalType(database: DuckDbDatabase, typeName: string): Promise<string | undefined> {
  if (!isTypeName(typeName)) return undefined;
  try {
    const [row] = await database.rows(`SELECT typeof(CAST(NULL AS ${typeName}))`);
    const type = row?.[0];
    return typeof type === 'string' ? type : undefined;
  } catch {
    return undefined;
  }
}

function assertDistinctNames(columns: readonly ColumnSpec[]): void {
  const seen = new Set<string>();
  for (const column of columns) {
    const key = column.name.toLowerCase();
    if (seen.has(key)) {
      throw new QuantaError('QUANTA_INGEST_FAILED', `the contract declares column ${column.name} twice`, {
        fix: 'give every column of the contract a distinct name',
      });
    }
    seen.add(key);
  }
}
