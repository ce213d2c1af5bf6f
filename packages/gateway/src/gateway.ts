import {
  type DataEngine,
  MASK_SIDECAR_ROW_KEY,
  MASK_SIDECAR_TABLE,
  type ParsedQuery,
  type QueryResult,
  type ReadSession,
  type RowStream,
  type SessionAttachment,
  type SessionMacro,
  type TableReference,
  type TableRewrite,
} from '@quanta/engine';
import {
  type AccessPolicy,
  hashMaskMacro,
  maskSidecarPlan,
  type PortAccess,
  type PortAction,
  type Principal,
} from '@quanta/governance';
import {
  type JsonValue,
  type PortRecord,
  parseAddress,
  portSqlName,
  QuantaError,
  type SnapshotRecord,
  toQuantaError,
} from '@quanta/model';
import type { AuditStore, CatalogStore, NewAuditEvent } from '@quanta/store';
import {
  buildCatalogTables,
  CATALOG_SCHEMA,
  CATALOG_TABLE_NAMES,
  type CatalogFacts,
} from './catalog-tables.ts';
import { visibleCatalogFacts, visibleRelations } from './catalog-visibility.ts';
import { summarizeDomainUsage } from './domain-usage.ts';
import { GatewayRowStream, type GatewayStream, type PortRead, type StreamEnd } from './gateway-stream.ts';
import { LruCache } from './lru-cache.ts';
import { PG_CATALOG_FUNCTION_NAMES, PG_CATALOG_MACROS } from './pg-catalog-functions.ts';
import { buildPgCatalogTables, pgCatalogTableOf } from './pg-catalog-tables.ts';
import { portNameOfPgReference } from './pg-schema-names.ts';
import { compilePortView, type PortView, type PrecomputedHashes } from './port-view.ts';
import { checkFunctions, checkQualifiedFunctions, isSystemReference } from './sql-guard.ts';

/** The rows of a consumer query and what it read. */
export interface GatewayResult extends QueryResult {
  readonly reads: readonly PortRead[];
  readonly durationMs: number;
}

/** Who is asking: the principal whose rights apply, and who sent the request when impersonating. */
export interface QueryIdentity {
  /** A principal id of the user referential. */
  readonly principal: string;
  /** The sender when it is not the principal (`quanta query --as`): must be allowed to `administer`. */
  readonly actor?: string;
}

/**
 * What a consumer does with a query's rows, authorized on every port it reads and recorded as
 * the audit event's action: `query` (rows answered as JSON, a CLI table, PostgreSQL rows) or
 * `export` (rows taken out in bulk files: CSV, Arrow, Parquet), which needs `query` too.
 */
export type QueryAction = Extract<PortAction, 'query' | 'export'>;

/** How a query's rows are used. */
export interface QueryOptions {
  /** `query` when omitted; front doors writing CSV, Arrow or Parquet say `export`. */
  readonly action?: QueryAction;
}

/** What a gateway is wired to. */
export interface GatewayOptions {
  readonly engine: DataEngine;
  readonly store: CatalogStore;
  /** Where every decision is recorded. */
  readonly audit: AuditStore;
  /** The policies in force (loaded once, then cached by the caller). */
  readonly access: () => Promise<AccessPolicy>;
  /** The mesh secret keying the hash mask. */
  readonly secret: () => Promise<Buffer>;
  /**
   * The port addresses a principal holds an active grant on, asked at every query so that an
   * expired grant stops working without anyone acting; none when omitted.
   */
  readonly grants?: (principal: string) => Promise<readonly string[]>;
}

/** A table reference resolved to what backs it. */
type ResolvedReference =
  | { readonly kind: 'port'; readonly snapshot: SnapshotRecord; readonly port: PortRecord }
  | { readonly kind: 'catalog'; readonly table: string }
  | { readonly kind: 'pg-catalog'; readonly table: TableReference };

/** A query past every check, running on its session. */
interface RunningQuery {
  readonly session: ReadSession;
  readonly rows: RowStream;
  readonly reads: PortRead[];
}

/** What the audit records of one query, filled as the query goes. */
interface QueryTrail {
  policies: string[];
  ports: string[];
  columns: string[];
}

const VERSIONED_TABLE = /^(.*)@(\d+)$/;

