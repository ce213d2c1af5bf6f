import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type ColumnSpec, type PortRecord, toQuantaError } from '@quanta/model';
import { columnSpec } from '@quanta/model/test-support';
import { AccessPolicy } from './access-policy.ts';
import { generateCedarSchema } from './cedar-schema.ts';
import { CONSUMER_POLICIES } from './load-access-policy.ts';
import { loadPolicySet, type ScopedPolicyFile, validatePolicies } from './policy-set.ts';
import { parseUserReferential } from './user-referential.ts';
import { type WhoCanGrant, whoCan } from './who-can.ts';

const CUSTOMERS = 'quanta://customers/crm/customers';
const ORDERS = 'quanta://sales/orders/orders';

const USERS = `users:
  - { id: ada, domain: customers, country: FR, role: owner, clearance: 3 }
  - { id: sam, domain: sales, country: FR, role: analyst, clearance: 2 }
  - { id: ivy, domain: marketing, country: DE, role: intern, clearance: 1 }
  - { id: lea, domain: marketing, country: FR, role: intern, clearance: 1, status: leave }
`;

const GLOBAL = `@id("restricted-needs-clearance-3")
@mask("hash")
forbid (principal, action == Action::"read", resource is Column)
when { resource.classification == "restricted" && principal.clearance < 3 };
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
when { principal.role == "analyst" };
`;

function column(name: string, classification = 'internal'): ColumnSpec {
  return columnSpec(name, { classification });
}

function port(address: string, columns: readonly ColumnSpec[]): PortRecord {
  const [domain = '', product = '', name = ''] = address.replace('quanta://', '').split('/');
  return {
    domain,
    product,
    name,
    address,
    contractId: address,
    contractVersion: '1.0.0',
    columns,
    contract: {},
    hash: address,
  };
}

function policy(extra: readonly ScopedPolicyFile[] = []): AccessPolicy {
  const users = parseUserReferential(USERS, 'governance/users.yaml');
  const loaded = loadPolicySet([
    ...extra,
    { file: 'governance/policies/guardrails.cedar', text: GLOBAL, scope: 'global' },
    { file: 'domains/customers/policies/default.cedar', text: CUSTOMERS_POLICIES, scope: 'customers' },
  ]);
  const findings = [
    ...users.findings,
    ...loaded.findings,
    ...validatePolicies(loaded.policies, generateCedarSchema(['customers', 'marketing', 'sales'])),
  ];
  assert.deepEqual(findings, []);
  return AccessPolicy.create({
    meshName: 'test',
    referential: users.referential,
    policies: loaded.policies,
    ports: [
      port(CUSTOMERS, [column('customer_id'), column('email', 'restricted'), column('country')]),
      port(ORDERS, [column('order_id')]),
    ],
  });
}

function grant(id: string, at: { principal: string; port: string; expiresAt: string }): WhoCanGrant {
  return { id, ...at };
}

/** One line per principal, as a reviewer reads it. */
function lines(entries: ReturnType<typeof whoCan>): string[] {
  return entries.map((entry) =>
    [
      `${entry.principal} ${entry.decision} [${[...entry.policies].sort().join(', ')}]`,
      entry.grant
        ? ` grant ${entry.grant.id} until ${entry.grant.expiresAt} [${entry.grant.policies.join(', ')}]`
        : '',
      entry.reason ? ` (${entry.reason})` : '',
      entry.columns.length > 0 ? ` columns: ${entry.columns.join('; ')}` : '',
      entry.rowFilters.length > 0 ? ` rows: ${entry.rowFilters.join('; ')}` : '',
    ].join(''),
  );
}

test('who-can names the deciding policies, masks and row filters, and no grant when none is held', () => {
  assert.deepEqual(lines(whoCan(policy(), CUSTOMERS)), [
    'ada allow [customers-members-read]',
    `sam allow [customers-for-analysts] columns: email: hash (restricted-needs-clearance-3) rows: ("country" = 'FR') (customers-for-analysts)`,
    'ivy deny [] (no policy permits it (default deny))',
    'lea deny [only-active-principals] (forbidden by policy)',
    'local-admin deny [] (no policy permits it (default deny))',
  ]);
});

