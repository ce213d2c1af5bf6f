import type { DomainUsage } from '@quanta/gateway';
import {
  type AccessPolicy,
  localPrincipal,
  type ResourceRef,
  type WhoCanEntry,
  whoCan,
} from '@quanta/governance';
import { parseAddress, QuantaError } from '@quanta/model';
import {
  type AccessReview,
  domainUsage,
  type MeshService,
  parseDurationDays,
  reviewDomainAccess,
} from '@quanta/services';
import type {
  AccessRequest,
  AccessRequestState,
  AuditDecision,
  AuditEvent,
  AuditQuery,
  GrantRecord,
} from '@quanta/store';
import type { Command } from 'commander';
import pc from 'picocolors';
import { outputOf, withMesh } from './command-context.ts';
import { renderTable } from './output.ts';

const DECISIONS: readonly AuditDecision[] = ['allow', 'deny', 'error'];

/** `quanta audit` and `quanta access who-can`: the evidence that policies are applied. */
export function addAccessCommands(program: Command): void {
  program
    .command('audit')
    .description('the access audit log, most recent first (needs `administer`)')
    .option('--principal <id>', 'only this principal')
    .option('--address <address>', 'only reads of this address or address prefix (quanta://sales)')
    .option('--since <time>', 'only events at or after this ISO time (2025-01-31, 2025-01-31T12:00Z)')
    .option('--decision <decision>', 'allow, deny or error')
    .option('--limit <n>', 'at most n events', '50')
    .action(async (options: AuditOptions, command: Command) => {
      const query = auditQueryOf(options);
      const events = await withMesh(command, async (service) => {
        await requireAdministration(service, { type: 'Mesh' });
        return service.audit.listAuditEvents(query);
      });
      outputOf(command).result({ events }, () => renderAudit(events));
    });
  const access = program.command('access').description('who can read what, and why');
  access
    .command('who-can <address>')
    .description(
      'every principal of the referential and what it can read of a port or column, with the deciding policies',
    )
    .option('--action <action>', 'read (default), query (run SQL on the port) or export (bulk files)', 'read')
    .action(async (address: string, options: { action: string }, command: Command) => {
      const { domain } = parseAddress(address);
      const action = portActionOf(options.action);
      const entries = await withMesh(command, async (service) => {
        const policy = await requireAdministration(service, { type: 'Domain', name: domain });
        const grants = await service.accessStore.grants.listGrants({
          domain,
          activeAt: service.clock.now().toISOString(),
        });
        return whoCan(policy, address, { grants, action });
      });
      outputOf(command).result({ address, entries }, () => renderWhoCan(entries));
    });
  addRequestCommands(access);
  addGrantCommands(access);
  addReportCommands(program, access);
}

const STATES: readonly AccessRequestState[] = ['pending', 'approved', 'denied'];