/** Query texts whose parse and rewrite are kept (BI tools and dashboards repeat theirs). */
const QUERIES_KEPT = 512;
/** Port access decisions kept per policy set. */
const DECISIONS_KEPT = 4_096;

/**
 * Table functions that compute rows from their arguments alone, with no access to a file, a
 * setting or the catalog: psql's `\d` calls `generate_series`. Every other one is refused.
 */
const PURE_TABLE_FUNCTIONS: ReadonlySet<string> = new Set(['generate_series', 'unnest']);

/**
 * Every consumer read goes through the gateway: it authenticates the principal against the
 * user referential, parses the SQL with the engine's own parser, allows a single SELECT over
 * published ports and `quanta_catalog` only, authorizes each port and column with the policies,
 * replaces each port reference by a derived table carrying its masks and row filters, runs the
 * query on a sandboxed read-only session, and audits the decision whatever it is.
 */
export class Gateway {
  readonly #options: GatewayOptions;
  readonly #parsed = new LruCache<string, ParsedQuery>(QUERIES_KEPT);
  readonly #rewritten = new LruCache<string, string>(QUERIES_KEPT);
  readonly #decisions = new WeakMap<AccessPolicy, LruCache<string, PortAccess>>();

  private constructor(options: GatewayOptions) {
    this.#options = options;
  }

  /** Wires a gateway. */
  static create(options: GatewayOptions): Gateway {
    return new Gateway(options);
  }

  /**
   * Runs a read-only query as a principal and returns all its rows (small results, tests,
   * the demo); built on `stream`, audited the same way.
   */
  async query(sql: string, identity: QueryIdentity, options: QueryOptions = {}): Promise<GatewayResult> {
    const stream = await this.stream(sql, identity, options);
    const rows: JsonValue[][] = [];
    for await (const chunk of stream) for (const row of chunk) rows.push(row);
    return { columns: stream.columns, rows, reads: stream.reads, durationMs: stream.durationMs };
  }

  /**
   * Runs a read-only query as a principal and returns its rows as they are produced. A refusal
   * or an error before the first row rejects (and is audited at once); otherwise the query is
   * audited when the stream ends: read to the end, failed, or closed early by the consumer
   * (recorded with the rows handed out and reason QUANTA_QUERY_CANCELED). Every port read is
   * authorized for the action (`query`, or `export` for bulk files) before any row is produced,
   * and the audit event records that action.
   */
  async stream(sql: string, identity: QueryIdentity, options: QueryOptions = {}): Promise<GatewayStream> {
    const started = performance.now();
    const action = options.action ?? 'query';
    const trail: QueryTrail = { policies: [], ports: [], columns: [] };
    const event = (outcome: Pick<NewAuditEvent, 'decision' | 'reason' | 'rowsReturned'>): NewAuditEvent => ({
      principal: identity.principal,
      actor: identity.actor ?? identity.principal,
      action,
      statement: sql,
      ...outcome,
      policies: [...new Set(trail.policies)],
      ports: trail.ports,
      columns: trail.columns,
      durationMs: performance.now() - started,
    });
    let running: RunningQuery;
    try {
      running = await this.#run(sql, { identity, action, trail });
    } catch (error) {
      await this.#options.audit.appendAuditEvent(event(refusalOutcome(error)));
      throw error;
    }
    return new GatewayRowStream(running.rows, {
      reads: running.reads,
      started,
      finish: async (end, rowCount) => {
        await running.session.close();
        await this.#options.audit.appendAuditEvent(event(endOutcome(end, rowCount)));
      },
    });
  }

