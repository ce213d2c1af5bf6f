import { QuantaError } from '@quanta/model';
import type { ResolvedColumn } from './contract-columns.ts';
import { readCsvHeader } from './csv-header.ts';
import type { DuckDbDatabase } from './duckdb-database.ts';
import {
  DATA_TABLE,
  fieldsAsText,
  missingRequiredCondition,
  missingRequiredReason,
  QUARANTINE_TABLE,
} from './quarantine.ts';
import { quoteIdentifier, quoteLiteral, quoteLiteralList } from './sql-text.ts';

const SOURCE_COLUMN = '__quanta_source';

/** Files sharing one header: read by one `read_csv` call. */
interface CsvGroup {
  readonly files: string[];
  readonly newLine: string;
  /** Every header field in file order, with the DuckDB type to read it as. */
  readonly fields: readonly { readonly name: string; readonly type: string }[];
}

/**
 * Reads CSV files (with a header) into `main.data` of the open staging database. DuckDB parses
 * and casts in parallel; rows it cannot parse or cast land in its rejects table, from which the
 * quarantine is filled with one row per rejected line; rows missing a required value then move
 * to the quarantine too. No row goes through JavaScript.
 */
export async function ingestCsv(
  database: DuckDbDatabase,
  options: { files: readonly string[]; columns: readonly ResolvedColumn[] },
): Promise<void> {
  const { columns } = options;
  const groups = await groupByHeader(options.files, columns);
  const hasManyFiles = groups.reduce((count, group) => count + group.files.length, 0) > 1;
  const source = hasManyFiles ? quoteIdentifier(SOURCE_COLUMN) : quoteLiteral(groups[0]?.files[0] ?? '');
  const definitions = columns.map((column) => `${quoteIdentifier(column.name)} ${column.type}`);
  if (hasManyFiles) definitions.push(`${quoteIdentifier(SOURCE_COLUMN)} VARCHAR`);
  await database.run(`CREATE TABLE main.${DATA_TABLE} (${definitions.join(', ')})`);
  for (const [index, group] of groups.entries()) {
    const projection = columns.map((column) => quoteIdentifier(column.name));
    if (hasManyFiles) projection.push(quoteIdentifier(SOURCE_COLUMN));
    await database.run(
      `INSERT INTO main.${DATA_TABLE} SELECT ${projection.join(', ')} FROM ${readCsvCall(group, { index, hasManyFiles })}`,
    );
    await database.run(quarantineRejectsSql(index, columns));
  }
  await quarantineMissingRequired(database, { columns, source });
  if (hasManyFiles)
    await database.run(`ALTER TABLE main.${DATA_TABLE} DROP COLUMN ${quoteIdentifier(SOURCE_COLUMN)}`);
}

async function groupByHeader(
  files: readonly string[],
  columns: readonly ResolvedColumn[],
): Promise<CsvGroup[]> {
  const groups = new Map<string, CsvGroup>();
  for (const file of files) {
    const header = await readCsvHeader(file);
    if (header === undefined) continue;
    const fields = headerFields(file, { header: header.fields, columns });
    const key = JSON.stringify([header.newLine, fields]);
    const group = groups.get(key);
    if (group) group.files.push(file);
    else groups.set(key, { files: [file], newLine: header.newLine, fields });
  }
  return [...groups.values()];
}

function headerFields(
  file: string,
  options: { header: readonly string[]; columns: readonly ResolvedColumn[] },
): { name: string; type: string }[] {
  const fields = options.header.map((name, index) => ({
    name: `__quanta_extra_${index}`,
    type: 'VARCHAR',
    header: name,
  }));
  for (const column of options.columns) {
    const field = fields.find(
      (candidate) => candidate.name.startsWith('__quanta_extra_') && sameName(candidate.header, column.name),
    );
    if (!field) {
      throw new QuantaError('QUANTA_INGEST_FAILED', `${file} has no column ${column.name} in its header`, {
        location: { file, line: 1, col: 1 },
        fix: `add a ${column.name} column to the file, or change the contract (header: ${options.header.join(',')})`,
      });
    }
    field.name = column.name;
    field.type = column.type;
  }
  return fields.map(({ name, type }) => ({ name, type }));
}