/** `quanta access request|requests|approve|deny`, as the local principal. */
function addRequestCommands(access: Command): void {
  access
    .command('request <address>')
    .description('ask the owning domain for access to a port, with a purpose and a duration')
    .requiredOption('--purpose <text>', 'what the data is for')
    .option('--duration <duration>', 'how long the grant lasts once approved: 30d, 12h, 1y', '30d')
    .action(async (address: string, options: { purpose: string; duration: string }, command: Command) => {
      const durationDays = parseDurationDays(options.duration);
      const request = await withMesh(command, (service) =>
        service.requests.request({
          principal: localPrincipal(),
          address,
          purpose: options.purpose,
          durationDays,
        }),
      );
      outputOf(command).result(
        { request },
        () => `Requested ${request.id}: ${request.port} for ${request.durationDays}d, waiting for its owner.`,
      );
    });
  access
    .command('requests')
    .description(
      "access requests you may see: yours, your domains' (owner or delegate), all for administrators",
    )
    .option('--state <state>', 'pending, approved or denied')
    .option('--address <address>', 'a port address or prefix')
    .action(async (options: { state?: string; address?: string }, command: Command) => {
      if (options.state !== undefined && !(STATES as readonly string[]).includes(options.state)) {
        throw new QuantaError('QUANTA_USAGE', `unknown state '${options.state}'`, {
          fix: 'pending, approved or denied',
        });
      }
      const query = {
        ...(options.state ? { state: options.state as AccessRequestState } : {}),
        ...(options.address ? { address: options.address } : {}),
      };
      const requests = await withMesh(command, (service) =>
        service.requests.listVisible({ actor: localPrincipal(), query }),
      );
      outputOf(command).result({ requests }, () => renderRequests(requests));
    });
  for (const kind of ['approve', 'deny'] as const) {
    access
      .command(`${kind} <request-id>`)
      .description(
        kind === 'approve'
          ? "approve a pending request (the domain's owner or a delegate): a grant that expires on its own"
          : "deny a pending request (the domain's owner or a delegate)",
      )
      .option('--note <text>', 'a note for the requester and the audit')
      .action(async (requestId: string, options: { note?: string }, command: Command) => {
        const decided = await withMesh(command, (service) =>
          service.requests.decide({
            requestId,
            kind,
            actor: localPrincipal(),
            ...(options.note ? { note: options.note } : {}),
          }),
        );
        outputOf(command).result(decided, () =>
          decided.grant
            ? `Approved ${requestId}: ${decided.grant.principal} reads ${decided.grant.port} until ${decided.grant.expiresAt} (grant ${decided.grant.id}).`
            : `Denied ${requestId}.`,
        );
      });
  }
}

/** `quanta access grants|revoke`, as the local principal. */
function addGrantCommands(access: Command): void {
  access
    .command('grants')
    .description(
      "grants you may see, in force now: yours, your domains' (owner or delegate), all for administrators",
    )
    .option('--domain <domain>', 'only grants on the ports of this domain')
    .option('--principal <id>', 'only the grants of this principal')
    .option('--address <address>', 'a port address or prefix')
    .option('--all', 'include expired and revoked grants')
    .action(async (options: GrantsOptions, command: Command) => {
      const query = {
        ...(options.domain ? { domain: options.domain } : {}),
        ...(options.principal ? { principal: options.principal } : {}),
        ...(options.address ? { address: options.address } : {}),
        includeInactive: Boolean(options.all),
      };
      const result = await withMesh(command, async (service) => ({
        grants: await service.requests.listGrants({ actor: localPrincipal(), query }),
        now: service.clock.now(),
      }));
      outputOf(command).result({ grants: result.grants }, () => renderGrants(result.grants, result.now));
    });
  access
    .command('revoke <grant-id>')
    .description(
      "revoke a grant now (the domain's owner, a delegate, an approver or an administrator): the next query no longer sees it",
    )
    .requiredOption('--reason <text>', 'why the access ends, for the audit')
    .action(async (grantId: string, options: { reason: string }, command: Command) => {
      const revoked = await withMesh(command, (service) =>
        service.requests.revokeGrant({ grantId, actor: localPrincipal(), reason: options.reason }),
      );
      const { grant } = revoked;
      outputOf(command).result(revoked, () =>
        revoked.isAlreadyRevoked
          ? `Grant ${grant.id} was already revoked at ${grant.revokedAt} by ${grant.revokedBy ?? 'unknown'}.`
          : `Revoked grant ${grant.id}: ${grant.principal} no longer reads ${grant.port}.`,
      );
    });
}

interface GrantsOptions {
  readonly domain?: string;
  readonly principal?: string;
  readonly address?: string;
  readonly all?: boolean;
}

