import type {
  ColumnSpec,
  ColumnType,
  JsonValue,
  QualityReport,
  QualityRule,
  TableProfile,
} from '@quanta/model';

/** Formats the engine can ingest from the landing zone. */
export type IngestFormat = 'csv' | 'json' | 'ndjson' | 'parquet';

/** Where a staged table is written: one staging file per run and name, inside the domain's space. */
export interface StagingTarget {
  readonly domain: string;
  readonly runId: string;
  /** A name unique within the run (the workflow step name, say). */
  readonly name: string;
}

/** Reads raw files into a staged table, enforcing the contract's columns. */
export interface IngestRequest {
  /** Absolute paths of the files to read (already resolved from a glob). */
  readonly files: readonly string[];
  readonly format: IngestFormat;
  /** The contract's columns: names, types and `required` are enforced; bad rows are quarantined. */
  readonly columns: readonly ColumnSpec[];
  readonly target: StagingTarget;
}

/** A relation a transform can read, by the name the SQL uses. */
export interface RelationFile {
  /** Absolute path of a staged or snapshot file. */
  readonly path: string;
}

/** Runs a SQL transform into a staged table. */
export interface TransformRequest {
  readonly sql: string;
  /** Relations the SQL reads, by name (input ports, earlier steps' results). */
  readonly inputs: Readonly<Record<string, RelationFile>>;
  readonly target: StagingTarget;
}

/**
 * Appends new rows to a port's previous snapshot (an incremental ingest): the staged table holds
 * the base's rows first, then the delta's, and its quarantine holds both files' rejected rows,
 * so the appended snapshot accounts for every row ever landed (ADR 013).
 */
export interface AppendRequest {
  /** The previous snapshot (or a staged table): its rows and quarantine come first. */
  readonly base: RelationFile;
  /** The new rows (an ingest's staged table); absent when no new file arrived: a copy of the base. */
  readonly delta?: RelationFile;
  readonly target: StagingTarget;
}

/**
 * Whether a transform distributes over appends to one relation it reads: its result over the
 * relation's rows followed by new rows is its result over the old rows followed by its result
 * over the new rows (as a multiset), so an incremental run may compute the new rows only (ADR 018).
 */
export type AppendDistributivity =
  | { readonly isDistributive: true }
  | { readonly isDistributive: false; readonly reason: string };

/** Stages the rows an appended snapshot gained after an earlier one (ADR 018). */
export interface AppendedRowsRequest {
  /** A snapshot (or staged table) whose first `baseRows` rows are an earlier snapshot's, in order. */
  readonly source: RelationFile;
  readonly baseRows: number;
  readonly target: StagingTarget;
}

/** The rows after the base, staged; or why the table does not start with `baseRows` untouched rows. */
export type AppendedRows =
  | { readonly kind: 'staged'; readonly table: StagedTable }
  | { readonly kind: 'notAppended'; readonly reason: string };

/** A staged table: data written but not yet published. */
export interface StagedTable {
  /** Absolute path of the staging file. */
  readonly path: string;
  readonly rowCount: number;
  /** Rows rejected into the staging file's quarantine table, each with a reason. */
  readonly quarantinedRows: number;
  /** Rows read from the source: always rowCount + quarantinedRows for an ingest or an append. */
  readonly rowsIn: number;
  readonly columns: readonly ColumnType[];
  /** Hash of the column names and types, in order. */
  readonly schemaHash: string;
  /** For a transform: which input columns each output column derives from, when it could be derived. */
  readonly columnLineage?: ColumnLineage;
}

/** What the engine may be told while it works: an abort signal interrupts the running statement. */
export interface EngineCallOptions {
  /** Aborts (a step timeout, a cancelled run): the running DuckDB statement is interrupted. */
  readonly signal?: AbortSignal;
}

/** How to profile a table. */
export interface ProfileOptions extends EngineCallOptions {
  /**
   * The table is an appended snapshot: its first `baseRows` rows are those `baseProfile` was
   * computed on. The exact statistics are then computed on the new rows only and merged (ADR
   * 016); a base profile that cannot be merged (another sketch scheme, other columns) makes it
   * a full profile.
   */
  readonly incremental?: { readonly baseRows: number; readonly baseProfile: TableProfile };
}

/** Kinds of personal or sensitive data the classifier recognises. */
export type SensitiveKind =
  | 'email'
  | 'phone'
  | 'iban'
  | 'payment-card'
  | 'ip-address'
  | 'person-name'
  | 'birth-date'
  | 'street-address';

