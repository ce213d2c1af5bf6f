import type { UserReferential } from '@quanta/governance';
import type { AuditStore } from '@quanta/store';

/** How much a domain's products are used, and by whom: the basis of the portal's KPIs. */
export interface DomainUsage {
  readonly domain: string;
  /** Allowed queries that read at least one of the domain's ports. */
  readonly queries: number;
  /** Distinct principals behind them. */
  readonly consumers: number;
  /** Those of them from another domain (or none): the domain's interoperability. */
  readonly crossDomainConsumers: number;
  /** ISO timestamp of the latest query, when there was one. */
  readonly lastQueryAt?: string;
}

/** The usage of each domain from the audit log, optionally since a time. */
export async function summarizeDomainUsage(
  audit: AuditStore,
  options: { domains: readonly string[]; referential: UserReferential; since?: string },
): Promise<DomainUsage[]> {
  const homeDomain = new Map(
    options.referential.principals.map((principal) => [principal.id, principal.domain]),
  );
  return Promise.all(
    options.domains.map(async (domain): Promise<DomainUsage> => {
      const consumers = await audit.summarizeUsage({
        address: `quanta://${domain}/`,
        ...(options.since === undefined ? {} : { since: options.since }),
      });
      const lastQueryAt = consumers
        .map((consumer) => consumer.lastQueryAt)
        .sort()
        .at(-1);
      return {
        domain,
        queries: consumers.reduce((total, consumer) => total + consumer.queries, 0),
        consumers: consumers.length,
        crossDomainConsumers: consumers.filter((consumer) => homeDomain.get(consumer.principal) !== domain)
          .length,
        ...(lastQueryAt === undefined ? {} : { lastQueryAt }),
      };
    }),
  );
}
