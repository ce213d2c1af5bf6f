import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { type DataEngine, DuckDbEngine, writeParquet } from '@quanta/engine';
import { Gateway, type GatewayResult, type QueryIdentity } from '@quanta/gateway';
import {
  type AccessPolicy,
  checkAccessFiles,
  loadAccessPolicy,
  loadMeshSecret,
  type Principal,
} from '@quanta/governance';
import {
  type ApplyResult,
  type Clock,
  type Finding,
  invalidSpecError,
  type MeshSpec,
  type ProductSpec,
  QuantaError,
  type RunRecord,
  systemClock,
} from '@quanta/model';
import { catalogStateOf, loadMesh, type MeshPlan, planMesh, topologicalProducts } from '@quanta/spec';
import {
  type AccessStore,
  type AuditStore,
  type CatalogStore,
  type IncidentStore,
  type KeyStore,
  openMetadataStores,
} from '@quanta/store';
import type { ProgressReporter } from '@quanta/workflow';
import { AccessRequestService } from './access-request-service.ts';
import { type CatalogEntry, describeAsset, listCatalog } from './catalog-view.ts';
import { checkProductSql } from './check-product-sql.ts';
import { checkProductWorkflow } from './check-product-workflow.ts';
import { checkQualitySql } from './check-quality-sql.ts';
import { ensureDomainKeys, type KeyContext } from './domain-keys.ts';
import { buildMaskSidecars, type MaskSidecarOutcome } from './mask-sidecars.ts';
import { meshPaths } from './mesh-paths.ts';
import { meshHealth, type PortHealth } from './port-health.ts';
import type { TrustRecording } from './record-run-trust.ts';
import { RunControl } from './run-control.ts';
import { runProduct } from './run-product.ts';
import { TokenService } from './token-service.ts';

/** Options to open a mesh. */
export interface OpenMeshOptions {
  readonly root: string;
  /** PostgreSQL URL of a shared metadata store; the embedded store is used without it. */
  readonly databaseUrl?: string;
  readonly progress?: ProgressReporter;
  /** The clock of token and grant expiry; the system clock unless a test passes a fake. */
  readonly clock?: Clock;
  /** Where `QUANTA_ALERT_WEBHOOK` is read; the process environment by default. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** The log alert sink's writer; standard error by default. */
  readonly alertLog?: (line: string) => void;
}

/** The verdict of `quanta validate`. */
export interface ValidationReport {
  readonly isValid: boolean;
  readonly findings: readonly Finding[];
  readonly mesh?: MeshSpec;
}

/** What `quanta apply` did. */
export interface ApplyReport {
  readonly plan: MeshPlan;
  readonly result: ApplyResult;
}

const SILENT: ProgressReporter = { update: () => {} };

/**
 * The application services behind every front door (CLI, HTTP): validate, plan, apply, run,
 * query and browse one mesh. It owns the store and the engine it opened.
 */
export class MeshService {
  readonly root: string;
  readonly store: CatalogStore;
  readonly engine: DataEngine;
  readonly gateway: Gateway;
  /** The access audit log (every gateway decision). */
  readonly audit: AuditStore;
  /** Tokens, access requests and grants. */
  readonly accessStore: AccessStore;
  /** API tokens of people and services. */
  readonly tokens: TokenService;
  /** Access requests, their decisions and the grants they make. */
  readonly requests: AccessRequestService;
  readonly clock: Clock;
  /** Durable runs: start, queue, resume, cancel, re-run from a step, work as a worker. */
  readonly runs: RunControl;
  /** Incidents grouping change findings by root cause, recorded after every run. */
  readonly incidents: IncidentStore;
  /** Each domain's own data key, wrapped under the mesh's master key. */
  readonly keys: KeyContext;
  readonly #trust: TrustRecording;
  readonly #progress: ProgressReporter;
  #access: Promise<AccessPolicy> | undefined;