/** One kind found in a column: in its sampled values (with the share that matched) or in its name. */
export type KindDetection =
  | {
      readonly kind: SensitiveKind;
      readonly evidence: 'values';
      readonly matched: number;
      readonly ratio: number;
    }
  | { readonly kind: SensitiveKind; readonly evidence: 'name' };

/** What the classifier found in one column of a table. */
export interface ColumnClassification {
  readonly column: string;
  readonly type: string;
  /** Non-null values sampled (0 when the column is not text: only its name is looked at). */
  readonly sampled: number;
  /** Kinds with at least one matching value, or hinted by the name; strongest first. */
  readonly detections: readonly KindDetection[];
}

/** How to classify the columns of a staged table or snapshot. */
export interface ClassifyOptions extends EngineCallOptions {
  /** Non-null values sampled per text column at most (10,000 by default), deterministically. */
  readonly sampleSize?: number;
}

/**
 * Which input columns an output column of a transform derives from. DIRECT: the value comes from
 * them (IDENTITY, TRANSFORMATION, AGGREGATION); INDIRECT: they decide which rows or in which order
 * (FILTER, JOIN, GROUP_BY, SORT, WINDOW, CONDITIONAL), as in OpenLineage's column lineage facet.
 */
export interface LineageTransformation {
  readonly type: 'DIRECT' | 'INDIRECT';
  readonly subtype:
    | 'IDENTITY'
    | 'TRANSFORMATION'
    | 'AGGREGATION'
    | 'FILTER'
    | 'JOIN'
    | 'GROUP_BY'
    | 'SORT'
    | 'WINDOW'
    | 'CONDITIONAL';
}

/** An input column of a transform: the relation (the name the SQL reads) and its column. */
export interface LineageInputField {
  readonly relation: string;
  readonly column: string;
  readonly transformations: readonly LineageTransformation[];
}

/**
 * The column lineage of a transform, from DuckDB's parse tree: per output column its DIRECT
 * inputs, and the INDIRECT inputs affecting the whole result. Columns that cannot be resolved
 * are left out rather than guessed.
 */
export interface ColumnLineage {
  readonly fields: Readonly<Record<string, readonly LineageInputField[]>>;
  readonly dataset: readonly LineageInputField[];
}

/** One check of an audit. */
export interface AuditCheck {
  readonly name: string;
  readonly passed: boolean;
  readonly detail: string;
  readonly column?: string;
}

/** The audit of a staged table against its contract: a value, never thrown. */
export interface AuditResult {
  readonly passed: boolean;
  readonly checks: readonly AuditCheck[];
}

/** What to check a staged table or snapshot against: the contract's columns and quality clauses. */
export interface QualityRequest {
  readonly columns: readonly ColumnSpec[];
  readonly rules: readonly QualityRule[];
  /** The contract's table name, which `sql` rules read (and `${table}` stands for). */
  readonly tableName: string;
  /** Pinned upstream snapshots foreign keys check against, by target contract file. */
  readonly references?: Readonly<Record<string, RelationFile>>;
  /** The time freshness, retention and frequency are measured at (ISO 8601). */
  readonly now: string;
  /**
   * When the port last published (its current snapshot's creation, ISO 8601): `frequency` SLA
   * clauses measure the interval from it to `now`. Absent for a port's first snapshot, whose
   * frequency clauses cannot be measured.
   */
  readonly lastPublishedAt?: string;
  /**
   * Check only the rows appended after the first `baseRows` (an appended snapshot: the previous
   * snapshot's rows, then the delta), combining with the report the base was published with.
   * Valid when the rules and pinned references are those the base was checked with; a rule the
   * base report cannot be combined with makes the whole check a full scan.
   */
  readonly incremental?: { readonly baseRows: number; readonly baseReport: QualityReport };
}

/** Where a snapshot file goes when published. */
export interface SnapshotTarget {
  readonly domain: string;
  readonly product: string;
  readonly port: string;
  /** A unique id for the file (the catalog assigns the version number). */
  readonly snapshotId: string;
}

/** A staged table moved to its immutable place. */
export interface PromotedSnapshot {
  /** Path relative to the storage root. */
  readonly storagePath: string;
  readonly bytes: number;
}

/**
 * What a snapshot's mask sidecar holds (ADR 019): per row of the snapshot, its rowid and, per
 * column, the keyed hash the `hash` mask would compute at query time, precomputed once.
 */
