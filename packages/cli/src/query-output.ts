import { once } from 'node:events';
import type { GatewayStream } from '@quanta/gateway';
import type { JsonValue } from '@quanta/model';

/**
 * `quanta query --format csv|json`: writes the rows as the gateway streams them, one chunk at a
 * time, waiting for the output to drain (a pipe to `head` or a slow disk holds the query back
 * instead of filling memory). The stream is closed however writing ends, which releases the
 * session and audits the rows written.
 */
export async function writeQueryStream(
  stream: GatewayStream,
  options: { format: 'csv' | 'json'; out: NodeJS.WritableStream },
): Promise<void> {
  const write = async (text: string): Promise<void> => {
    if (!options.out.write(text)) await once(options.out, 'drain');
  };
  const indent = (value: unknown): string => JSON.stringify(value, null, 2).replaceAll('\n', '\n  ');
  try {
    if (options.format === 'csv') {
      await write(csvLine(stream.columns.map((column) => column.name)));
      for await (const chunk of stream) await write(chunk.map(csvLine).join(''));
      return;
    }
    await write(
      `{\n  "columns": ${indent(stream.columns)},\n  "reads": ${indent(stream.reads)},\n  "rows": [`,
    );
    // Rows are comma-separated within a chunk and across chunks (an empty chunk adds nothing).
    let separator = '\n    ';
    for await (const chunk of stream) {
      if (chunk.length === 0) continue;
      await write(`${separator}${chunk.map((row) => JSON.stringify(row)).join(',\n    ')}`);
      separator = ',\n    ';
    }
    await write(
      `\n  ],\n  "rowCount": ${stream.rowCount},\n  "durationMs": ${stream.durationMs.toFixed(3)}\n}\n`,
    );
  } finally {
    await stream.close();
  }
}

function csvLine(row: readonly JsonValue[]): string {
  const cells = row.map((value) => {
    if (value === null) return '';
    const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
    return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
  });
  return `${cells.join(',')}\n`;
}
