import type { DataEngine, QueryResult, SessionAttachment, TableReference } from '@quanta/engine';
import { type PortRecord, parseAddress, portSqlName, QuantaError, type SnapshotRecord } from '@quanta/model';
import type { CatalogStore } from '@quanta/store';
import {
  buildCatalogTables,
  CATALOG_SCHEMA,
  CATALOG_TABLE_NAMES,
  type CatalogFacts,
} from './catalog-tables.ts';

/** A port version a query read. */
export interface PortRead {
  readonly address: string;
  readonly version: number;
}

/** The rows of a consumer query and what it read. */
export interface GatewayResult extends QueryResult {
  readonly reads: readonly PortRead[];
  readonly durationMs: number;
}

/** A table reference resolved to what backs it. */
type ResolvedReference =
  | { readonly kind: 'port'; readonly snapshot: SnapshotRecord }
  | { readonly kind: 'catalog'; readonly table: string };

const VERSIONED_TABLE = /^(.*)@(\d+)$/;

/**
 * Every consumer read goes through the gateway: it parses the SQL with the engine's own
 * parser, allows a single SELECT only, resolves each table reference to a published snapshot
 * (or to the `quanta_catalog` schema), rewrites the references and runs the query on a
 * sandboxed read-only session.
 */
export class Gateway {
  readonly #engine: DataEngine;
  readonly #store: CatalogStore;

  private constructor(engine: DataEngine, store: CatalogStore) {
    this.#engine = engine;
    this.#store = store;
  }

  /** Wires a gateway over an engine and a catalog store. */
  static create(options: { engine: DataEngine; store: CatalogStore }): Gateway {
    return new Gateway(options.engine, options.store);
  }

  /** Runs a read-only query over published ports and the catalog. */
  async query(sql: string): Promise<GatewayResult> {
    const started = performance.now();
    const parsed = await this.#engine.parseQuery(sql);
    if (!parsed.isSingleSelect) {
      throw new QuantaError('QUANTA_SQL_FORBIDDEN', 'only a single SELECT statement is allowed', {
        fix: 'send one SELECT (or WITH ... SELECT) statement',
      });
    }
    if (parsed.tableFunctions && parsed.tableFunctions.length > 0) {
      throw new QuantaError(
        'QUANTA_SQL_FORBIDDEN',
        `table functions are not allowed: ${parsed.tableFunctions.join(', ')}`,
        {
          fix: 'read published ports by name, e.g. sales.orders.orders',
        },
      );
    }
    const ports = await this.#portsBySqlName();
    const resolved = new Map<string, ResolvedReference>();
    for (const reference of parsed.tableReferences) {
      resolved.set(referenceKey(reference), await this.#resolve(reference, ports));
    }
    const attachments = attachmentsFor(resolved);
    const rewritten = await this.#engine.rewriteTableReferences(sql, (reference) =>
      rewriteReference(reference, resolved, attachments),
    );
    const needsCatalog = [...resolved.values()].some((target) => target.kind === 'catalog');
    const session = await this.#engine.openReadSession({
      attachments: [...attachments.values()].map((attachment) => ({
        alias: attachment.alias,
        path: this.#engine.resolveStoragePath(attachment.path),
      })),
      tables: needsCatalog ? buildCatalogTables(await this.#catalogFacts()) : [],
    });
    try {
      const result = await session.query(rewritten);
      return { ...result, reads: readsOf(resolved), durationMs: performance.now() - started };
    } finally {
      await session.close();
    }
  }

  async #portsBySqlName(): Promise<Map<string, PortRecord>> {
    const catalog = await this.#store.loadCatalog();
    return new Map(catalog.ports.map((port) => [portSqlName(port.domain, port.product, port.name), port]));
  }

  async #resolve(reference: TableReference, ports: Map<string, PortRecord>): Promise<ResolvedReference> {
    if (isCatalogReference(reference)) return resolveCatalogTable(reference);
    const { port, version } = portReadOf(reference, ports);
    const snapshot =
      version === undefined
        ? await this.#store.getCurrentSnapshot(port.address)
        : await this.#store.getSnapshot(port.address, version);
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
    return { kind: 'port', snapshot };
  }

  async #catalogFacts(): Promise<CatalogFacts> {
    const [catalog, currentSnapshots, runs] = await Promise.all([
      this.#store.loadCatalog(),
      this.#store.listCurrentSnapshots(),
      this.#store.listRuns({ limit: 10_000 }),
    ]);
    const history = await Promise.all(catalog.ports.map((port) => this.#store.listSnapshots(port.address)));
    return { catalog, currentSnapshots, runs, snapshots: history.flat() };
  }
}

/**
 * The port (and version) a table reference names: `domain.product.port`, `domain.product."port@N"`,
 * or a quoted address `"quanta://domain/product/port[@N]"`.
 */
function portReadOf(
  reference: TableReference,
  ports: Map<string, PortRecord>,
): { port: PortRecord; version?: number } {
  if (!reference.catalog && !reference.schema && reference.table.startsWith('quanta://')) {
    const address = parseAddress(reference.table);
    const port =
      address.product && address.port
        ? ports.get(portSqlName(address.domain, address.product, address.port))
        : undefined;
    if (!port || address.column) throw unknownTableError(reference, ports);
    return { port, ...(address.version === undefined ? {} : { version: address.version }) };
  }
  if (!reference.catalog || !reference.schema) throw unknownTableError(reference, ports);
  const versioned = VERSIONED_TABLE.exec(reference.table);
  const port = ports.get(`${reference.catalog}.${reference.schema}.${versioned?.[1] ?? reference.table}`);
  if (!port) throw unknownTableError(reference, ports);
  return { port, ...(versioned ? { version: Number(versioned[2]) } : {}) };
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

function attachmentsFor(resolved: Map<string, ResolvedReference>): Map<string, SessionAttachment> {
  const attachments = new Map<string, SessionAttachment>();
  for (const target of resolved.values()) {
    if (target.kind !== 'port') continue;
    const key = `${target.snapshot.port}@${target.snapshot.version}`;
    if (!attachments.has(key)) {
      attachments.set(key, { alias: `port_${attachments.size + 1}`, path: target.snapshot.storagePath });
    }
  }
  return attachments;
}

function rewriteReference(
  reference: TableReference,
  resolved: Map<string, ResolvedReference>,
  attachments: Map<string, SessionAttachment>,
): TableReference {
  const target = resolved.get(referenceKey(reference));
  if (!target) throw new QuantaError('QUANTA_INTERNAL', `unresolved table reference ${reference.table}`);
  if (target.kind === 'catalog') return { schema: CATALOG_SCHEMA, table: target.table };
  const attachment = attachments.get(`${target.snapshot.port}@${target.snapshot.version}`);
  if (!attachment) throw new QuantaError('QUANTA_INTERNAL', `no attachment for ${target.snapshot.port}`);
  return { catalog: attachment.alias, schema: 'main', table: 'data' };
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

function unknownTableError(reference: TableReference, ports: Map<string, PortRecord>): QuantaError {
  const written = [reference.catalog, reference.schema, reference.table].filter(Boolean).join('.');
  const candidates = [...ports.keys()].filter((name) => name.endsWith(`.${reference.table}`));
  const suggestion =
    candidates.length > 0
      ? `did you mean ${candidates.join(' or ')}?`
      : 'list ports with `quanta catalog list`';
  return new QuantaError('QUANTA_NOT_FOUND', `no published port is named ${written}`, {
    fix: `name ports as <domain>.<product>.<port> (snake_case); ${suggestion}`,
  });
}