export interface MaskSidecarRequest {
  /** The hash as a SQL macro of one parameter (the value as VARCHAR); defined only while building. */
  readonly macro: { readonly name: string; readonly parameters: readonly string[]; readonly body: string };
  /** Columns of the snapshot's `data` to hash. */
  readonly columns: readonly string[];
  /** Each hashed column is named `<columnPrefix><column>` in the sidecar's table `hashes`. */
  readonly columnPrefix: string;
  /**
   * Identifies the key and the columns (8 to 64 lower-case hex digits, part of the file name):
   * a reader uses a sidecar only under the fingerprint it expects.
   */
  readonly fingerprint: string;
  /**
   * The snapshot this one appended its rows to (ADR 018), when its rows are this snapshot's
   * first `rows` rows: its sidecar under the same fingerprint, if there is one, gives their
   * hashes, and only the appended rows are hashed. A base sidecar that does not check out is
   * ignored (the whole snapshot is hashed).
   */
  readonly base?: { readonly storagePath: string; readonly rows: number };
}

/** A mask sidecar next to its snapshot: written now, or found already there. */
export interface MaskSidecar {
  readonly kind: 'built' | 'existing';
  /** Absolute path of the sidecar file. */
  readonly path: string;
  /** Rows whose hashes were computed now (the appended ones when the base's sidecar was reused). */
  readonly hashedRows?: number;
}

/** A table reference found in a query, as written. */
export interface TableReference {
  readonly catalog?: string;
  readonly schema?: string;
  readonly table: string;
}

/** What parsing a consumer query found. */
export interface ParsedQuery {
  /** True when the text is exactly one SELECT statement. */
  readonly isSingleSelect: boolean;
  readonly tableReferences: readonly TableReference[];
  /** Table functions the query calls (`read_csv`, `range`, ...): consumers may not call any. */
  readonly tableFunctions: readonly string[];
  /** Scalar, aggregate and window functions the query calls, lower-cased (`lower`, `count_star`). */
  readonly functions: readonly string[];
  /** Functions called with a schema or catalog, as `schema.name` or `catalog.schema.name`, lower-cased. */
  readonly qualifiedFunctions: readonly string[];
}

/**
 * What a table reference is rewritten to: another table, or a derived table whose SQL (a single
 * SELECT) replaces the reference in the tree, under the reference's alias.
 */
export type TableRewrite = TableReference | { readonly subquery: string };

/** A SQL macro defined in a read session before it is locked (the keyed hash of masks). */
export interface SessionMacro {
  readonly name: string;
  readonly parameters: readonly string[];
  /** Trailing parameters a call may leave out: they default to NULL. */
  readonly optional?: readonly string[];
  /** The macro's body: one SQL expression over its parameters. */
  readonly body: string;
}

/** A table a read session exposes: a snapshot file attached read-only under a name. */
export interface SessionAttachment {
  /** The database alias the rewritten SQL uses. */
  readonly alias: string;
  readonly path: string;
}

/** An in-memory table loaded into a read session (the `quanta_catalog` schema). */
export interface SessionTable {
  readonly schema: string;
  readonly name: string;
  readonly columns: readonly ColumnType[];
  readonly rows: readonly (readonly JsonValue[])[];
}

/** Rows of a query, with the columns' names and types. */
export interface QueryResult {
  readonly columns: readonly ColumnType[];
  readonly rows: readonly JsonValue[][];
}

/**
 * The rows of a query as the engine produces them: the columns first, then chunks of rows
 * (a few thousand each), so that no result is ever held whole in memory. Stopping early
 * (`break` out of a `for await`, or `close`) stops the query.
 */
export interface RowStream extends AsyncIterable<JsonValue[][]> {
  readonly columns: readonly ColumnType[];
  /** Stops reading: the rest of the result is dropped. Idempotent. */
  close(): Promise<void>;
}

/** A sandboxed, read-only query session: no file access, locked configuration. */
export interface ReadSession {
  /** Runs one SELECT and returns all its rows (small results; built on `stream`). */
  query(sql: string): Promise<QueryResult>;
  /** Runs one SELECT and returns its rows chunk by chunk; one stream at a time per session. */
  stream(sql: string): Promise<RowStream>;
  /** Closes the session, stopping a stream still open. */
  close(): Promise<void>;
}

