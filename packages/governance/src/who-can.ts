import { type PortRecord, parseAddress, QuantaError } from '@quanta/model';
import type { AccessPolicy, ColumnAccess } from './access-policy.ts';

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
}

/**
 * Every principal of the referential, with what it can read of a port or a column address and
 * which policies decide it: the answer to `quanta access who-can <address>`.
 */
export function whoCan(policy: AccessPolicy, address: string): WhoCanEntry[] {
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
  return policy.referential.principals.map((principal) => {
    const base = {
      principal: principal.id,
      name: principal.name,
      domain: principal.domain,
      role: principal.role,
    };
    const access = policy.portAccess(principal, port);
    if (access.kind === 'denied') {
      return {
        ...base,
        decision: 'deny',
        policies: access.policies,
        reason: access.reason,
        columns: [],
        rowFilters: [],
      };
    }
    const columns = columnsOf(access.columns, { port, column: parsed.column });
    const isColumnHidden = parsed.column !== undefined && columns[0]?.endsWith(': hidden') === true;
    return {
      ...base,
      decision: isColumnHidden ? 'deny' : 'allow',
      policies: access.policies,
      columns,
      rowFilters: access.rowFilters.map((filter) => `${filter.sql} (${filter.policy})`),
    };
  });
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
