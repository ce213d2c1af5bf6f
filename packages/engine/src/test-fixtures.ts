import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import type { ColumnSpec } from '@quanta/model';
import { DuckDbEngine } from './duckdb-engine.ts';

/** A contract column for tests: optional flags default to false. */
export function column(name: string, logicalType: string, extra: Partial<ColumnSpec> = {}): ColumnSpec {
  return { name, logicalType, required: false, unique: false, primaryKey: false, tags: [], ...extra };
}

/** A temporary folder with a landing area and a storage root, and an engine over the latter. */
export interface EngineFixture {
  readonly dir: string;
  readonly storageRoot: string;
  readonly engine: DuckDbEngine;
  /** Writes a landing file and returns its absolute path. */
  write(name: string, content: string): Promise<string>;
  dispose(): Promise<void>;
}

/** Opens a fresh engine over a fresh temporary folder. */
export async function createEngineFixture(): Promise<EngineFixture> {
  const dir = await mkdtemp(path.join(tmpdir(), 'quanta-engine-'));
  const storageRoot = path.join(dir, 'storage');
  const engine = await DuckDbEngine.create({ storageRoot, threads: 2 });
  return {
    dir,
    storageRoot,
    engine,
    write: async (name, content) => {
      const file = path.join(dir, 'landing', name);
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, content);
      return file;
    },
    dispose: async () => {
      await engine.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Runs SQL on a DuckDB file and returns its rows: read-only by default (staging files and
 * read-only snapshots the engine wrote), read-write with `isWritable` (a scratch database).
 */
export async function readRows(
  file: string,
  sql: string,
  options: { isWritable?: boolean } = {},
): Promise<unknown[][]> {
  const instance = await DuckDBInstance.create(file, options.isWritable ? {} : { access_mode: 'READ_ONLY' });
  try {
    const connection = await instance.connect();
    const reader = await connection.runAndReadAll(sql);
    connection.closeSync();
    return reader.getRowsJson() as unknown[][];
  } finally {
    instance.closeSync();
  }
}
