import { type DomainUsage, summarizeDomainUsage } from '@quanta/gateway';
import { QuantaError } from '@quanta/model';
import type { MeshService } from './mesh-service.ts';

/** One principal holding access to a domain's ports, and whether it uses it. */
export interface AccessReviewEntry {
  readonly principal: string;
  readonly name: string;
  readonly domain: string;
  readonly role: string;
  /** The domain's ports it may read now (policies and active grants). */
  readonly ports: readonly string[];
  /** The ports it reads through an active grant. */
  readonly grants: readonly string[];
  /** Allowed queries over the domain's ports within the review window. */
  readonly queries: number;
  readonly lastQueryAt?: string;
  /** `inactive`: holds access but has not used it within the window. */
  readonly status: 'active' | 'inactive';
}

/** The answer to `quanta access review <domain>`. */
export interface AccessReview {
  readonly domain: string;
  readonly inactiveDays: number;
  /** Start of the window, ISO. */
  readonly since: string;
  readonly entries: readonly AccessReviewEntry[];
}

const DAY_MS = 86_400_000;

/**
 * Who holds access to a domain's ports, from the policies and grants in force, and who used it
 * in the last `inactiveDays` days, from the audit log: the basis of a periodic access review.
 */
export async function reviewDomainAccess(
  service: MeshService,
  options: { domain: string; inactiveDays: number },
): Promise<AccessReview> {
  const policy = await service.access();
  const ports = policy.ports.filter((port) => port.domain === options.domain);
  if (ports.length === 0) {
    throw new QuantaError('QUANTA_NOT_FOUND', `domain ${options.domain} has no deployed port`, {
      fix: 'name a deployed domain (quanta catalog list)',
    });
  }
  const since = new Date(service.clock.now().getTime() - options.inactiveDays * DAY_MS).toISOString();
  const usage = await service.audit.summarizeUsage({ address: `quanta://${options.domain}/`, since });
  const byPrincipal = new Map(usage.map((consumer) => [consumer.principal, consumer]));
  const entries: AccessReviewEntry[] = [];
  for (const principal of policy.referential.principals) {
    if (policy.principal(principal.id) === undefined) continue;
    const grants = await service.requests.activeGrants(principal.id);
    const withGrants = { ...principal, grants };
    const readable = ports
      .filter((port) => policy.portAccess(withGrants, port).kind === 'granted')
      .map((port) => port.address);
    if (readable.length === 0) continue;
    const used = byPrincipal.get(principal.id);
    entries.push({
      principal: principal.id,
      name: principal.name,
      domain: principal.domain,
      role: principal.role,
      ports: readable,
      grants: grants.filter((grant) => readable.includes(grant)),
      queries: used?.queries ?? 0,
      ...(used ? { lastQueryAt: used.lastQueryAt } : {}),
      status: used ? 'active' : 'inactive',
    });
  }
  return { domain: options.domain, inactiveDays: options.inactiveDays, since, entries };
}

/** Usage of each deployed domain (or one), from the audit log. */
export async function domainUsage(
  service: MeshService,
  options: { domain?: string } = {},
): Promise<DomainUsage[]> {
  const policy = await service.access();
  const catalog = await service.store.loadCatalog();
  const domains = catalog.domains
    .map((domain) => domain.name)
    .filter((name) => options.domain === undefined || name === options.domain);
  if (options.domain !== undefined && domains.length === 0) {
    throw new QuantaError('QUANTA_NOT_FOUND', `no deployed domain ${options.domain}`);
  }
  return summarizeDomainUsage(service.audit, { domains, referential: policy.referential });
}
