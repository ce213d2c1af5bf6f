import { QuantaError } from '@quanta/model';
import type { ResolvedColumn } from './contract-columns.ts';
import type { DuckDbDatabase } from './duckdb-database.ts';
import { DATA_TABLE, QUARANTINE_TABLE } from './quarantine.ts';
import { quoteIdentifier, quoteLiteral, quoteLiteralList } from './sql-text.ts';

/** Formats read record by record: JSON documents, newline-delimited JSON and Parquet. */
export type RecordFormat = 'json' | 'ndjson' | 'parquet';

const TYPED_TABLE = 'quanta_typed';

/**
 * Reads JSON, NDJSON or Parquet files into `main.data` of the open staging database. Each record
 * is located (file and line, record or row number), each contract field is taken as text and cast
 * with TRY_CAST; records that are not JSON objects, fields that do not cast and missing required
 * values go to the quarantine with a reason. Everything runs inside DuckDB.
 */
export async function ingestRecords(
  database: DuckDbDatabase,
  options: { files: readonly string[]; format: RecordFormat; columns: readonly ResolvedColumn[] },
): Promise<void> {
  const { columns } = options;
  if (options.files.length === 0) {
    const definitions = columns.map((column) => `${quoteIdentifier(column.name)} ${column.type}`);
    await database.run(`CREATE TABLE main.${DATA_TABLE} (${definitions.join(', ')})`);
    return;
  }
  const records =
    options.format === 'parquet'
      ? await parquetRecords(database, { files: options.files, columns })
      : jsonRecords(options.files, columns);
  await database.run(`CREATE TEMP TABLE ${TYPED_TABLE} AS ${typedRecordsSql(records, columns)}`);
  await database.run(
    `INSERT INTO main.${QUARANTINE_TABLE}
     SELECT raw, reason, source_file, line FROM ${TYPED_TABLE} WHERE reason IS NOT NULL ORDER BY source_file, line`,
  );
  const values = columns.map((column, index) => `v${index} AS ${quoteIdentifier(column.name)}`);
  await database.run(
    `CREATE TABLE main.${DATA_TABLE} AS SELECT ${values.join(', ')} FROM ${TYPED_TABLE} WHERE reason IS NULL`,
  );
  await database.run(`DROP TABLE ${TYPED_TABLE}`);
}

/**
 * A relation of records with `source_file`, `line`, `unit` (what `line` counts), `raw`,
 * `is_record`, and per contract column `t<i>` (its text) and `s<i>` (its source value).
 */
function jsonRecords(files: readonly string[], columns: readonly ResolvedColumn[]): string {
  const fields = columns.flatMap((column, index) => {
    const text = `CASE WHEN is_record THEN json_extract_string(raw, ${quoteLiteral(jsonPointer(column.name))}) END`;
    return [`${text} AS t${index}`, `${text} AS s${index}`];
  });
  return `WITH docs AS (
  SELECT filename, content, CASE WHEN json_valid(content) THEN json_type(content) END AS doc_type
  FROM read_text(${quoteLiteralList(files)})
),
units AS (
  SELECT filename AS source_file, unnest(range(1, len(parts) + 1)) AS line, unnest(parts) AS raw, 'line' AS unit
  FROM (SELECT filename, string_split(content, chr(10)) AS parts FROM docs
        WHERE doc_type IS NULL OR doc_type NOT IN ('ARRAY', 'OBJECT'))
  UNION ALL
  SELECT filename, unnest(range(1, len(items) + 1)), CAST(unnest(items) AS VARCHAR), 'record'
  FROM (SELECT filename, json_extract(content, '$[*]') AS items FROM docs WHERE doc_type = 'ARRAY')
  UNION ALL
  SELECT filename, 1, content, 'record' FROM docs WHERE doc_type = 'OBJECT'
),
located AS (
  SELECT source_file, line, unit, rtrim(raw, chr(13)) AS raw FROM units WHERE trim(raw, ' ' || chr(9) || chr(13)) <> ''
),
checked AS (
  SELECT *, coalesce(CASE WHEN json_valid(raw) THEN json_type(raw) END = 'OBJECT', false) AS is_record FROM located
)
SELECT source_file, line, unit, raw, is_record,
  CASE WHEN json_valid(raw) THEN 'not a JSON object' ELSE 'invalid JSON' END AS record_error,
  ${fields.join(',\n  ')}
FROM checked`;
}

async function parquetRecords(
  database: DuckDbDatabase,
  options: { files: readonly string[]; columns: readonly ResolvedColumn[] },
): Promise<string> {
  const scan = `read_parquet(${quoteLiteralList(options.files)}, union_by_name = true,
    filename = '__quanta_source', file_row_number = true)`;
  const present = new Set(
    (await database.rows(`SELECT column_name FROM (DESCRIBE SELECT * FROM ${scan})`)).map((row) =>
      String(row[0]),
    ),
  );
  const missing = options.columns.filter((column) => !present.has(column.name));
  if (missing.length > 0) {
    throw new QuantaError(
      'QUANTA_INGEST_FAILED',
      `the Parquet files have no column ${missing.map((column) => column.name).join(', ')}`,
      { fix: 'write the contract columns into the files, or change the contract' },
    );
  }
  const names = options.columns.map((column) => quoteIdentifier(column.name));
  const fields = names.flatMap((name, index) => [
    `CAST(${name} AS VARCHAR) AS t${index}`,
    `${name} AS s${index}`,
  ]);
  const raw = `CAST(to_json(struct_pack(${names.map((name) => `${name} := ${name}`).join(', ')})) AS VARCHAR)`;
  return `SELECT __quanta_source AS source_file, file_row_number + 1 AS line, 'row' AS unit, ${raw} AS raw,
  true AS is_record, NULL AS record_error, ${fields.join(', ')}
FROM ${scan}`;
}

/** Casts each field and states, per record, every reason to reject it (NULL when it is good). */
function typedRecordsSql(records: string, columns: readonly ResolvedColumn[]): string {
  const casts = columns.map((column, index) => `TRY_CAST(s${index} AS ${column.type}) AS v${index}`);
  const problems = columns.flatMap((column, index) => {
    const conversion = `CASE WHEN t${index} IS NOT NULL AND v${index} IS NULL THEN 'column ' || ${quoteLiteral(column.name)}
      || ': could not convert ''' || t${index} || ''' to ' || ${quoteLiteral(column.type)} END`;
    const missing = `CASE WHEN t${index} IS NULL THEN ${quoteLiteral(`missing required value for ${column.name}`)} END`;
    return column.required ? [conversion, missing] : [conversion];
  });
  const reason = `CASE WHEN NOT is_record THEN record_error
    ELSE nullif(concat_ws('; ', ${problems.join(', ') || 'NULL'}), '') END`;
  return `SELECT source_file, line, raw, CASE WHEN (${reason}) IS NULL THEN NULL ELSE unit || ' ' || line || ': ' || (${reason}) END AS reason,
  ${columns.map((_, index) => `v${index}`).join(', ')}
FROM (SELECT *, ${casts.join(', ')} FROM (${records}))`;
}

function jsonPointer(name: string): string {
  return `/${name.replaceAll('~', '~0').replaceAll('/', '~1')}`;
}
