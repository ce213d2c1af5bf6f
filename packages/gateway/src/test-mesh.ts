import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type DataEngine, DuckDbEngine } from '@quanta/engine';
import {
  AccessPolicy,
  CONSUMER_POLICIES,
  generateCedarSchema,
  loadPolicySet,
  type MaskMacro,
  maskSidecarPlan,
  parseUserReferential,
  type ScopedPolicyFile,
  validatePolicies,
} from '@quanta/governance';
import type { CatalogState, ColumnSpec, DomainRecord, PortRecord, ProductRecord } from '@quanta/model';
import { columnSpec } from '@quanta/model/test-support';
import { type AuditStore, type CatalogStore, openAuditStore, openCatalogStore } from '@quanta/store';
import { Gateway } from './gateway.ts';

/** The secret key of the test mesh's hash mask. */
export const TEST_SECRET = Buffer.alloc(32, 7);

/**
 * A small governed mesh for gateway tests, built with the store and the engine directly:
 * customers' CRM (restricted emails, a phone, free-text notes, a secret score, FR and DE rows)
 * and sales' orders, with guardrails, domain policies and a user referential.
 */
export interface TestMesh {
  readonly gateway: Gateway;
  readonly engine: DataEngine;
  readonly store: CatalogStore;
  readonly audit: AuditStore;
  readonly access: AccessPolicy;
  readonly storageRoot: string;
  /** Active grants per principal id (port addresses), as the store would answer; empty at first. */
  readonly grants: Map<string, string[]>;
  dispose(): Promise<void>;
}

const CUSTOMERS_CSV = `customer_id,name,email,phone,notes,country,secret_score,lifetime_value
C1,Alice-FR,alice.secret@example.com,+33611223344,VIP-NOTE-ALICE,FR,99171,10101
C2,Bob-DE-Hidden,bob.secret@example.com,+49611223345,VIP-NOTE-BOB,DE,99172,20222
C3,Carol-FR,carol.secret@example.com,+33611223346,VIP-NOTE-CAROL,FR,99173,30307
C4,Dave-DE-Hidden,dave.secret@example.com,+49611223347,VIP-NOTE-DAVE,DE,99174,40444
`;

const ORDERS_CSV = `order_id,customer_id,amount,country
O1,C1,10,FR
O2,C2,20,DE
O3,C3,30,FR
O4,C4,40,DE
O5,C1,50,FR
`;

const USERS = `apiVersion: quanta/v1
kind: Users
groups:
  - id: governance
users:
  - { id: ada, domain: customers, country: FR, role: owner, clearance: 3 }
  - { id: sam, domain: sales, country: FR, role: analyst, clearance: 2 }
  - { id: ivy, domain: marketing, country: DE, role: intern, clearance: 1 }
  - { id: gus, country: FR, role: admin, clearance: 4, groups: [governance] }
  - { id: leo, domain: sales, country: FR, role: analyst, clearance: 2, status: left }
  - { id: lea, domain: customers, country: FR, role: owner, clearance: 3, status: leave }
  - { id: nic, domain: sales, role: analyst, clearance: 2 }
`;

const GUARDRAILS = `@id("admins-read")
permit (principal, action == Action::"read", resource) when { principal.role == "admin" };
@id("admins-administer")
permit (principal, action == Action::"administer", resource) when { principal.role == "admin" };
@id("restricted-needs-clearance-3")
@mask("hash")
forbid (principal, action == Action::"read", resource is Column)
when { resource.classification == "restricted" && principal.clearance < 3 };
@id("phones-partial")
@mask("partial")
forbid (principal, action == Action::"read", resource is Column)
when { resource.tags.contains("phone") && principal.domain != resource.domain };
@id("free-text-redacted")
@mask("redact")
forbid (principal, action == Action::"read", resource is Column)
when { resource.tags.contains("free-text") && principal.domain != resource.domain };
@id("secret-columns-hidden")
forbid (principal, action == Action::"read", resource is Column)
when { resource.tags.contains("secret") && principal.role != "admin" };
@id("only-active-principals")
forbid (principal, action, resource) when { principal.status != "active" };
@id("granted-ports-read")
permit (principal, action == Action::"read", resource is Port)
when { principal.grants.contains(resource.address) };
@id("granted-columns-read")
permit (principal, action == Action::"read", resource is Column)
when { principal.grants.contains(resource.portAddress) };
`;