  async #run(
    sql: string,
    context: { identity: QueryIdentity; action: QueryAction; trail: QueryTrail },
  ): Promise<RunningQuery> {
    // The parse does not depend on who asks: it runs while the principal is checked, and a
    // refused principal still wins over a syntax error.
    const parsing = this.#parse(sql);
    parsing.catch(() => undefined);
    const access = await this.#options.access();
    const principal = await this.#withGrants(authenticate(access, context));
    const parsed = await parsing;
    if (!parsed.isSingleSelect) {
      throw new QuantaError('QUANTA_SQL_FORBIDDEN', 'only a single SELECT statement is allowed', {
        fix: 'send one SELECT (or WITH ... SELECT) statement',
      });
    }
    const tableFunctions = parsed.tableFunctions.filter(
      (name) => !PURE_TABLE_FUNCTIONS.has(name.toLowerCase()),
    );
    if (tableFunctions.length > 0) {
      throw new QuantaError(
        'QUANTA_SQL_FORBIDDEN',
        `table functions are not allowed: ${tableFunctions.join(', ')}`,
        { fix: 'read published ports by name, e.g. sales.orders.orders' },
      );
    }
    checkFunctions(parsed.functions);
    checkQualifiedFunctions(parsed.qualifiedFunctions);
    const ports = await this.#portsBySqlName();
    const resolved = new Map<string, ResolvedReference>();
    for (const reference of parsed.tableReferences) {
      resolved.set(referenceKey(reference), await this.#resolve(reference, { ports, access, principal }));
    }
    const attachments = attachmentsFor(resolved);
    const sidecars: SessionAttachment[] = [];
    const views = await this.#views({
      access,
      principal,
      resolved,
      attachments,
      sidecars,
      action: context.action,
      trail: context.trail,
    });
    // Every check has passed: the session opens while the parser prints the rewritten tree.
    const opening = this.#openSession({ access, principal, parsed, resolved, attachments, sidecars, views });
    opening.catch(() => undefined); // awaited below; a failure to open must not go unhandled meanwhile
    let rewritten: string;
    try {
      rewritten = await this.#rewrite(sql, {
        parsed,
        rewrite: (reference) => rewriteReference(reference, { resolved, attachments, views }),
      });
    } catch (error) {
      await opening.then(
        (session) => session.close(),
        () => undefined,
      );
      throw error;
    }
    const session = await opening;
    try {
      const rows = await session.stream(rewritten);
      return { session, rows, reads: readsOf(resolved) };
    } catch (error) {
      await session.close();
      throw hiddenColumnError(error, views);
    }
  }

  /** A sandboxed session with the query's snapshots attached, and its session tables and macros. */
  async #openSession(context: {
    access: AccessPolicy;
    principal: Principal;
    parsed: ParsedQuery;
    resolved: Map<string, ResolvedReference>;
    attachments: Map<string, SessionAttachment>;
    /** Mask sidecars the views read, by absolute path. */
    sidecars: readonly SessionAttachment[];
    views: Map<string, PortView>;
  }): Promise<ReadSession> {
    const { access, principal, resolved } = context;
    const needsCatalog = [...resolved.values()].some((target) => target.kind === 'catalog');
    const needsPgCatalog =
      [...resolved.values()].some((target) => target.kind === 'pg-catalog') ||
      context.parsed.functions.some((name) => PG_CATALOG_FUNCTION_NAMES.has(name));
    return this.#options.engine.openReadSession({
      attachments: [
        ...[...context.attachments.values()].map((attachment) => ({
          alias: attachment.alias,
          path: this.#options.engine.resolveStoragePath(attachment.path),
        })),
        ...context.sidecars,
      ],
      tables: [
        ...(needsCatalog
          ? buildCatalogTables(visibleCatalogFacts(await this.#catalogFacts(access), { access, principal }))
          : []),
        ...(needsPgCatalog ? await this.#pgCatalogTables({ access, principal }) : []),
      ],
      macros: [
        ...([...context.views.values()].some((view) => view.usesHash) ? [await this.#hashMacro()] : []),
        ...(needsPgCatalog ? PG_CATALOG_MACROS : []),
      ],
    });
  }

  /** Parses with the engine; the answer for a text is always the same, so recent ones are kept. */
  async #parse(sql: string): Promise<ParsedQuery> {
    const cached = this.#parsed.get(sql);
    if (cached) return cached;
    const parsed = await this.#options.engine.parseQuery(sql);
    this.#parsed.set(sql, parsed);
    return parsed;
  }

  /**
   * Rewrites the table references. The printed SQL depends only on the text and on what each
   * reference becomes (the view SQL, with the principal's filters and masks in it), so a query
   * seen with the same targets reuses it instead of three more round trips to the parser.
   */
  async #rewrite(
    sql: string,
    context: { parsed: ParsedQuery; rewrite: (reference: TableReference) => TableRewrite },
  ): Promise<string> {
    const key = JSON.stringify([sql, context.parsed.tableReferences.map(context.rewrite)]);
    const cached = this.#rewritten.get(key);
    if (cached !== undefined) return cached;
    const rewritten = await this.#options.engine.rewriteTableReferences(sql, context.rewrite);
    this.#rewritten.set(key, rewritten);
    return rewritten;
  }

  /**
   * A principal's access to a port for an action. Decisions are a function of the policies, the
   * principal's attributes and grants, the action and the port's columns (no time in the
   * context), so they are kept per policy set: a new policy set (apply, referential change)
   * starts afresh, and a grant that expires changes the principal's grants, hence the key.
   */
  #portAccess(
    access: AccessPolicy,
    context: { principal: Principal; port: PortRecord; action: QueryAction },
  ): PortAccess {
    let decisions = this.#decisions.get(access);
    if (!decisions) {
      decisions = new LruCache<string, PortAccess>(DECISIONS_KEPT);
      this.#decisions.set(access, decisions);
    }
    const { principal, port, action } = context;
    const key = JSON.stringify([
      principal,
      action,
      port.address,
      port.hash,
      port.columns.map((column) => column.name),
    ]);
    const cached = decisions.get(key);
    if (cached) return cached;
    const decided = access.portAccess(principal, port, { action });
    decisions.set(key, decided);
    return decided;
  }

  /**
   * One view per port snapshot read: authorized, masked and filtered. A view hashing a column
   * reads the snapshot's mask sidecar when one exists for the current key (added to `sidecars`).
   */
  async #views(context: {
    access: AccessPolicy;
    principal: Principal;
    resolved: Map<string, ResolvedReference>;
    attachments: Map<string, SessionAttachment>;
    sidecars: SessionAttachment[];
    action: QueryAction;
    trail: QueryTrail;
  }): Promise<Map<string, PortView>> {
    const views = new Map<string, PortView>();
    for (const target of context.resolved.values()) {
      if (target.kind !== 'port') continue;
      const key = snapshotKey(target.snapshot);
      if (views.has(key)) continue;
      const portAccess = this.#portAccess(context.access, {
        principal: context.principal,
        port: target.port,
        action: context.action,
      });
      context.trail.ports.push(key);
      context.trail.policies.push(...portAccess.policies);
      if (portAccess.kind === 'denied') throw deniedError(context.principal, portAccess);
      context.trail.policies.push(...portAccess.actionPolicies);
      const attachment = context.attachments.get(key);
      if (!attachment) throw new QuantaError('QUANTA_INTERNAL', `no attachment for ${key}`);
      const precomputed = await this.#precomputedHashes(portAccess, { target, sidecars: context.sidecars });
      const view = compilePortView(portAccess, {
        table: `"${attachment.alias}"."main"."data"`,
        columns: target.snapshot.columns,
        ...(precomputed ? { precomputed } : {}),
      });
      context.trail.columns.push(...view.columns);
      for (const column of portAccess.columns) context.trail.policies.push(...column.policies);
      views.set(key, view);
    }
    return views;
  }

  /**
   * The mask sidecar a view reads its hashes from: the one built for this snapshot under the
   * current key and the columns the port's contract marks (ADR 019), when the principal sees
   * at least one of them hashed and the file exists. Otherwise hashes are computed per query.
   */
  async #precomputedHashes(
    access: Extract<PortAccess, { kind: 'granted' }>,
    context: { target: Extract<ResolvedReference, { kind: 'port' }>; sidecars: SessionAttachment[] },
  ): Promise<PrecomputedHashes | undefined> {
    const hashed = access.columns.flatMap((column) =>
      column.kind === 'masked' && column.mask === 'hash' ? [column.column] : [],
    );
    if (hashed.length === 0) return undefined;
    const { port, snapshot } = context.target;
    const plan = maskSidecarPlan(await this.#options.secret(), {
      portColumns: port.columns,
      snapshotColumns: snapshot.columns,
    });
    const covered = hashed.filter((column) => plan?.columns.includes(column));
    if (!plan || covered.length === 0) return undefined;
    const path = await this.#options.engine.maskSidecarPath(snapshot.storagePath, plan.fingerprint);
    if (!path) return undefined;
    const alias = `masks_${context.sidecars.length + 1}`;
    context.sidecars.push({ alias, path });
    return {
      table: `"${alias}"."main"."${MASK_SIDECAR_TABLE}"`,
      rowKey: MASK_SIDECAR_ROW_KEY,
      columns: new Set(covered),
    };
  }

  async #withGrants(principal: Principal): Promise<Principal> {
    const grants = (await this.#options.grants?.(principal.id)) ?? [];
    return { ...principal, grants };
  }

  async #hashMacro(): Promise<SessionMacro> {
    return hashMaskMacro(await this.#options.secret());
  }

  async #portsBySqlName(): Promise<Map<string, PortRecord>> {
    const catalog = await this.#options.store.loadCatalog();
    return new Map(catalog.ports.map((port) => [portSqlName(port.domain, port.product, port.name), port]));
  }

  /** Quanta's `pg_catalog` and `information_schema` for a principal: the ports it may read, as it sees them. */
  async #pgCatalogTables(context: { access: AccessPolicy; principal: Principal }) {
    const store = this.#options.store;
    const [catalog, currentSnapshots] = await Promise.all([
      store.loadCatalog(),
      store.listCurrentSnapshots(),
    ]);
    return buildPgCatalogTables(visibleRelations({ catalog, currentSnapshots }, context));
  }

  async #resolve(
    reference: TableReference,
    context: { ports: Map<string, PortRecord>; access: AccessPolicy; principal: Principal },
  ): Promise<ResolvedReference> {
    const pgTable = pgCatalogTableOf(reference);
    if (pgTable) return { kind: 'pg-catalog', table: pgTable };
    if (isSystemReference(reference)) {
      throw new QuantaError('QUANTA_SQL_FORBIDDEN', 'system tables and catalogs are not available', {
        fix: `query published ports, or the ${CATALOG_SCHEMA} schema for metadata`,
      });
    }
    if (isCatalogReference(reference)) return resolveCatalogTable(reference);
    const { port, version } = portReadOf(reference, context);
    const store = this.#options.store;
    const snapshot =
      version === undefined
        ? await store.getCurrentSnapshot(port.address)
        : await store.getSnapshot(port.address, version);
    if (!snapshot) {
      const wanted = version === undefined ? port.address : `${port.address}@${version}`;
      throw new QuantaError('QUANTA_NOT_FOUND', `${wanted} has no published snapshot`, {
        address: port.address,
        fix:
          version === undefined
            ? `run the product: quanta run ${port.domain}/${port.product}`
            : `list versions with: quanta catalog show ${port.address}`,
      });
    }
    return { kind: 'port', snapshot, port };
  }

  async #catalogFacts(access: AccessPolicy): Promise<CatalogFacts> {
    const store = this.#options.store;
    const [catalog, currentSnapshots, runs] = await Promise.all([
      store.loadCatalog(),
      store.listCurrentSnapshots(),
      store.listRuns({ limit: 10_000 }),
    ]);
    const history = await Promise.all(catalog.ports.map((port) => store.listSnapshots(port.address)));
    const usage = await summarizeDomainUsage(this.#options.audit, {
      domains: catalog.domains.map((domain) => domain.name),
      referential: access.referential,
    });
    const snapshots = history.flat();
    const [quality, profiled] = await Promise.all([
      store.listQualityReports({ limit: 10_000 }),
      Promise.all(snapshots.map((snapshot) => store.getProfile(snapshot.port, snapshot.version))),
    ]);
    const profiles = snapshots.flatMap((snapshot, index) => {
      const profile = profiled[index];
      return profile ? [{ port: snapshot.port, version: snapshot.version, profile }] : [];
    });
    return { catalog, currentSnapshots, runs, snapshots, usage, quality, profiles };
  }
}

