import { createWriteStream } from 'node:fs';
import { rename, stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

const LINES_PER_CHUNK = 8192;
const NEEDS_QUOTES = /[",\r\n]/;

/** A CSV field, quoted when it holds a comma, a quote or a line break (RFC 4180). */
export function escapeCsvField(value: string): string {
  return NEEDS_QUOTES.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** A CSV line (without its line break) from unescaped fields. */
export function formatCsvLine(fields: readonly string[]): string {
  return fields.map(escapeCsvField).join(',');
}

/** What to write into one CSV file. */
export interface CsvFileContent {
  /** Column names, written as the first line. */
  readonly header: readonly string[];
  /** Data lines, already escaped, without line breaks. Only the lines written are consumed. */
  readonly lines: Iterator<string>;
  /** Stop after this many data lines, leaving the rest of `lines` for the next file. */
  readonly maxLines: number;
  /** Called after each chunk is handed to the file, with the data lines it held. */
  readonly onChunk?: (lines: number) => void;
}

/** A CSV file written to disk. */
export interface WrittenCsvFile {
  readonly path: string;
  /** Data lines written, header excluded. */
  readonly rows: number;
  readonly bytes: number;
}

/**
 * Streams lines into a CSV file in chunks, honouring the file stream's backpressure, so that
 * millions of rows never sit in memory. The file is written under a `.part` name and renamed
 * when complete: a watcher of `*.csv` never sees a half-written file.
 */
export async function writeCsvFile(file: string, content: CsvFileContent): Promise<WrittenCsvFile> {
  const partial = `${file}.part`;
  const counter = { rows: 0 };
  const chunks = Readable.from(csvChunks(content, counter), { highWaterMark: 1 });
  await pipeline(chunks, createWriteStream(partial));
  await rename(partial, file);
  return { path: file, rows: counter.rows, bytes: (await stat(file)).size };
}

function* csvChunks(content: CsvFileContent, counter: { rows: number }): Generator<string> {
  yield `${formatCsvLine(content.header)}\n`;
  let batch: string[] = [];
  while (counter.rows < content.maxLines) {
    const next = content.lines.next();
    if (next.done) break;
    batch.push(next.value);
    counter.rows++;
    if (batch.length === LINES_PER_CHUNK) {
      yield `${batch.join('\n')}\n`;
      content.onChunk?.(batch.length);
      batch = [];
    }
  }
  if (batch.length > 0) {
    yield `${batch.join('\n')}\n`;
    content.onChunk?.(batch.length);
  }
}
