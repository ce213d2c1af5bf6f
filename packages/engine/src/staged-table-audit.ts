import type { ColumnSpec, ColumnType, JsonValue } from '@quanta/model';
import { isCompatibleType } from './column-types.ts';
import { type ResolvedColumn, resolveColumns } from './contract-columns.ts';
import type { AuditCheck, AuditResult } from './data-engine.ts';
import type { DuckDbDatabase } from './duckdb-database.ts';
import { DATA_TABLE } from './quarantine.ts';
import { quoteIdentifier, quoteLiteral } from './sql-text.ts';
import { tableColumns } from './staged-table-description.ts';

/** A data check: aggregates for the fused query, and how to judge their values. */
interface DataCheck {
  readonly name: string;
  readonly column: string;
  readonly aggregates: readonly string[];
  judge(values: readonly JsonValue[], total: number): Promise<Omit<AuditCheck, 'name' | 'column'>>;
}

/**
 * Audits the staged table of the open database against contract columns: schema checks from the
 * table's metadata, then every data check (required, unique, allowed values, maximum length)
 * computed by ONE fused aggregate query over the data. Failing data is a result, never thrown.
 */
export async function auditStagedTable(
  database: DuckDbDatabase,
  columns: readonly ColumnSpec[],
): Promise<AuditResult> {
  const actual = await tableColumns(database, { table: DATA_TABLE });
  const expected = await resolveColumns(database, columns);
  const checks: AuditCheck[] = schemaChecks(actual, expected);
  const present = new Set(actual.map((column) => column.name));
  const dataChecks = columns
    .filter((column) => present.has(column.name))
    .flatMap((column) => dataChecksOf(database, column));
  checks.push(...(await runDataChecks(database, dataChecks)));
  return { passed: checks.every((check) => check.passed), checks };
}

/** Schema checks from the table's metadata: every contract column present with a fitting type, no extra column. */
export function schemaChecks(
  actual: readonly ColumnType[],
  expected: readonly ResolvedColumn[],
): AuditCheck[] {
  const checks = expected.map((column): AuditCheck => {
    const found = actual.find((candidate) => candidate.name === column.name);
    const name = `schema:${column.name}`;
    if (!found)
      return { name, column: column.name, passed: false, detail: `column ${column.name} is missing` };
    const passed = isCompatibleType(found.type, column.type);
    const detail = passed
      ? `${found.type} fits ${column.type}`
      : `is ${found.type}, the contract expects ${column.type}`;
    return { name, column: column.name, passed, detail };
  });
  const extras = actual.filter((column) => !expected.some((candidate) => candidate.name === column.name));
  checks.push({
    name: 'schema:extra-columns',
    passed: extras.length === 0,
    detail:
      extras.length === 0
        ? 'no column outside the contract'
        : `columns outside the contract: ${extras.map((column) => column.name).join(', ')}`,
  });
  return checks;
}

function dataChecksOf(database: DuckDbDatabase, column: ColumnSpec): DataCheck[] {
  const name = quoteIdentifier(column.name);
  const text = `CAST(${name} AS VARCHAR)`;
  const checks: DataCheck[] = [];
  if (column.required || column.primaryKey) {
    checks.push({
      name: `required:${column.name}`,
      column: column.name,
      aggregates: [`count(*) FILTER (WHERE ${name} IS NULL)`],
      judge: async ([nulls], total) => ({
        passed: Number(nulls) === 0,
        detail: `${Number(nulls)} null value(s) in ${total} row(s)`,
      }),
    });
  }
  if (column.unique || column.primaryKey) {
    checks.push({
      name: `unique:${column.name}`,
      column: column.name,
      aggregates: [`count(${name}) - count(DISTINCT ${name})`],
      judge: async ([duplicates]) => {
        if (Number(duplicates) === 0) return { passed: true, detail: 'no duplicate value' };
        const [sample] = await database.rows(
          `SELECT ${text} FROM main.${DATA_TABLE} WHERE ${name} IS NOT NULL GROUP BY ${name} HAVING count(*) > 1 LIMIT 1`,
        );
        return {
          passed: false,
          detail: `${Number(duplicates)} duplicate row(s), e.g. ${quoteLiteral(String(sample?.[0]))}`,
        };
      },
    });
  }
  if (column.enumValues && column.enumValues.length > 0) {
    const allowed = column.enumValues;
    const outside = `${name} IS NOT NULL AND ${text} NOT IN (${allowed.map(quoteLiteral).join(', ')})`;
    checks.push(
      outsideCheck({
        name: `enum:${column.name}`,
        column: column.name,
        condition: outside,
        sample: text,
        describe: (count) => `${count} value(s) outside [${allowed.join(', ')}]`,
      }),
    );
  }
  if (column.maxLength !== undefined) {
    const maxLength = column.maxLength;
    checks.push(
      outsideCheck({
        name: `maxLength:${column.name}`,
        column: column.name,
        condition: `length(${text}) > ${Math.floor(maxLength)}`,
        sample: text,
        describe: (count) => `${count} value(s) longer than ${maxLength}`,
      }),
    );
  }
  return checks;
}

function outsideCheck(options: {
  name: string;
  column: string;
  condition: string;
  sample: string;
  describe: (count: number) => string;
}): DataCheck {
  return {
    name: options.name,
    column: options.column,
    aggregates: [
      `count(*) FILTER (WHERE ${options.condition})`,
      `any_value(${options.sample}) FILTER (WHERE ${options.condition})`,
    ],
    judge: async ([count, sample]) => {
      const found = Number(count);
      if (found === 0) return { passed: true, detail: options.describe(0) };
      return { passed: false, detail: `${options.describe(found)}, e.g. ${quoteLiteral(String(sample))}` };
    },
  };
}

async function runDataChecks(database: DuckDbDatabase, checks: readonly DataCheck[]): Promise<AuditCheck[]> {
  const aggregates = ['count(*)', ...checks.flatMap((check) => check.aggregates)];
  const [row = []] = await database.rows(`SELECT ${aggregates.join(', ')} FROM main.${DATA_TABLE}`);
  const total = Number(row[0] ?? 0);
  const results: AuditCheck[] = [];
  let offset = 1;
  for (const check of checks) {
    const values = row.slice(offset, offset + check.aggregates.length);
    offset += check.aggregates.length;
    results.push({ name: check.name, column: check.column, ...(await check.judge(values, total)) });
  }
  return results;
}