/** `quanta access review` and `quanta usage`: who holds access and uses it, per domain. */
function addReportCommands(program: Command, access: Command): void {
  access
    .command('review <domain>')
    .description("who holds access to a domain's ports, and who has not used it in N days (from the audit)")
    .option('--inactive-days <n>', 'the review window in days', '90')
    .action(async (domain: string, options: { inactiveDays: string }, command: Command) => {
      const inactiveDays = Number(options.inactiveDays);
      if (!Number.isInteger(inactiveDays) || inactiveDays <= 0) {
        throw new QuantaError('QUANTA_USAGE', '--inactive-days must be a positive integer');
      }
      const review = await withMesh(command, async (service) => {
        await requireAdministration(service, { type: 'Domain', name: domain });
        return reviewDomainAccess(service, { domain, inactiveDays });
      });
      outputOf(command).result(review, () => renderReview(review));
    });
  program
    .command('usage')
    .description(
      'usage per domain: queries, distinct consumers, consumers from other domains (needs `administer`)',
    )
    .option('--domain <domain>', 'only this domain')
    .action(async (options: { domain?: string }, command: Command) => {
      const usage = await withMesh(command, async (service) => {
        await requireAdministration(
          service,
          options.domain ? { type: 'Domain', name: options.domain } : { type: 'Mesh' },
        );
        return domainUsage(service, options.domain ? { domain: options.domain } : {});
      });
      outputOf(command).result({ usage }, () => renderUsage(usage));
    });
}

interface AuditOptions {
  readonly principal?: string;
  readonly address?: string;
  readonly since?: string;
  readonly decision?: string;
  readonly limit: string;
}

function auditQueryOf(options: AuditOptions): AuditQuery {
  if (options.decision !== undefined && !(DECISIONS as readonly string[]).includes(options.decision)) {
    throw new QuantaError('QUANTA_USAGE', `unknown decision '${options.decision}'`, {
      fix: 'use allow, deny or error',
    });
  }
  if (options.since !== undefined && Number.isNaN(Date.parse(options.since))) {
    throw new QuantaError('QUANTA_USAGE', `'${options.since}' is not a time`, {
      fix: 'write an ISO date: 2025-01-31',
    });
  }
  const limit = Number(options.limit);
  if (!Number.isInteger(limit) || limit <= 0)
    throw new QuantaError('QUANTA_USAGE', '--limit must be a positive integer');
  return {
    ...(options.principal ? { principal: options.principal } : {}),
    ...(options.address ? { address: options.address } : {}),
    ...(options.since ? { since: options.since } : {}),
    ...(options.decision ? { decision: options.decision as AuditDecision } : {}),
    limit,
  };
}

/** The CLI's principal must be allowed to `administer` the mesh (or the domain concerned). */
async function requireAdministration(service: MeshService, resource: ResourceRef): Promise<AccessPolicy> {
  const policy = await service.access();
  const id = localPrincipal();
  const principal = policy.principal(id);
  const onResource = principal ? policy.authorize(principal, { action: 'administer', resource }) : undefined;
  const onMesh = principal
    ? policy.authorize(principal, { action: 'administer', resource: { type: 'Mesh' } })
    : undefined;
  if (onResource?.kind !== 'allow' && onMesh?.kind !== 'allow') {
    throw new QuantaError('QUANTA_POLICY_DENIED', `${id} may not administer this`, {
      fix: 'run as a principal allowed to `administer` (QUANTA_PRINCIPAL)',
    });
  }
  return policy;
}

/** One line per event: time, decision, principal (and impersonator), rows, ports and policies. */
export function renderAudit(events: readonly AuditEvent[]): string {
  if (events.length === 0) return 'No audit events.';
  return events
    .map((event) => {
      const decision =
        event.decision === 'allow'
          ? pc.green('allow')
          : event.decision === 'deny'
            ? pc.red('deny ')
            : pc.yellow('error');
      const who =
        event.actor === event.principal
          ? event.principal
          : `${event.principal} (impersonated by ${event.actor})`;
      const rows = event.rowsReturned === undefined ? '' : ` ${event.rowsReturned} rows`;
      const lines = [
        `${pc.dim(event.at)} ${decision} ${who}${rows} ${event.durationMs.toFixed(1)} ms`,
        `  ${event.statement}`,
      ];
      if (event.ports.length > 0) lines.push(pc.dim(`  ports: ${event.ports.join(', ')}`));
      if (event.policies.length > 0) lines.push(pc.dim(`  policies: ${event.policies.join(', ')}`));
      if (event.reason) lines.push(pc.dim(`  reason: ${event.reason}`));
      return lines.join('\n');
    })
    .join('\n');
}

