import { open } from 'node:fs/promises';

const HEADER_READ_BYTES = 1 << 20;

/** The header of a CSV file and the line ending it uses. */
export interface CsvHeader {
  readonly fields: string[];
  readonly newLine: '\n' | '\r\n';
}

/**
 * Reads the header line of a CSV file (comma-delimited, `"`-quoted) and returns its field names
 * and line ending, or undefined for an empty file. Only the first line is read, however large the file.
 */
export async function readCsvHeader(file: string): Promise<CsvHeader | undefined> {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(HEADER_READ_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, HEADER_READ_BYTES, 0);
    const text = buffer
      .subarray(0, bytesRead)
      .toString('utf8')
      .replace(/^\uFEFF/, '');
    const end = text.indexOf('\n');
    const firstLine = end === -1 ? text : text.slice(0, end);
    const line = firstLine.replace(/\r$/, '');
    if (line.trim() === '') return undefined;
    return { fields: splitCsvLine(line), newLine: firstLine.endsWith('\r') ? '\r\n' : '\n' };
  } finally {
    await handle.close();
  }
}

/** Splits one CSV line into fields: commas separate, double quotes quote, `""` escapes a quote. */
export function splitCsvLine(line: string): string[] {
  const fields: string[] = [];
  let field = '';
  let isQuoted = false;
  for (let index = 0; index < line.length; index++) {
    const char = line[index];
    if (isQuoted && char === '"' && line[index + 1] === '"') {
      field += '"';
      index++;
    } else if (char === '"') {
      isQuoted = !isQuoted;
    } else if (char === ',' && !isQuoted) {
      fields.push(field);
      field = '';
    } else {
      field += char;
    }
  }
  fields.push(field);
  return fields.map((name) => name.trim());
}