/** The audit outcome of a query refused or failed before its first row. */
function refusalOutcome(error: unknown): Pick<NewAuditEvent, 'decision' | 'reason'> {
  const quantaError = toQuantaError(error);
  const isDenied = quantaError.code === 'QUANTA_POLICY_DENIED' || quantaError.code === 'QUANTA_SQL_FORBIDDEN';
  return { decision: isDenied ? 'deny' : 'error', reason: `${quantaError.code} ${quantaError.message}` };
}

/** The audit outcome of a query whose rows were streamed. */
function endOutcome(
  end: StreamEnd,
  rowCount: number,
): Pick<NewAuditEvent, 'decision' | 'reason' | 'rowsReturned'> {
  switch (end.kind) {
    case 'complete':
      return { decision: 'allow', rowsReturned: rowCount };
    case 'stopped':
      return {
        decision: 'allow',
        rowsReturned: rowCount,
        reason: `QUANTA_QUERY_CANCELED the consumer stopped reading after ${rowCount} rows`,
      };
    case 'failed': {
      const quantaError = toQuantaError(end.error);
      return {
        decision: 'error',
        rowsReturned: rowCount,
        reason: `${quantaError.code} ${quantaError.message}`,
      };
    }
  }
}

/** The principal of the request, after checking the impersonation when there is one. */
function authenticate(
  access: AccessPolicy,
  context: { identity: QueryIdentity; trail: QueryTrail },
): Principal {
  const { principal: id, actor: actorId } = context.identity;
  if (actorId !== undefined && actorId !== id) {
    const actor = access.principal(actorId);
    if (!actor) throw unknownPrincipalError(actorId);
    const decision = access.authorize(actor, { action: 'administer', resource: { type: 'Mesh' } });
    context.trail.policies.push(...decision.policies);
    if (decision.kind === 'deny') {
      throw new QuantaError('QUANTA_POLICY_DENIED', `${actorId} may not act as ${id}: ${decision.reason}`, {
        fix: 'only principals allowed to `administer` the mesh may impersonate',
      });
    }
  }
  const principal = access.principal(id);
  if (!principal) throw unknownPrincipalError(id);
  return principal;
}

