import { randomUUID } from 'node:crypto';
import { access, copyFile, mkdir, rename, rm } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { type ColumnSpec, type QualityReport, QuantaError, type TableProfile } from '@quanta/model';
import { AppendAnalyser } from './append-distributive.ts';
import { classifyTableColumns, DEFAULT_CLASSIFY_SAMPLE } from './column-classification.ts';
import { deriveColumnLineage } from './column-lineage.ts';
import { resolveColumns } from './contract-columns.ts';
import { ingestCsv } from './csv-ingest.ts';
import type {
  AppendDistributivity,
  AppendedRows,
  AppendedRowsRequest,
  AppendRequest,
  AuditResult,
  ClassifyOptions,
  ColumnClassification,
  DataEngine,
  EngineCallOptions,
  IngestRequest,
  MaskSidecar,
  MaskSidecarRequest,
  ParsedQuery,
  ProfileOptions,
  PromotedSnapshot,
  QualityRequest,
  ReadSession,
  RelationFile,
  SessionAttachment,
  SessionMacro,
  SessionTable,
  SnapshotTarget,
  StagedTable,
  StagingTarget,
  TableReference,
  TableRewrite,
  TransformRequest,
} from './data-engine.ts';
import { type DatabaseSettings, DuckDbDatabase } from './duckdb-database.ts';
import { DuckDbReadSession } from './duckdb-read-session.ts';
import { fileExists, syncPath } from './durable-files.ts';
import { toIngestError, toQueryError } from './engine-errors.ts';
import { buildMaskSidecarFile, maskSidecarFile, maskSidecarFilesOf, removeFile } from './mask-sidecar.ts';
import { CREATE_QUARANTINE_SQL, copyQuarantine, DATA_TABLE } from './quarantine.ts';
import { ingestRecords } from './record-ingest.ts';
import { ResultMemo } from './result-memo.ts';
import { SandboxPool } from './sandbox-pool.ts';
import { promoteStagingFile } from './snapshot-promotion.ts';
import { SqlParser } from './sql-parser.ts';
import { quoteIdentifier, quoteLiteral } from './sql-text.ts';
import { auditStagedTable } from './staged-table-audit.ts';
import { describeStagedTable } from './staged-table-description.ts';
import { prepareStagingFile, removeStagingFile } from './staging-files.ts';
import { StorageLayout } from './storage-layout.ts';
import { profileTable } from './table-profile.ts';
import { checkTableQuality } from './table-quality-check.ts';

/** How to open a DuckDB engine. */
export interface DuckDbEngineOptions {
  /** The folder holding every domain's space. */
  readonly storageRoot: string;
  /** DuckDB threads per open database; defaults to the machine's parallelism. */
  readonly threads?: number;
  /** DuckDB memory limit per open database (`4GB`); DuckDB's default when absent. */
  readonly memoryLimit?: string;
}

/**
 * The DataEngine over embedded DuckDB. Each staged table and each snapshot is its own DuckDB
 * file (ADR 003); every operation opens the one file it needs and closes it when done, since
 * DuckDB locks open files. Consumer reads run in sandboxed in-memory sessions.
 */
export class DuckDbEngine implements DataEngine {
  readonly #layout: StorageLayout;
  readonly #settings: DatabaseSettings;
  readonly #parser: SqlParser;
  readonly #open = new Set<{ close(): unknown }>();
  readonly #sandboxes: SandboxPool;
  readonly #qualityMemo = new ResultMemo<QualityReport>();
  readonly #profileMemo = new ResultMemo<TableProfile>();
  /** Opened on first use: most engines never analyse an incremental transform. */
  #appendAnalyser: Promise<AppendAnalyser> | undefined;
  #isClosed = false;

  private constructor(options: { layout: StorageLayout; settings: DatabaseSettings; parser: SqlParser }) {
    this.#layout = options.layout;
    this.#settings = options.settings;
    this.#sandboxes = new SandboxPool(options.settings);
    this.#parser = options.parser;
  }

  /** Opens an engine over a storage root (created on first write). */
  static async create(options: DuckDbEngineOptions): Promise<DuckDbEngine> {
    const settings: DatabaseSettings = {
      threads: options.threads ?? Math.max(1, availableParallelism()),
      ...(options.memoryLimit ? { memoryLimit: options.memoryLimit } : {}),
    };
    const parser = await SqlParser.create(settings);
    return new DuckDbEngine({ layout: new StorageLayout(options.storageRoot), settings, parser });
  }

