import {
  type AccessPolicy,
  localPrincipal,
  type ResourceRef,
  type WhoCanEntry,
  whoCan,
} from '@quanta/governance';
import { parseAddress, QuantaError } from '@quanta/model';
import type { MeshService } from '@quanta/services';
import type { AuditDecision, AuditEvent, AuditQuery } from '@quanta/store';
import type { Command } from 'commander';
import pc from 'picocolors';
import { outputOf, withMesh } from './command-context.ts';

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
    .action(async (address: string, _options: unknown, command: Command) => {
      const { domain } = parseAddress(address);
      const entries = await withMesh(command, async (service) => {
        const policy = await requireAdministration(service, { type: 'Domain', name: domain });
        return whoCan(policy, address);
      });
      outputOf(command).result({ address, entries }, () => renderWhoCan(entries));
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

/** One block per principal: the decision, the deciding policies, masked or hidden columns and row filters. */
export function renderWhoCan(entries: readonly WhoCanEntry[]): string {
  return entries
    .map((entry) => {
      const decision = entry.decision === 'allow' ? pc.green('can read') : pc.red('cannot read');
      const lines = [
        `${pc.bold(entry.principal)} ${decision} ${pc.dim(`(${entry.policies.join(', ') || 'no policy'})`)}`,
      ];
      if (entry.reason) lines.push(pc.dim(`  ${entry.reason}`));
      for (const column of entry.columns) lines.push(`  ${column}`);
      for (const filter of entry.rowFilters) lines.push(`  rows where ${filter}`);
      return lines.join('\n');
    })
    .join('\n');
}