function sameName(header: string, column: string): boolean {
  return header === column || header.toLowerCase() === column.toLowerCase();
}

function readCsvCall(group: CsvGroup, options: { index: number; hasManyFiles: boolean }): string {
  const columns = group.fields.map((field) => `${quoteLiteral(field.name)}: ${quoteLiteral(field.type)}`);
  const settings = [
    'header = true',
    'auto_detect = false',
    `new_line = ${quoteLiteral(group.newLine === '\n' ? '\\n' : '\\r\\n')}`,
    `delim = ','`,
    `quote = '"'`,
    `escape = '"'`,
    `columns = {${columns.join(', ')}}`,
    'store_rejects = true',
    `rejects_table = 'quanta_rejects_${options.index}'`,
    `rejects_scan = 'quanta_scans_${options.index}'`,
  ];
  if (options.hasManyFiles) settings.push(`filename = ${quoteLiteral(SOURCE_COLUMN)}`);
  return `read_csv(${quoteLiteralList(group.files)}, ${settings.join(', ')})`;
}

/**
 * One quarantine row per rejected line (DuckDB reports one row per error, and a line can have
 * several), with a reason such as `line 12: column quantity: could not convert 'abc' to INTEGER`
 * or `line 40: expected 10 fields, found 11`.
 */
function quarantineRejectsSql(index: number, columns: readonly ResolvedColumn[]): string {
  const types = columns.map((column) => `(${quoteLiteral(column.name)}, ${quoteLiteral(column.type)})`);
  return `INSERT INTO main.${QUARANTINE_TABLE}
WITH errors AS (
  SELECT scans.file_path AS source_file, rejects.line, rejects.csv_line, rejects.error_type,
    rejects.column_name, rejects.column_idx, rejects.error_message, types.type AS column_type
  FROM quanta_rejects_${index} AS rejects
  JOIN quanta_scans_${index} AS scans USING (scan_id, file_id)
  LEFT JOIN (VALUES ${types.join(', ')}) AS types(name, type) ON types.name = rejects.column_name
),
pieces AS (
  SELECT source_file, line, any_value(csv_line) AS raw, min(column_idx) AS position,
    CASE
      WHEN error_type IN ('TOO MANY COLUMNS', 'MISSING COLUMNS') THEN
        'expected ' || any_value(regexp_extract(error_message, 'Expected Number of Columns: (\\d+)', 1))
        || ' fields, found ' || min(TRY_CAST(regexp_extract(error_message, 'Found: (\\d+)', 1) AS INTEGER))
      WHEN error_type = 'CAST' THEN
        'column ' || any_value(column_name) || ': could not convert '''
        || any_value(regexp_extract(error_message, 'convert string "(.*)" to ''', 1))
        || ''' to ' || coalesce(any_value(column_type), 'its type')
      ELSE lower(error_type) || ': ' || any_value(split_part(error_message, chr(10), 1))
    END AS piece
  FROM errors
  GROUP BY source_file, line, error_type,
    CASE WHEN error_type IN ('TOO MANY COLUMNS', 'MISSING COLUMNS') THEN NULL ELSE column_name END
)
SELECT trim(any_value(raw), chr(10) || chr(13)), 'line ' || line || ': ' || string_agg(piece, '; ' ORDER BY position),
  source_file, line
FROM pieces
GROUP BY source_file, line`;
}

async function quarantineMissingRequired(
  database: DuckDbDatabase,
  options: { columns: readonly ResolvedColumn[]; source: string },
): Promise<void> {
  const condition = missingRequiredCondition(options.columns);
  if (!condition) return;
  await database.run(
    `INSERT INTO main.${QUARANTINE_TABLE}
     SELECT ${fieldsAsText(options.columns)}, ${missingRequiredReason(options.columns)}, ${options.source}, NULL
     FROM main.${DATA_TABLE} WHERE ${condition}`,
  );
  await database.run(`DELETE FROM main.${DATA_TABLE} WHERE ${condition}`);
}