function unknownPrincipalError(id: string): QuantaError {
  return new QuantaError('QUANTA_POLICY_DENIED', `unknown principal ${JSON.stringify(id)}`, {
    fix: 'use a principal of governance/users.yaml (its `id`)',
  });
}

function deniedError(principal: Principal, access: Extract<PortAccess, { kind: 'denied' }>): QuantaError {
  const by = access.policies.length > 0 ? ` (policies: ${access.policies.join(', ')})` : '';
  return new QuantaError(
    'QUANTA_POLICY_DENIED',
    `${principal.id} may not ${access.action} ${access.port}: ${access.reason}${by}`,
    { address: access.port, fix: deniedFix(access) },
  );
}

function deniedFix(access: Extract<PortAccess, { kind: 'denied' }>): string {
  switch (access.action) {
    case 'read':
      return `see who can read it: quanta access who-can ${access.port}`;
    case 'query':
      return 'the policies forbid running SQL on this port (the catalog still describes it); ask the governance team';
    case 'export':
      return 'the policies forbid exporting this port to files (CSV, Arrow, Parquet); ask for JSON (HTTP) or a table (CLI) instead';
  }
}

/** A query naming a column the principal may not see fails in the binder: say it is the policy. */
function hiddenColumnError(error: unknown, views: Map<string, PortView>): unknown {
  const quantaError = toQuantaError(error);
  if (quantaError.code !== 'QUANTA_SQL_INVALID') return error;
  for (const view of views.values()) {
    const column = view.hidden.find((name) => quantaError.message.includes(`"${name}"`));
    if (column) {
      return new QuantaError('QUANTA_POLICY_DENIED', `column ${column} is not readable by this principal`, {
        fix: 'remove the column from the query, or ask for access',
      });
    }
  }
  return error;
}