/**
 * Quanta's data plane: ingest, transform, audit, promote and sandboxed reads. Free of any
 * engine vendor type, so engines other than DuckDB can plug in behind it.
 */
export interface DataEngine {
  ingest(request: IngestRequest, options?: EngineCallOptions): Promise<StagedTable>;
  transform(request: TransformRequest, options?: EngineCallOptions): Promise<StagedTable>;
  /** Appends a delta to a base table, rows and quarantines alike (see {@link AppendRequest}). */
  append(request: AppendRequest, options?: EngineCallOptions): Promise<StagedTable>;
  /**
   * Stages the rows of a table after its first `baseRows` (by rowid: an appended snapshot keeps
   * its base's rows first, in order), without its quarantine. A table whose first `baseRows`
   * rowids are not all present gives `notAppended`.
   */
  stageAppendedRows(request: AppendedRowsRequest, options?: EngineCallOptions): Promise<AppendedRows>;
  /** Decides from DuckDB's parse tree whether `sql` distributes over appends to `relation` (ADR 018). */
  checkAppendDistributive(sql: string, options: { relation: string }): Promise<AppendDistributivity>;
  audit(staged: StagedTable, columns: readonly ColumnSpec[]): Promise<AuditResult>;
  /**
   * Checks every quality clause of a staged table or snapshot in as few scans as the rules
   * allow; on a staged table, rows failing `quarantine` rules are routed to its quarantine.
   */
  checkQuality(
    table: RelationFile,
    request: QualityRequest,
    options?: EngineCallOptions,
  ): Promise<QualityReport>;
  /** Profiles every column of a staged table or snapshot in two scans; incrementally when asked. */
  profile(table: RelationFile, options?: ProfileOptions): Promise<TableProfile>;
  /**
   * Looks for personal and sensitive data in a staged table or snapshot: a bounded,
   * deterministic sample of each text column's values against detectors (email, phone, IBAN,
   * payment card, IP address), and every column's name against hints (names, birth dates, addresses).
   */
  classifyColumns(table: RelationFile, options?: ClassifyOptions): Promise<ColumnClassification[]>;
  promote(staged: StagedTable, target: SnapshotTarget): Promise<PromotedSnapshot>;
  /** Absolute path of a published snapshot from its storage path. */
  resolveStoragePath(storagePath: string): string;
  /**
   * Deletes a published snapshot's file, and its mask sidecars, once the catalog no longer lists
   * it (retention): read sessions kept open over them are closed first, so nothing reads them afterwards.
   */
  removeSnapshot(storagePath: string): Promise<void>;
  /**
   * Writes the mask sidecar of a published snapshot next to it (`<snapshot>.masks-<fingerprint>.duckdb`,
   * read-only, table `hashes` keyed by the rowid of `data`); nothing when it exists already.
   */
  buildMaskSidecar(storagePath: string, request: MaskSidecarRequest): Promise<MaskSidecar>;
  /** The absolute path of a snapshot's mask sidecar for a fingerprint, when it exists. */
  maskSidecarPath(storagePath: string, fingerprint: string): Promise<string | undefined>;
  parseQuery(sql: string): Promise<ParsedQuery>;
  /**
   * Rewrites every table reference of a single SELECT; the callback returns the new reference
   * or a derived table (a subquery) that replaces it.
   */
  rewriteTableReferences(sql: string, rewrite: (reference: TableReference) => TableRewrite): Promise<string>;
  openReadSession(options: {
    attachments: readonly SessionAttachment[];
    tables?: readonly SessionTable[];
    macros?: readonly SessionMacro[];
  }): Promise<ReadSession>;
  /**
   * The staged table as a staging file of `runId`: itself when it already is one, otherwise a
   * copy made once (a re-run from a step borrows an earlier run's staged tables, and publishing
   * moves the file: the earlier run keeps its own, for the next re-run). The copy's path is
   * fixed by the original's name, so a resumed run finds it again. When the copy was already
   * published as `publishedAs` (the run died after the rename), no copy is made again: the
   * returned path no longer exists, and promoting it returns that snapshot.
   */
  adoptStaged(
    staged: StagedTable,
    target: Omit<StagingTarget, 'name'>,
    options?: { readonly publishedAs?: SnapshotTarget },
  ): Promise<StagedTable>;
  /** Removes a run's staging files. */
  discardStaging(target: Omit<StagingTarget, 'name'>): Promise<void>;
  close(): Promise<void>;
}
