import { type PortRecord, parseAddress, QuantaError } from '@quanta/model';
import type { AccessPolicy, ColumnAccess, PortAccess, PortAction } from './access-policy.ts';
import type { Principal } from './user-referential.ts';

/** An access grant in force (approved, not expired, not revoked), as {@link whoCan} reads it. */
export interface WhoCanGrant {
  readonly id: string;
  readonly principal: string;
  /** The port address it opens. */
  readonly port: string;
  /** ISO timestamp. */
  readonly expiresAt: string;
}

/** The grant an access comes through, and the policies that open the port only because of it. */
export interface WhoCanGrantUse {
  readonly id: string;
  readonly expiresAt: string;
  readonly policies: readonly string[];
}

/** One principal's access to an address, and why. */
export interface WhoCanEntry {
  readonly principal: string;
  readonly name: string;
  readonly domain: string;
  readonly role: string;
  readonly decision: 'allow' | 'deny';
  /** The ids of the policies that decided. */
  readonly policies: readonly string[];
  readonly reason?: string;
  /** For a port: each column that is not raw (`email: hash`, `iban: hidden`); for a column: its own access. */
  readonly columns: readonly string[];
  readonly rowFilters: readonly string[];
  /** Set when the access comes through an access grant: some deciding permit holds only with it. */
  readonly grant?: WhoCanGrantUse;
}

/** What {@link whoCan} also weighs. */
export interface WhoCanOptions {
  /** The grants in force now (any principal, any port); none when omitted. */
  readonly grants?: readonly WhoCanGrant[];
  /**
   * The action asked: `read` (the default), `query` (run SQL on the port) or `export` (take its
   * rows out in bulk files). A denied `query` or `export` names the action in the reason.
   */
  readonly action?: PortAction;
}

/**
 * Every principal of the referential, with what it can read of a port or a column address (or
 * query, or export, with `action`) and which policies decide it, naming the grant (id, expiry)
 * when the access comes through one: the answer to `quanta access who-can <address>`.
 */
export function whoCan(policy: AccessPolicy, address: string, options: WhoCanOptions = {}): WhoCanEntry[] {
  const parsed = parseAddress(address);
  const port = policy.ports.find(
    (candidate) =>
      candidate.domain === parsed.domain &&
      candidate.product === parsed.product &&
      candidate.name === parsed.port,
  );
  if (!port) {
    throw new QuantaError('QUANTA_NOT_FOUND', `no port at ${address}`, {
      fix: 'name a port or a column: quanta://<domain>/<product>/<port>[#column]',
    });
  }
  const grants = options.grants ?? [];
  const action = options.action ?? 'read';
  return policy.referential.principals.map((principal) => {
    const base = {
      principal: principal.id,
      name: principal.name,
      domain: principal.domain,
      role: principal.role,
    };
    const held = grants.filter((grant) => grant.principal === principal.id);
    const withGrants = { ...principal, grants: held.map((grant) => grant.port) };
    const access = policy.portAccess(withGrants, port, { action });
    if (access.kind === 'denied') {
      return {
        ...base,
        decision: 'deny',
        policies: access.policies,
        reason: access.action === 'read' ? access.reason : `${access.action}: ${access.reason}`,
        columns: [],
        rowFilters: [],
      };
    }
    const columns = columnsOf(access.columns, { port, column: parsed.column });
    const isColumnHidden = parsed.column !== undefined && columns[0]?.endsWith(': hidden') === true;
    const grant = grantUse(policy, { principal: withGrants, port, access, held, action });
    return {
      ...base,
      decision: isColumnHidden ? 'deny' : 'allow',
      policies: access.policies,
      columns,
      rowFilters: access.rowFilters.map((filter) => `${filter.sql} (${filter.policy})`),
      ...(grant ? { grant } : {}),
    };
  });
}

/**
 * The grant a granted access comes through: the principal holds one on the port, and some
 * permit deciding the port holds only with it (the same question asked without the grant
 * lacks that permit). The grant expiring last is named when several are held.
 */
function grantUse(
  policy: AccessPolicy,
  at: {
    principal: Principal;
    port: PortRecord;
    access: Extract<PortAccess, { kind: 'granted' }>;
    held: readonly WhoCanGrant[];
    action: PortAction;
  },
): WhoCanGrantUse | undefined {
  const onPort = at.held
    .filter((grant) => grant.port === at.port.address)
    .sort((a, b) => b.expiresAt.localeCompare(a.expiresAt));
  const [grant] = onPort;
  if (!grant) return undefined;
  const others = (at.principal.grants ?? []).filter((address) => address !== at.port.address);
  const without = policy.portAccess({ ...at.principal, grants: others }, at.port, { action: at.action });
  const before = without.kind === 'granted' ? without.policies : [];
  const policies = at.access.policies.filter((id) => !before.includes(id));
  return policies.length === 0 ? undefined : { id: grant.id, expiresAt: grant.expiresAt, policies };
}

function columnsOf(
  columns: readonly ColumnAccess[],
  target: { port: PortRecord; column: string | undefined },
): string[] {
  const selected =
    target.column === undefined ? columns : columns.filter((column) => column.column === target.column);
  if (target.column !== undefined && selected.length === 0) {
    throw new QuantaError('QUANTA_NOT_FOUND', `no column ${target.column} in ${target.port.address}`);
  }
  return selected
    .filter((column) => target.column !== undefined || column.kind !== 'raw')
    .map((column) => `${column.column}: ${describe(column)}`);
}

function describe(column: ColumnAccess): string {
  const by = column.policies.length > 0 ? ` (${column.policies.join(', ')})` : '';
  switch (column.kind) {
    case 'raw':
      return `raw${by}`;
    case 'masked':
      return `${column.mask}${by}`;
    case 'hidden':
      return `hidden${by}`;
  }
}