test('an access that comes through a grant names the grant expiring last, with the permits it satisfies', () => {
  const grants = [
    grant('g-old', { principal: 'ivy', port: CUSTOMERS, expiresAt: '2029-01-01T00:00:00.000Z' }),
    grant('g-new', { principal: 'ivy', port: CUSTOMERS, expiresAt: '2030-06-30T00:00:00.000Z' }),
    grant('g-ada', { principal: 'ada', port: CUSTOMERS, expiresAt: '2031-01-01T00:00:00.000Z' }),
    grant('g-lea', { principal: 'lea', port: CUSTOMERS, expiresAt: '2030-01-01T00:00:00.000Z' }),
    grant('g-sam', { principal: 'sam', port: ORDERS, expiresAt: '2030-01-01T00:00:00.000Z' }),
  ];
  assert.deepEqual(lines(whoCan(policy(), CUSTOMERS, { grants })), [
    'ada allow [customers-members-read, granted-ports-read] grant g-ada until 2031-01-01T00:00:00.000Z [granted-ports-read]',
    `sam allow [customers-for-analysts] columns: email: hash (restricted-needs-clearance-3) rows: ("country" = 'FR') (customers-for-analysts)`,
    'ivy allow [granted-ports-read] grant g-new until 2030-06-30T00:00:00.000Z [granted-ports-read] columns: email: hash (restricted-needs-clearance-3)',
    'lea deny [only-active-principals] (forbidden by policy)',
    'local-admin deny [] (no policy permits it (default deny))',
  ]);
});

test('for a column address the answer is that column, still naming the grant', () => {
  const grants = [grant('g-1', { principal: 'ivy', port: CUSTOMERS, expiresAt: '2030-01-01T00:00:00.000Z' })];
  const ivy = whoCan(policy(), `${CUSTOMERS}#email`, { grants }).find((entry) => entry.principal === 'ivy');
  assert.deepEqual(ivy, {
    principal: 'ivy',
    name: 'ivy',
    domain: 'marketing',
    role: 'intern',
    decision: 'allow',
    policies: ['granted-ports-read'],
    columns: ['email: hash (restricted-needs-clearance-3)'],
    rowFilters: [],
    grant: { id: 'g-1', expiresAt: '2030-01-01T00:00:00.000Z', policies: ['granted-ports-read'] },
  });
});

const SQL_FORBIDS: ScopedPolicyFile = {
  file: 'governance/policies/sql.cedar',
  scope: 'global',
  text: `@id("interns-run-no-sql")
forbid (principal, action == Action::"query", resource) when { principal.role == "intern" };
@id("analysts-export-nothing")
forbid (principal, action == Action::"export", resource) when { principal.role == "analyst" };
`,
};

test('query and export hold only by their built-in permits, and a forbid of either denies a port read allows', () => {
  assert.deepEqual(lines(whoCan(policy(), CUSTOMERS, { action: 'query' })).slice(0, 2), [
    'ada deny [] (query: no policy permits it (default deny))',
    'sam deny [] (query: no policy permits it (default deny))',
  ]);
  const grants = [grant('g-1', { principal: 'ivy', port: CUSTOMERS, expiresAt: '2030-01-01T00:00:00.000Z' })];
  const governed = policy([...CONSUMER_POLICIES, SQL_FORBIDS]);
  assert.deepEqual(lines(whoCan(governed, CUSTOMERS, { grants, action: 'export' })), [
    'ada allow [customers-members-read]',
    'sam deny [analysts-export-nothing] (export: forbidden by policy)',
    'ivy deny [interns-run-no-sql] (query: forbidden by policy)',
    'lea deny [only-active-principals] (forbidden by policy)',
    'local-admin deny [] (no policy permits it (default deny))',
  ]);
  assert.deepEqual(lines(whoCan(governed, CUSTOMERS, { grants, action: 'query' })).slice(0, 3), [
    'ada allow [customers-members-read]',
    `sam allow [customers-for-analysts] columns: email: hash (restricted-needs-clearance-3) rows: ("country" = 'FR') (customers-for-analysts)`,
    'ivy deny [interns-run-no-sql] (query: forbidden by policy)',
  ]);
  assert.equal(
    whoCan(governed, CUSTOMERS, { grants })[2]?.decision,
    'allow',
    'ivy still reads (the catalog)',
  );
});

test('an unknown port or column is QUANTA_NOT_FOUND', () => {
  for (const address of ['quanta://customers/crm/nope', `${CUSTOMERS}#nope`]) {
    assert.throws(
      () => whoCan(policy(), address),
      (error: unknown) => toQuantaError(error).code === 'QUANTA_NOT_FOUND',
      address,
    );
  }
});