  private constructor(options: {
    root: string;
    store: CatalogStore;
    engine: DataEngine;
    audit: AuditStore;
    accessStore: AccessStore;
    keys: KeyStore;
    trust: TrustRecording;
    progress: ProgressReporter;
    clock: Clock;
  }) {
    this.root = options.root;
    this.store = options.store;
    this.engine = options.engine;
    this.audit = options.audit;
    this.accessStore = options.accessStore;
    this.incidents = options.trust.incidents;
    this.keys = { keys: options.keys, root: options.root, env: options.trust.env };
    this.#trust = options.trust;
    this.clock = options.clock;
    const access = () => this.access();
    this.tokens = TokenService.create({ store: options.accessStore.tokens, access, clock: options.clock });
    this.requests = AccessRequestService.create({
      store: options.store,
      access: options.accessStore,
      audit: options.audit,
      policy: access,
      clock: options.clock,
    });
    this.gateway = Gateway.create({
      engine: options.engine,
      store: options.store,
      audit: options.audit,
      access: () => this.access(),
      secret: () => loadMeshSecret(options.root),
      grants: (principal) => this.requests.activeGrants(principal),
    });
    this.#progress = options.progress;
    this.runs = new RunControl({ ...options, mesh: () => this.#validMesh() });
  }

  /** Opens the mesh's store (embedded unless a database URL is given) and engine. */
  static async create(options: OpenMeshOptions): Promise<MeshService> {
    const paths = meshPaths(options.root);
    await mkdir(paths.storageRoot, { recursive: true });
    const location = options.databaseUrl
      ? { databaseUrl: options.databaseUrl }
      : { embeddedPath: paths.catalogFile };
    const clock = options.clock ?? systemClock;
    const stores = await openMetadataStores(location, { clock });
    const engine = await DuckDbEngine.create({ storageRoot: paths.storageRoot });
    const { catalog: store, audit, access: accessStore } = stores;
    const trust: TrustRecording = {
      incidents: stores.incidents,
      env: options.env ?? process.env,
      log: options.alertLog ?? ((line) => process.stderr.write(`${line}\n`)),
      clock,
    };
    return new MeshService({
      trust,
      root: paths.root,
      store,
      engine,
      audit,
      accessStore,
      keys: stores.keys,
      clock,
      progress: options.progress ?? SILENT,
    });
  }

  /** Loads and checks every file: schemas, Quanta's rules, workflows and SQL references. */
  async validate(): Promise<ValidationReport> {
    this.#progress.update('loading mesh files');
    const loaded = await loadMesh(this.root);
    const findings = [...loaded.findings];
    if (loaded.mesh) {
      this.#progress.update(`checking ${loaded.mesh.products.length} products`);
      // Concurrently, so that the engine parses the products' SQL in batches (in file order still).
      const perProduct = await Promise.all(
        loaded.mesh.products.map(async (product) => [
          ...checkProductWorkflow(product).findings,
          ...(await checkProductSql(product, this.engine)),
          ...(await checkQualitySql(product, this.engine)),
        ]),
      );
      findings.push(...perProduct.flat());
      findings.push(...(await checkAccessFiles(loaded.mesh)));
    }
    const isValid = !findings.some((finding) => finding.severity === 'error');
    return { isValid, findings, ...(loaded.mesh ? { mesh: loaded.mesh } : {}) };
  }

  /** Diffs the files against what is deployed, with breaking-change verdicts. */
  async plan(): Promise<MeshPlan> {
    const mesh = await this.#validMesh();
    this.#progress.update('diffing against the deployed catalog');
    return planMesh(mesh, await this.store.loadCatalog());
  }

  /** Deploys the mesh in one transaction; refuses when the plan has errors. */
  async apply(options: { appliedBy?: string } = {}): Promise<ApplyReport> {
    const mesh = await this.#validMesh();
    const plan = planMesh(mesh, await this.store.loadCatalog());
    const errors = plan.findings.filter((finding) => finding.severity === 'error');
    if (errors.length > 0) throw invalidSpecError(plan.findings);
    this.#progress.update('applying the catalog');
    const result = await this.store.applyCatalog(catalogStateOf(mesh), {
      appliedBy: options.appliedBy ?? 'quanta',
    });
    await this.#createDomainSpaces(mesh);
    await ensureDomainKeys(
      this.keys,
      mesh.domains.map((domain) => domain.name),
    );
    this.#access = undefined;
    return { plan, result };
  }

  /** Runs one product's workflow, named `domain/product` or by address. */
  async run(productName: string, options: { trigger?: string } = {}): Promise<RunRecord> {
    const mesh = await this.#validMesh();
    const product = findProduct(mesh, productName);
    return this.#runProduct(mesh, product, options.trigger ?? 'manual');
  }

  /** Runs every product in dependency order; stops at the first run that does not succeed. */
  async runAll(options: { trigger?: string } = {}): Promise<RunRecord[]> {
    const mesh = await this.#validMesh();
    const runs: RunRecord[] = [];
    for (const product of topologicalProducts(mesh)) {
      const run = await this.#runProduct(mesh, product, options.trigger ?? 'manual');
      runs.push(run);
      if (run.state !== 'succeeded') break;
    }
    return runs;
  }

  /** Runs a read-only SQL query through the gateway, as a principal of the referential. */
  async query(sql: string, identity: QueryIdentity): Promise<GatewayResult> {
    return this.gateway.query(sql, identity);
  }

  /**
   * Runs a query through the gateway and streams its (authorized, masked, filtered) rows, chunk
   * by chunk, to a Parquet file written by a separate engine instance that never sees consumer
   * SQL (ADR 011, 017): the result is never held whole in memory. It is an `export`: every
   * port read must allow `query` and `export` before any row is produced (ADR 006). The query is
   * audited when the stream ends, as a stopped read with the rows handed out when the write fails.
   */
  async exportParquet(
    sql: string,
    options: { identity: QueryIdentity; path: string },
  ): Promise<Omit<GatewayResult, 'rows'> & { readonly rowCount: number }> {
    const stream = await this.gateway.stream(sql, options.identity, { action: 'export' });
    try {
      const rowCount = await writeParquet(stream, { path: options.path });
      return { columns: stream.columns, rowCount, reads: stream.reads, durationMs: stream.durationMs };
    } finally {
      await stream.close();
    }
  }

  /**
   * Builds the mask sidecars of current snapshots under the current mesh secret (ADR 019): of
   * one port (address), or of every port. Runs build them for the ports they publish; this
   * catches up after the secret changed or for snapshots published before sidecars existed.
   */
  async buildMaskSidecars(port?: string): Promise<MaskSidecarOutcome[]> {
    return buildMaskSidecars({
      store: this.store,
      engine: this.engine,
      secret: () => loadMeshSecret(this.root),
      ...(port === undefined ? {} : { ports: [port] }),
    });
  }

  /**
   * The principal a token authenticates (HTTP bearer tokens, PostgreSQL passwords), or
   * undefined when it is unknown, expired or revoked, or its principal left.
   */
  async authenticateToken(token: string): Promise<Principal | undefined> {
    return this.tokens.authenticate(token);
  }

  /**
   * The policies in force over the deployed catalog, loaded on first use and after each apply
   * (a long-running server picks up policy file changes on restart or apply).
   */
  async access(): Promise<AccessPolicy> {
    this.#access ??= this.store.loadCatalog().then((catalog) => loadAccessPolicy(this.root, catalog));
    return this.#access.catch((error: unknown) => {
      this.#access = undefined;
      throw error;
    });
  }

