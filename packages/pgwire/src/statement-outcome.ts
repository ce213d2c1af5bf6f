import type { JsonValue } from '@quanta/model';
import {
  commandComplete,
  dataRow,
  type ErrorFields,
  emptyQueryResponse,
  errorResponse,
  type FieldDescription,
  rowDescription,
} from './backend-messages.ts';
import { BINARY_RESULT_OIDS, encodeBinary, encodeText, type PgType, pgTypeOf } from './pg-types.ts';
import type { PgWireColumn, PgWireRowStream } from './pg-wire-backend.ts';

/** What running one statement gave: rows, a command tag, nothing, or an error. */
export type StatementOutcome =
  | {
      readonly kind: 'rows';
      readonly columns: readonly PgWireColumn[];
      readonly rows: readonly JsonValue[][];
      /** `SELECT` for queries (the count is appended), `SHOW` for SHOW. */
      readonly verb: 'SELECT' | 'SHOW';
    }
  | {
      /** A query's rows still being produced: sent chunk by chunk. */
      readonly kind: 'stream';
      readonly columns: readonly PgWireColumn[];
      readonly stream: PgWireRowStream;
    }
  | { readonly kind: 'command'; readonly tag: string }
  | { readonly kind: 'empty' }
  | { readonly kind: 'error'; readonly fields: ErrorFields };

/** An error outcome with a protocol SQLSTATE. */
export function errorOutcome(code: string, message: string, hint?: string): StatementOutcome {
  return { kind: 'error', fields: { severity: 'ERROR', code, message, ...(hint ? { hint } : {}) } };
}

/** The result format (0 text, 1 binary) of each column from a Bind's result format codes. */
export function resultFormatsOf(formatCodes: readonly number[], columnCount: number): (0 | 1)[] {
  return Array.from({ length: columnCount }, (_unused, index) => {
    const code = formatCodes.length === 1 ? formatCodes[0] : formatCodes[index];
    return code === 1 ? 1 : 0;
  });
}

/** The wire description of result columns, or the first column whose binary format Quanta cannot write. */
export function describeColumns(
  columns: readonly PgWireColumn[],
  formats: readonly (0 | 1)[],
): { fields: FieldDescription[]; types: PgType[] } | { unsupported: PgWireColumn } {
  const types = columns.map((column) => pgTypeOf(column.type));
  const unsupported = columns.find(
    (_column, index) => formats[index] === 1 && !BINARY_RESULT_OIDS.has(types[index]?.oid ?? 0),
  );
  if (unsupported) return { unsupported };
  const fields = columns.map((column, index) => {
    const type = types[index] ?? pgTypeOf('VARCHAR');
    return {
      name: column.name,
      typeOid: type.oid,
      typeSize: type.size,
      typeModifier: type.modifier,
      format: formats[index] ?? 0,
    };
  });
  return { fields, types };
}

/** DataRow messages for a slice of rows. */
export function dataRows(
  rows: readonly JsonValue[][],
  options: { types: readonly PgType[]; formats: readonly (0 | 1)[] },
): Buffer[] {
  const { types, formats } = options;
  return rows.map((row) =>
    dataRow(
      row.map((value, index) => {
        const type = types[index] ?? pgTypeOf('VARCHAR');
        return formats[index] === 1 ? encodeBinary(value, type) : encodeText(value, type);
      }),
    ),
  );
}

/** The whole response of a statement in the simple query protocol (text format), but a stream's rows. */
export function simpleResponse(outcome: Exclude<StatementOutcome, { kind: 'stream' }>): Buffer[] {
  switch (outcome.kind) {
    case 'rows': {
      const formats = resultFormatsOf([], outcome.columns.length);
      const described = describeColumns(outcome.columns, formats);
      if ('unsupported' in described) return [];
      return [
        rowDescription(described.fields),
        ...dataRows(outcome.rows, { types: described.types, formats }),
        commandComplete(tagOf(outcome, outcome.rows.length)),
      ];
    }
    case 'command':
      return [commandComplete(outcome.tag)];
    case 'empty':
      return [emptyQueryResponse()];
    case 'error':
      return [errorResponse(outcome.fields)];
  }
}

/** The CommandComplete tag of a row outcome: `SELECT n`, or `SHOW`. */
export function tagOf(outcome: { verb: 'SELECT' | 'SHOW' }, rowCount: number): string {
  return outcome.verb === 'SHOW' ? 'SHOW' : `SELECT ${rowCount}`;
}