/**
 * The port (and version) a table reference names: `domain.product.port`, `domain.product."port@N"`,
 * or a quoted address `"quanta://domain/product/port[@N]"`.
 */
function portReadOf(
  reference: TableReference,
  context: { ports: Map<string, PortRecord>; access: AccessPolicy; principal: Principal },
): { port: PortRecord; version?: number } {
  const { ports } = context;
  const versioned = VERSIONED_TABLE.exec(reference.table);
  const version = versioned ? { version: Number(versioned[2]) } : {};
  const aliased = portNameOfPgReference(reference, ports);
  const aliasedPort = aliased === undefined ? undefined : ports.get(aliased);
  if (aliasedPort) return { port: aliasedPort, ...version };
  if (!reference.catalog && !reference.schema && reference.table.startsWith('quanta://')) {
    const address = parseAddress(reference.table);
    const port =
      address.product && address.port
        ? ports.get(portSqlName(address.domain, address.product, address.port))
        : undefined;
    if (!port || address.column) throw unknownTableError(reference, context);
    return { port, ...(address.version === undefined ? {} : { version: address.version }) };
  }
  if (!reference.catalog || !reference.schema) throw unknownTableError(reference, context);
  const port = ports.get(`${reference.catalog}.${reference.schema}.${versioned?.[1] ?? reference.table}`);
  if (!port) throw unknownTableError(reference, context);
  return { port, ...version };
}

