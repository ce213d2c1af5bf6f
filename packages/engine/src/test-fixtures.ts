import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import type { ColumnSpec, MetricRule } from '@quanta/model';
import type { RelationFile, StagedTable } from './data-engine.ts';
import { DuckDbEngine } from './duckdb-engine.ts';

/** A contract column for tests: optional flags default to false. */
export function column(name: string, logicalType: string, extra: Partial<ColumnSpec> = {}): ColumnSpec {
  return { name, logicalType, required: false, unique: false, primaryKey: false, tags: [], ...extra };
}

/**
 * A library-metric quality rule for tests: an error reported when the measure is not 0 rows,
 * unless `fields` say otherwise.
 */
export function metricRule(
  id: string,
  fields: Pick<MetricRule, 'metric' | 'columns'> & Partial<MetricRule>,
): MetricRule {
  return {
    id,
    name: id,
    severity: 'error',
    kind: 'metric',
    threshold: { operator: 'mustBe', value: 0 },
    unit: 'rows',
    onFail: 'report',
    ...fields,
  };
}

/** A temporary folder with a landing area and a storage root, and an engine over the latter. */
export interface EngineFixture {
  readonly dir: string;
  readonly storageRoot: string;
  readonly engine: DuckDbEngine;
  /** Writes a landing file and returns its absolute path. */
  write(name: string, content: string): Promise<string>;
  /** Stages the result of `sql` over `inputs` as table `name` (domain `d`, run `r`). */
  stage(sql: string, name: string, inputs?: Readonly<Record<string, RelationFile>>): Promise<StagedTable>;
  /** Promotes a staged table to snapshot `name` of port `name` and returns the snapshot's file. */
  publish(staged: StagedTable, name: string): Promise<string>;
  /**
   * Stages the previous snapshot's rows, then the delta's, as table `name`: the table an
   * incremental ingest appends.
   */
  stageAppended(tables: { previous: string; delta: StagedTable }, name: string): Promise<StagedTable>;
  dispose(): Promise<void>;
}

/** Opens a fresh engine over a fresh temporary folder. */
export async function createEngineFixture(): Promise<EngineFixture> {
  const dir = await mkdtemp(path.join(tmpdir(), 'quanta-engine-'));
  const storageRoot = path.join(dir, 'storage');
  const engine = await DuckDbEngine.create({ storageRoot, threads: 2 });
  const stage: EngineFixture['stage'] = (sql, name, inputs = {}) =>
    engine.transform({ sql, inputs, target: { domain: 'd', runId: 'r', name } });
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
    stage,
    publish: async (staged, name) => {
      const promoted = await engine.promote(staged, {
        domain: 'd',
        product: 'p',
        port: name,
        snapshotId: name,
      });
      return engine.resolveStoragePath(promoted.storagePath);
    },
    stageAppended: (tables, name) =>
      stage('SELECT * FROM previous UNION ALL BY NAME SELECT * FROM delta', name, {
        previous: { path: tables.previous },
        delta: { path: tables.delta.path },
      }),
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