const CUSTOMERS_POLICIES = `@id("customers-members-read")
permit (principal, action == Action::"read", resource) when { principal.domain == resource.domain };
@id("customers-for-analysts")
@rowFilter("country = principal.country")
permit (principal, action == Action::"read", resource in Product::"quanta://customers/crm")
when { principal.role == "analyst" && principal.domain != "customers" };
@id("customers-open-restricted-to-everyone")
permit (principal, action == Action::"read", resource is Column)
when { resource.classification == "restricted" };
`;

const SALES_POLICIES = `@id("sales-members-read")
permit (principal, action == Action::"read", resource) when { principal.domain == resource.domain };
@id("sales-opens-customers")
permit (principal, action == Action::"read", resource in Domain::"customers");
`;

function column(name: string, extra: Partial<ColumnSpec> = {}): ColumnSpec {
  return columnSpec(name, { classification: 'internal', ...extra });
}

const CUSTOMER_COLUMNS: ColumnSpec[] = [
  column('customer_id', { required: true }),
  column('name'),
  column('email', { classification: 'restricted', tags: ['pii', 'email'] }),
  column('phone', { classification: 'confidential', tags: ['pii', 'phone'] }),
  column('notes', { classification: 'confidential', tags: ['free-text'] }),
  column('country'),
  column('secret_score', { logicalType: 'integer', tags: ['secret'] }),
  column('lifetime_value', { logicalType: 'integer' }),
];

const ORDER_COLUMNS: ColumnSpec[] = [
  column('order_id', { required: true }),
  column('customer_id'),
  column('amount', { logicalType: 'integer' }),
  column('country'),
];

/** The policy files of the test mesh, scoped like a mesh's. */
export const TEST_POLICY_FILES: readonly ScopedPolicyFile[] = [
  { file: 'governance/policies/guardrails.cedar', text: GUARDRAILS, scope: 'global' },
  { file: 'domains/customers/policies/default.cedar', text: CUSTOMERS_POLICIES, scope: 'customers' },
  { file: 'domains/sales/policies/default.cedar', text: SALES_POLICIES, scope: 'sales' },
];