function referenceKey(reference: TableReference): string {
  return JSON.stringify([reference.catalog ?? '', reference.schema ?? '', reference.table]);
}

function isCatalogReference(reference: TableReference): boolean {
  return reference.schema === CATALOG_SCHEMA || reference.catalog === CATALOG_SCHEMA;
}

function resolveCatalogTable(reference: TableReference): ResolvedReference {
  if (!(CATALOG_TABLE_NAMES as readonly string[]).includes(reference.table)) {
    throw new QuantaError('QUANTA_NOT_FOUND', `${CATALOG_SCHEMA}.${reference.table} does not exist`, {
      fix: `query one of ${CATALOG_TABLE_NAMES.map((name) => `${CATALOG_SCHEMA}.${name}`).join(', ')}`,
    });
  }
  return { kind: 'catalog', table: reference.table };
}

function snapshotKey(snapshot: SnapshotRecord): string {
  return `${snapshot.port}@${snapshot.version}`;
}

function attachmentsFor(resolved: Map<string, ResolvedReference>): Map<string, SessionAttachment> {
  const attachments = new Map<string, SessionAttachment>();
  for (const target of resolved.values()) {
    if (target.kind !== 'port') continue;
    const key = snapshotKey(target.snapshot);
    if (!attachments.has(key)) {
      attachments.set(key, { alias: `port_${attachments.size + 1}`, path: target.snapshot.storagePath });
    }
  }
  return attachments;
}

function rewriteReference(
  reference: TableReference,
  context: {
    resolved: Map<string, ResolvedReference>;
    attachments: Map<string, SessionAttachment>;
    views: Map<string, PortView>;
  },
): TableReference | { subquery: string } {
  const target = context.resolved.get(referenceKey(reference));
  if (!target) throw new QuantaError('QUANTA_INTERNAL', `unresolved table reference ${reference.table}`);
  if (target.kind === 'catalog') return { schema: CATALOG_SCHEMA, table: target.table };
  if (target.kind === 'pg-catalog') return target.table;
  const view = context.views.get(snapshotKey(target.snapshot));
  if (!view) throw new QuantaError('QUANTA_INTERNAL', `no view for ${target.snapshot.port}`);
  return { subquery: view.sql };
}

function readsOf(resolved: Map<string, ResolvedReference>): PortRead[] {
  const reads = new Map<string, PortRead>();
  for (const target of resolved.values()) {
    if (target.kind === 'port') {
      const { port, version } = target.snapshot;
      reads.set(`${port}@${version}`, { address: port, version });
    }
  }
  return [...reads.values()];
}

/**
 * A reference that names no port. The suggestions name only ports the principal may read, so
 * that guessing names cannot list the mesh.
 */
function unknownTableError(
  reference: TableReference,
  context: { ports: Map<string, PortRecord>; access: AccessPolicy; principal: Principal },
): QuantaError {
  const written = [reference.catalog, reference.schema, reference.table].filter(Boolean).join('.');
  const candidates = [...context.ports]
    .filter(([name]) => name.endsWith(`.${reference.table}`))
    .filter(([, port]) => context.access.portAccess(context.principal, port).kind === 'granted')
    .map(([name]) => name);
  const suggestion =
    candidates.length > 0
      ? `did you mean ${candidates.join(' or ')}?`
      : 'list ports with `quanta catalog list`';
  return new QuantaError('QUANTA_NOT_FOUND', `no published port is named ${written}`, {
    fix: `name ports as <domain>.<product>.<port> (snake_case); ${suggestion}`,
  });
}