  /** Reads landing files into a staging file; bad rows are quarantined, never lost. */
  async ingest(request: IngestRequest, options: EngineCallOptions = {}): Promise<StagedTable> {
    const path = this.#layout.stagingFile(request.target);
    return this.#stage({ path, signal: options.signal }, async (database) => {
      try {
        const columns = await resolveColumns(database, request.columns);
        if (request.format === 'csv') await ingestCsv(database, { files: request.files, columns });
        else await ingestRecords(database, { files: request.files, format: request.format, columns });
        return await describeStagedTable(database, { path });
      } catch (error) {
        throw toIngestError(error, request.files);
      }
    });
  }

  /** Runs one SELECT over named inputs into a staging file; staged inputs' quarantines come along. */
  async transform(request: TransformRequest, options: EngineCallOptions = {}): Promise<StagedTable> {
    this.#assertOpen();
    const sql = await this.#parser.normalize(request.sql);
    const path = this.#layout.stagingFile(request.target);
    return this.#stage({ path, signal: options.signal }, async (database) => {
      let rowsIn = 0;
      for (const [index, [name, relation]] of Object.entries(request.inputs).entries()) {
        rowsIn += await this.#attachInput(database, {
          name,
          path: relation.path,
          alias: `quanta_input_${index}`,
        });
      }
      try {
        throwIfAborted(options.signal);
        await database.run(`CREATE TABLE main.${DATA_TABLE} AS ${sql}`);
      } catch (error) {
        throw options.signal?.aborted ? interruptedError() : toQueryError(error);
      }
      const staged = await describeStagedTable(database, { path, rowsIn });
      const columnLineage = await deriveColumnLineage(database, {
        sql,
        inputs: Object.keys(request.inputs),
        outputs: staged.columns.map((column) => column.name),
      });
      return columnLineage ? { ...staged, columnLineage } : staged;
    });
  }

  /**
   * Appends a delta's rows after a base's into a staging file (by column name, so a column the
   * base lacks reads NULL there); both quarantines come along, whether staged or published, so
   * rows in = rows + quarantined rows for the appended table as a whole.
   */
  async append(request: AppendRequest, options: EngineCallOptions = {}): Promise<StagedTable> {
    this.#assertOpen();
    const parts = request.delta ? [request.base, request.delta] : [request.base];
    for (const part of parts) await assertExists(part.path);
    const path = this.#layout.stagingFile(request.target);
    return this.#stage({ path, signal: options.signal }, async (database) => {
      const sources: string[] = [];
      for (const [index, part] of parts.entries()) {
        const alias = `quanta_part_${index}`;
        await database.run(`ATTACH ${quoteLiteral(part.path)} AS ${quoteIdentifier(alias)} (READ_ONLY)`);
        await copyQuarantine(database, alias);
        sources.push(`SELECT * FROM ${quoteIdentifier(alias)}.main.${DATA_TABLE}`);
      }
      try {
        throwIfAborted(options.signal);
        // Insertion order is kept: the base's rows take rowids 0..n-1, which incremental checks
        // and profiles rely on (ADR 016).
        await database.run(`CREATE TABLE main.${DATA_TABLE} AS ${sources.join(' UNION ALL BY NAME ')}`);
      } catch (error) {
        throw options.signal?.aborted ? interruptedError() : toQueryError(error);
      }
      return describeStagedTable(database, { path });
    });
  }

  /**
   * Stages the rows after the first `baseRows` of an appended table, read by rowid (a CREATE
   * TABLE AS keeps insertion order, and routing to quarantine only deletes appended rows, which
   * leaves the others' rowids as they were), after checking that rowids 0..baseRows-1 are all there.
   */
  async stageAppendedRows(
    request: AppendedRowsRequest,
    options: EngineCallOptions = {},
  ): Promise<AppendedRows> {
    this.#assertOpen();
    await assertExists(request.source.path);
    const baseRows = Math.trunc(request.baseRows);
    const [counts] = await this.#readOnly(request.source.path, {
      signal: options.signal,
      work: (database) =>
        database.rows(`SELECT count(*) FILTER (WHERE rowid < ${baseRows}), count(*) FROM main.${DATA_TABLE}`),
    });
    const kept = Number(counts?.[0] ?? 0);
    if (kept !== baseRows) {
      return {
        kind: 'notAppended',
        reason: `only ${kept} of its first ${baseRows} rows are still there: it is not an append of them`,
      };
    }
    const path = this.#layout.stagingFile(request.target);
    const table = await this.#stage({ path, signal: options.signal }, async (database) => {
      await database.run(`ATTACH ${quoteLiteral(request.source.path)} AS quanta_source (READ_ONLY)`);
      // The filter on rowid is pushed into the scan: only the appended row groups are read.
      await database.run(
        `CREATE TABLE main.${DATA_TABLE} AS SELECT * FROM quanta_source.main.${DATA_TABLE} WHERE rowid >= ${baseRows}`,
      );
      return describeStagedTable(database, { path });
    });
    return { kind: 'staged', table };
  }

  /** Decides whether a transform distributes over appends to one relation, from its parse tree. */
  async checkAppendDistributive(sql: string, options: { relation: string }): Promise<AppendDistributivity> {
    this.#assertOpen();
    this.#appendAnalyser ??= AppendAnalyser.create(this.#settings);
    return (await this.#appendAnalyser).analyse(sql, options.relation);
  }

  /** Checks a staged table against contract columns with one fused scan. */
  async audit(staged: StagedTable, columns: readonly ColumnSpec[]): Promise<AuditResult> {
    this.#assertOpen();
    this.#layout.stagingDomainOf(staged.path);
    await assertExists(staged.path);
    const database = await this.#openDatabase(staged.path, { readOnly: true });
    try {
      return await auditStagedTable(database, columns);
    } finally {
      this.#closeDatabase(database);
    }
  }

  /** Checks quality clauses; writes only to route a staged table's failing rows to its quarantine. */
  async checkQuality(
    table: RelationFile,
    request: QualityRequest,
    options: EngineCallOptions = {},
  ): Promise<QualityReport> {
    this.#assertOpen();
    await assertExists(table.path);
    const canRoute =
      this.#layout.isStagingFile(table.path) &&
      request.rules.some((rule) => rule.kind === 'metric' && rule.onFail === 'quarantine');
    const check = async (): Promise<QualityReport> => {
      const database = await this.#openDatabase(table.path, { readOnly: !canRoute });
      const watch = watchAbort(database, options.signal);
      try {
        return await checkTableQuality(database, { ...request, canRoute });
      } catch (error) {
        throw options.signal?.aborted ? interruptedError() : error;
      } finally {
        watch.stop();
        this.#closeDatabase(database);
      }
    };
    // Routing rewrites the file, so its results are never reused; freshness is measured at the
    // first check of an unchanged file (a check then publish moments apart share it).
    if (canRoute) return check();
    const { now: _now, ...rest } = request;
    return this.#qualityMemo.get(table.path, { request: JSON.stringify(rest), compute: check });
  }

  /** Profiles a staged table or snapshot, read-only. */
  async profile(table: RelationFile, options: ProfileOptions = {}): Promise<TableProfile> {
    this.#assertOpen();
    await assertExists(table.path);
    const { incremental } = options;
    const base = incremental && { rows: incremental.baseRows, profile: incremental.baseProfile };
    return this.#profileMemo.get(table.path, {
      request: base ? JSON.stringify(base) : '',
      compute: () =>
        this.#readOnly(table.path, {
          signal: options.signal,
          work: (database) => profileTable(database, base ? { base } : {}),
        }),
    });
  }

  /** Samples each text column and matches it against the detectors, read-only. */
  async classifyColumns(table: RelationFile, options: ClassifyOptions = {}): Promise<ColumnClassification[]> {
    this.#assertOpen();
    await assertExists(table.path);
    const sampleSize = options.sampleSize ?? DEFAULT_CLASSIFY_SAMPLE;
    return this.#readOnly(table.path, {
      signal: options.signal,
      work: (database) => classifyTableColumns(database, { sampleSize }),
    });
  }

  /** Moves a staging file to its immutable snapshot place, atomically. */
  async promote(staged: StagedTable, target: SnapshotTarget): Promise<PromotedSnapshot> {
    this.#assertOpen();
    this.#layout.stagingDomainOf(staged.path, target.domain);
    return promoteStagingFile(staged.path, {
      location: this.#layout.snapshotLocation(target),
      settings: this.#settings,
    });
  }

  /** The absolute path of a storage path; QUANTA_PATH_ESCAPE when it leaves the storage root. */
  resolveStoragePath(storagePath: string): string {
    return this.#layout.resolve(storagePath);
  }

  /** Deletes a snapshot file and its mask sidecars after closing the pooled sandboxes that attach them. */
  async removeSnapshot(storagePath: string): Promise<void> {
    this.#assertOpen();
    const path = this.#layout.resolve(storagePath);
    await this.#sandboxes.evict(path);
    await rm(path, { force: true });
    await rm(`${path}.wal`, { force: true });
    for (const sidecar of await maskSidecarFilesOf(path)) {
      await this.#sandboxes.evict(sidecar);
      await removeFile(sidecar);
    }
  }

  /** Writes a published snapshot's mask sidecar next to it, unless it exists (ADR 019). */
  async buildMaskSidecar(storagePath: string, request: MaskSidecarRequest): Promise<MaskSidecar> {
    this.#assertOpen();
    const base = request.base
      ? await this.maskSidecarPath(request.base.storagePath, request.fingerprint)
      : undefined;
    return buildMaskSidecarFile(this.#layout.resolve(storagePath), {
      request,
      settings: this.#settings,
      ...(base && request.base ? { base: { file: base, rows: request.base.rows } } : {}),
    });
  }

  /** The absolute path of a snapshot's mask sidecar for a fingerprint, when the file exists. */
  async maskSidecarPath(storagePath: string, fingerprint: string): Promise<string | undefined> {
    this.#assertOpen();
    const sidecar = maskSidecarFile(this.#layout.resolve(storagePath), fingerprint);
    return (await fileExists(sidecar)) ? sidecar : undefined;
  }

  /** Parses a query with DuckDB's parser. */
  async parseQuery(sql: string): Promise<ParsedQuery> {
    this.#assertOpen();
    return this.#parser.parse(sql);
  }

  /** Rewrites every non-CTE table reference of a single SELECT. */
  async rewriteTableReferences(
    sql: string,
    rewrite: (reference: TableReference) => TableRewrite,
  ): Promise<string> {
    this.#assertOpen();
    return this.#parser.rewrite(sql, rewrite);
  }

  /** Read sessions open now (each holds a sandbox until it closes): for tests and health checks. */
  get readSessionsInUse(): number {
    return this.#sandboxes.sessionsInUse;
  }

  /** Opens a sandboxed read-only session over snapshot files and in-memory tables. */
  async openReadSession(options: {
    attachments: readonly SessionAttachment[];
    tables?: readonly SessionTable[];
    macros?: readonly SessionMacro[];
  }): Promise<ReadSession> {
    this.#assertOpen();
    for (const attachment of options.attachments) await assertExists(attachment.path);
    const sandbox = await this.#sandboxes.acquire({
      attachments: options.attachments,
      tables: options.tables ?? [],
      macros: options.macros ?? [],
    });
    let session: DuckDbReadSession;
    try {
      session = await DuckDbReadSession.create(sandbox.database, {
        onClose: () => {
          this.#open.delete(session);
          sandbox.release();
        },
      });
    } catch (error) {
      sandbox.release();
      throw error;
    }
    this.#open.add(session);
    return session;
  }

  async adoptStaged(
    staged: StagedTable,
    target: Omit<StagingTarget, 'name'>,
    options: { readonly publishedAs?: SnapshotTarget } = {},
  ): Promise<StagedTable> {
    this.#assertOpen();
    const own = this.#layout.runStagingDir(target);
    if (path.dirname(path.resolve(staged.path)) === own) return staged;
    this.#layout.stagingDomainOf(staged.path, target.domain);
    const adopted = this.#layout.stagingFile({ ...target, name: path.basename(staged.path, '.duckdb') });
    const published = options.publishedAs
      ? await fileExists(this.#layout.snapshotLocation(options.publishedAs).absolutePath)
      : false;
    if (!published && !(await fileExists(adopted)) && (await fileExists(staged.path))) {
      await mkdir(own, { recursive: true });
      // A private name per copier: two holders of the run (a lease taken over) never interleave.
      const copying = `${adopted}.adopting-${randomUUID()}`;
      await copyFile(staged.path, copying);
      await syncPath(copying);
      await rename(copying, adopted);
    }
    return { ...staged, path: adopted };
  }

  /** Removes every staging file of a run in a domain. */
  async discardStaging(target: Omit<StagingTarget, 'name'>): Promise<void> {
    this.#assertOpen();
    await rm(this.#layout.runStagingDir(target), { recursive: true, force: true });
  }

  /** Closes the parser, every open session and database; idempotent. */
  async close(): Promise<void> {
    if (this.#isClosed) return;
    this.#isClosed = true;
    for (const resource of [...this.#open]) await resource.close();
    this.#open.clear();
    await this.#sandboxes.close();
    this.#parser.close();
    if (this.#appendAnalyser) (await this.#appendAnalyser.catch(() => undefined))?.close();
  }

  async #stage(
    at: { path: string; signal: AbortSignal | undefined },
    work: (database: DuckDbDatabase) => Promise<StagedTable>,
  ): Promise<StagedTable> {
    this.#assertOpen();
    const { path, signal } = at;
    await prepareStagingFile(path);
    let database: DuckDbDatabase | undefined;
    let watch: AbortWatch | undefined;
    try {
      throwIfAborted(signal);
      database = await this.#openDatabase(path, { readOnly: false });
      watch = watchAbort(database, signal);
      await database.run(CREATE_QUARANTINE_SQL);
      const staged = await work(database);
      throwIfAborted(signal);
      watch.stop();
      this.#closeDatabase(database);
      return staged;
    } catch (error) {
      watch?.stop();
      if (database) this.#closeDatabase(database);
      await removeStagingFile(path);
      throw signal?.aborted ? interruptedError() : error;
    }
  }

  /** Runs read-only work on a table file, interrupted when `signal` aborts. */
  async #readOnly<T>(
    path: string,
    at: { signal: AbortSignal | undefined; work: (database: DuckDbDatabase) => Promise<T> },
  ): Promise<T> {
    throwIfAborted(at.signal);
    const database = await this.#openDatabase(path, { readOnly: true });
    const watch = watchAbort(database, at.signal);
    try {
      return await at.work(database);
    } catch (error) {
      throw at.signal?.aborted ? interruptedError() : error;
    } finally {
      watch.stop();
      this.#closeDatabase(database);
    }
  }

  /** Attaches an input READ_ONLY, exposes it under its name, carries a staged input's quarantine along. */
  async #attachInput(
    database: DuckDbDatabase,
    input: { name: string; path: string; alias: string },
  ): Promise<number> {
    await assertExists(input.path);
    const alias = quoteIdentifier(input.alias);
    await database.run(`ATTACH ${quoteLiteral(input.path)} AS ${alias} (READ_ONLY)`);
    await database.run(
      `CREATE TEMP VIEW ${quoteIdentifier(input.name)} AS SELECT * FROM ${alias}.main.${DATA_TABLE}`,
    );
    if (this.#layout.isStagingFile(input.path)) await copyQuarantine(database, input.alias);
    const [count] = await database.rows(`SELECT count(*) FROM ${alias}.main.${DATA_TABLE}`);
    return Number(count?.[0] ?? 0);
  }

  async #openDatabase(path: string, options: { readOnly: boolean }): Promise<DuckDbDatabase> {
    const database = await DuckDbDatabase.create(path, {
      settings: this.#settings,
      readOnly: options.readOnly,
    });
    this.#open.add(database);
    return database;
  }

  #closeDatabase(database: DuckDbDatabase): void {
    this.#open.delete(database);
    database.close();
  }

  #assertOpen(): void {
    if (this.#isClosed) throw new QuantaError('QUANTA_USAGE', 'the data engine is closed');
  }
}

/** How often an aborted operation interrupts its connection again, until it has stopped. */
const INTERRUPT_REPEAT_MS = 50;

/** Stops watching a signal once the operation it guards has ended. */
interface AbortWatch {
  stop(): void;
}

/**
 * Interrupts the database's running statement when `signal` aborts, and again every few
 * milliseconds until stopped: an interrupt that lands between two statements is lost, so the
 * next one is interrupted too.
 */
function watchAbort(database: DuckDbDatabase, signal: AbortSignal | undefined): AbortWatch {
  if (!signal) return { stop: () => {} };
  let timer: NodeJS.Timeout | undefined;
  const interrupt = () => {
    database.connection.interrupt();
    timer ??= setInterval(() => database.connection.interrupt(), INTERRUPT_REPEAT_MS);
  };
  if (signal.aborted) interrupt();
  else signal.addEventListener('abort', interrupt, { once: true });
  return {
    stop: () => {
      signal.removeEventListener('abort', interrupt);
      clearInterval(timer);
    },
  };
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw interruptedError();
}

function interruptedError(): QuantaError {
  return new QuantaError(
    'QUANTA_INTERRUPTED',
    'the engine stopped: the step timed out or the run was cancelled',
    {
      fix: 'raise the step `timeout`, or make the work smaller',
    },
  );
}

async function assertExists(file: string): Promise<void> {
  try {
    await access(file);
  } catch {
    throw new QuantaError('QUANTA_NOT_FOUND', `${file} does not exist`, {
      fix: 'check that the staged table or snapshot was not discarded',
    });
  }
}