/**
 * One block per principal: the decision, the deciding policies, the grant it comes through
 * (id, expiry), masked or hidden columns and row filters.
 */
export function renderWhoCan(entries: readonly WhoCanEntry[]): string {
  return entries
    .map((entry) => {
      const decision = entry.decision === 'allow' ? pc.green('can read') : pc.red('cannot read');
      const lines = [
        `${pc.bold(entry.principal)} ${decision} ${pc.dim(`(${entry.policies.join(', ') || 'no policy'})`)}`,
      ];
      if (entry.reason) lines.push(pc.dim(`  ${entry.reason}`));
      if (entry.grant) {
        lines.push(
          `  through grant ${entry.grant.id} until ${entry.grant.expiresAt} ${pc.dim(`(${entry.grant.policies.join(', ')})`)}`,
        );
      }
      for (const column of entry.columns) lines.push(`  ${column}`);
      for (const filter of entry.rowFilters) lines.push(`  rows where ${filter}`);
      return lines.join('\n');
    })
    .join('\n');
}

/** One row per request: id, state, requester, port, duration, purpose and decision. */
export function renderRequests(requests: readonly AccessRequest[]): string {
  if (requests.length === 0) return 'No access requests.';
  return renderTable(
    ['id', 'state', 'principal', 'port', 'duration', 'purpose', 'decided by'],
    requests.map((request) => [
      request.id,
      request.state,
      request.principal,
      request.port,
      `${request.durationDays}d`,
      request.purpose,
      request.decidedBy ?? '',
    ]),
  );
}

/** One row per grant: id, principal, port, granted by, expiry and state (active, expired, revoked). */
export function renderGrants(grants: readonly GrantRecord[], now: Date): string {
  if (grants.length === 0) return 'No grants.';
  return renderTable(
    ['id', 'principal', 'port', 'granted by', 'expires', 'state'],
    grants.map((grant) => [
      grant.id,
      grant.principal,
      grant.port,
      grant.grantedBy,
      grant.expiresAt,
      grantState(grant, now),
    ]),
  );
}

function grantState(grant: GrantRecord, now: Date): string {
  if (grant.revokedAt !== undefined) {
    return `revoked ${grant.revokedAt} by ${grant.revokedBy ?? 'unknown'}${grant.revokeReason ? `: ${grant.revokeReason}` : ''}`;
  }
  return Date.parse(grant.expiresAt) <= now.getTime() ? 'expired' : 'active';
}

/** Active users first, then the inactive ones to revoke. */
export function renderReview(review: AccessReview): string {
  if (review.entries.length === 0) return `Nobody holds access to ${review.domain}.`;
  const entries = [...review.entries].sort(
    (a, b) => a.status.localeCompare(b.status) || a.principal.localeCompare(b.principal),
  );
  return [
    `Access to ${review.domain}, used since ${review.since} (${review.inactiveDays} days):`,
    renderTable(
      ['principal', 'domain', 'role', 'status', 'queries', 'last query', 'ports', 'via grant'],
      entries.map((entry) => [
        entry.principal,
        entry.domain,
        entry.role,
        entry.status,
        entry.queries,
        entry.lastQueryAt ?? 'never',
        entry.ports.length,
        entry.grants.length,
      ]),
    ),
  ].join('\n');
}

/** One row per domain. */
export function renderUsage(usage: readonly DomainUsage[]): string {
  return renderTable(
    ['domain', 'queries', 'consumers', 'from other domains', 'last query'],
    usage.map((entry) => [
      entry.domain,
      entry.queries,
      entry.consumers,
      entry.crossDomainConsumers,
      entry.lastQueryAt ?? '',
    ]),
  );
}

/** The `--action` of who-can: one of the actions a port answers for. */
function portActionOf(text: string): 'read' | 'query' | 'export' {
  if (text === 'read' || text === 'query' || text === 'export') return text;
  throw new QuantaError('QUANTA_USAGE', `--action takes read, query or export, not '${text}'`);
}