  /**
   * The trust summary of every port, or of those under a domain, product or port address: SLO
   * compliance over 30 days, last quality result, freshness now and open incidents.
   */
  async health(address?: string): Promise<PortHealth[]> {
    return meshHealth(this.store, {
      incidents: this.incidents,
      now: this.clock.now(),
      ...(address === undefined ? {} : { address }),
    });
  }

  /** Every domain, product and port with its current snapshot. */
  async catalogList(): Promise<CatalogEntry[]> {
    return listCatalog(this.store);
  }

  /** Everything known about one address. */
  async catalogShow(address: string): Promise<ReturnType<typeof describeAsset>> {
    return describeAsset(this.store, address);
  }

  /** Releases the store and the engine. */
  async close(): Promise<void> {
    await this.engine.close();
    // The stores share one database: closing it once closes them all.
    await this.store.close();
  }

  /** Each domain's own storage space; created on apply so that a domain exists before its first run. */
  async #createDomainSpaces(mesh: MeshSpec): Promise<void> {
    const { storageRoot } = meshPaths(this.root);
    for (const domain of mesh.domains) await mkdir(path.join(storageRoot, domain.name), { recursive: true });
  }

  async #validMesh(): Promise<MeshSpec> {
    const report = await this.validate();
    if (!report.isValid || !report.mesh) throw invalidSpecError(report.findings);
    return report.mesh;
  }

  async #runProduct(mesh: MeshSpec, product: ProductSpec, trigger: string): Promise<RunRecord> {
    const { workflow, findings } = checkProductWorkflow(product);
    if (!workflow) throw invalidSpecError(findings);
    this.#progress.update(`running ${product.address}`);
    return runProduct({
      mesh,
      meshRoot: mesh.root,
      product,
      workflow,
      engine: this.engine,
      store: this.store,
      progress: this.#progress,
      trigger,
      trust: this.#trust,
      maskSecret: () => loadMeshSecret(this.root),
    });
  }
}

function findProduct(mesh: MeshSpec, name: string): ProductSpec {
  const wanted = name.replace(/^quanta:\/\//, '').replace(/\/$/, '');
  const product = mesh.products.find((candidate) => `${candidate.domain}/${candidate.name}` === wanted);
  if (!product) {
    const known = mesh.products.map((candidate) => `${candidate.domain}/${candidate.name}`).join(', ');
    throw new QuantaError('QUANTA_NOT_FOUND', `no product '${name}' in the mesh`, {
      fix: `name one of: ${known}`,
    });
  }
  return product;
}