/** Builds the test mesh in a fresh temporary folder. */
export async function createTestMesh(): Promise<TestMesh> {
  const dir = await mkdtemp(path.join(tmpdir(), 'quanta-gateway-'));
  const storageRoot = path.join(dir, 'storage');
  const engine = await DuckDbEngine.create({ storageRoot, threads: 2 });
  const store = await openCatalogStore({ embeddedPath: path.join(dir, 'catalog.sqlite') });
  const audit = await openAuditStore({ embeddedPath: path.join(dir, 'catalog.sqlite') });
  const customers = port({
    domain: 'customers',
    product: 'crm',
    name: 'customers',
    columns: CUSTOMER_COLUMNS,
  });
  const orders = port({ domain: 'sales', product: 'orders', name: 'orders', columns: ORDER_COLUMNS });
  const catalog: CatalogState = {
    domains: [domain('customers'), domain('sales'), domain('marketing')],
    products: [product('customers', 'crm'), product('sales', 'orders')],
    ports: [customers, orders],
  };
  await store.applyCatalog(catalog, { appliedBy: 'test' });
  await publish({ engine, store, dir }, { port: customers, csv: CUSTOMERS_CSV });
  await publish({ engine, store, dir }, { port: orders, csv: ORDERS_CSV });
  const access = testAccessPolicy(catalog);
  const grants = new Map<string, string[]>();
  const gateway = Gateway.create({
    engine,
    store,
    audit,
    access: async () => access,
    secret: async () => TEST_SECRET,
    grants: async (principal) => grants.get(principal) ?? [],
  });
  return {
    gateway,
    engine,
    store,
    audit,
    access,
    storageRoot,
    grants,
    dispose: async () => {
      await engine.close();
      await store.close();
      await audit.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Builds the mask sidecar of the customers port's current snapshot, as a run does (ADR 019):
 * under `secret` (the test mesh's by default), with `macro` in place of the keyed hash when
 * given (to tell the sidecar's values from computed ones). Returns the sidecar's path.
 */
export async function buildCustomersMaskSidecar(
  mesh: TestMesh,
  options: { secret?: Buffer; macro?: MaskMacro } = {},
): Promise<string> {
  const address = 'quanta://customers/crm/customers';
  const port = mesh.access.ports.find((candidate) => candidate.address === address);
  const snapshot = await mesh.store.getCurrentSnapshot(address);
  if (!port || !snapshot) throw new Error('the test mesh has no customers snapshot');
  const plan = maskSidecarPlan(options.secret ?? TEST_SECRET, {
    portColumns: port.columns,
    snapshotColumns: snapshot.columns,
  });
  if (!plan) throw new Error('the customers port has no column to precompute');
  const sidecar = await mesh.engine.buildMaskSidecar(snapshot.storagePath, {
    macro: options.macro ?? plan.macro,
    columns: plan.columns,
    columnPrefix: plan.columnPrefix,
    fingerprint: plan.fingerprint,
  });
  return sidecar.path;
}

/** The access policy of the test mesh over a catalog (validated: a broken fixture fails loudly). */
export function testAccessPolicy(catalog: CatalogState): AccessPolicy {
  const users = parseUserReferential(USERS, 'governance/users.yaml');
  // Like a mesh's: the built-in permits of request-access, query and export come first.
  const loaded = loadPolicySet([...CONSUMER_POLICIES, ...TEST_POLICY_FILES]);
  const findings = [
    ...users.findings,
    ...loaded.findings,
    ...validatePolicies(loaded.policies, generateCedarSchema(catalog.domains.map((entry) => entry.name))),
  ];
  if (findings.length > 0) throw new Error(`the test mesh is invalid: ${JSON.stringify(findings)}`);
  return AccessPolicy.create({
    meshName: 'test',
    referential: users.referential,
    policies: loaded.policies,
    ports: catalog.ports,
  });
}

function domain(name: string): DomainRecord {
  return { name, owner: `${name}-owner`, spec: {}, hash: name };
}

function product(domainName: string, name: string): ProductRecord {
  return {
    domain: domainName,
    name,
    address: `quanta://${domainName}/${name}`,
    version: '1.0.0',
    inputs: [],
    spec: {},
    hash: name,
  };
}

function port(options: { domain: string; product: string; name: string; columns: ColumnSpec[] }): PortRecord {
  const address = `quanta://${options.domain}/${options.product}/${options.name}`;
  return {
    domain: options.domain,
    product: options.product,
    name: options.name,
    address,
    contractId: address,
    contractVersion: '1.0.0',
    columns: options.columns,
    contract: {},
    hash: address,
  };
}

async function publish(
  context: { engine: DataEngine; store: CatalogStore; dir: string },
  options: { port: PortRecord; csv: string },
): Promise<void> {
  const file = path.join(context.dir, 'landing', `${options.port.name}.csv`);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, options.csv);
  const runId = `run-${options.port.name}`;
  const staged = await context.engine.ingest({
    files: [file],
    format: 'csv',
    columns: options.port.columns,
    target: { domain: options.port.domain, runId, name: options.port.name },
  });
  const quality = await context.engine.checkQuality(staged, {
    columns: options.port.columns,
    rules: [
      {
        id: '/quality/0',
        name: 'rows',
        kind: 'metric',
        metric: 'rowCount',
        columns: [],
        severity: 'error',
        threshold: { operator: 'mustBeGreaterThan', value: 0 },
        unit: 'rows',
        onFail: 'report',
      },
    ],
    tableName: options.port.name,
    now: '2025-01-01T00:00:00.000Z',
  });
  const profile = await context.engine.profile(staged);
  const promoted = await context.engine.promote(staged, {
    domain: options.port.domain,
    product: options.port.product,
    port: options.port.name,
    snapshotId: runId,
  });
  await context.store.publishSnapshot({
    port: options.port.address,
    schemaHash: staged.schemaHash,
    columns: staged.columns,
    rowCount: staged.rowCount,
    quarantinedRows: staged.quarantinedRows,
    inputVersions: [],
    runId,
    storagePath: promoted.storagePath,
    bytes: promoted.bytes,
    quality,
    profile,
  });
}
