import type { AccessPolicy } from '@quanta/governance';
import { type Clock, type JsonObject, type PortRecord, parseAddress, QuantaError } from '@quanta/model';
import type {
  AccessRequest,
  AccessRequestQuery,
  AccessStore,
  AuditStore,
  CatalogStore,
  DecidedAccessRequest,
} from '@quanta/store';
import { addDays } from './access-duration.ts';

/** What a consumer asks for. */
export interface AccessRequestInput {
  readonly principal: string;
  /** A port address, `quanta://<domain>/<product>/<port>`. */
  readonly address: string;
  readonly purpose: string;
  readonly durationDays: number;
}

/** An owner's or delegate's answer to a request. */
export interface AccessRequestAnswer {
  readonly requestId: string;
  readonly kind: 'approve' | 'deny';
  /** Who decides: the owning domain's owner, a delegate of `domain.yaml`, or a principal Cedar allows to `approve` the port. */
  readonly actor: string;
  readonly note?: string;
}

/** What the service works with. */
export interface AccessRequestServiceOptions {
  readonly store: CatalogStore;
  readonly access: AccessStore;
  readonly audit: AuditStore;
  readonly policy: () => Promise<AccessPolicy>;
  readonly clock: Clock;
}

/**
 * Access requests: a consumer asks for a port with a purpose and a duration, the owning
 * domain's owner (or a delegate) approves or denies, and an approval becomes a grant with an
 * expiry that policies read as `principal.grants` (ADR 011). Every step is audited.
 */
export class AccessRequestService {
  readonly #options: AccessRequestServiceOptions;

  private constructor(options: AccessRequestServiceOptions) {
    this.#options = options;
  }

  /** Wires the service. */
  static create(options: AccessRequestServiceOptions): AccessRequestService {
    return new AccessRequestService(options);
  }

  /** Files a pending request. */
  async request(input: AccessRequestInput): Promise<AccessRequest> {
    const policy = await this.#options.policy();
    const principal = policy.principal(input.principal);
    if (principal?.status !== 'active') {
      throw new QuantaError('QUANTA_POLICY_DENIED', `${input.principal} may not request access`, {
        fix: 'only active principals of governance/users.yaml request access',
      });
    }
    if (input.purpose.trim() === '') {
      throw new QuantaError('QUANTA_USAGE', 'an access request needs a purpose', {
        fix: '--purpose "what the data is for"',
      });
    }
    const port = await this.#port(input.address);
    const request = await this.#options.access.requests.createAccessRequest({
      principal: principal.id,
      port: port.address,
      purpose: input.purpose.trim(),
      durationDays: input.durationDays,
    });
    await this.#audit({ actor: principal.id, action: 'request-access', request, policies: [] });
    return request;
  }

  /** Approves (recording a grant that expires on its own) or denies a pending request. */
  async decide(answer: AccessRequestAnswer): Promise<DecidedAccessRequest> {
    const request = await this.#options.access.requests.getAccessRequest(answer.requestId);
    if (!request) {
      throw new QuantaError('QUANTA_NOT_FOUND', `no access request ${answer.requestId}`, {
        fix: 'list requests with: quanta access requests',
      });
    }
    const policies = await this.#requireApprover({ actor: answer.actor, port: request.port });
    const common = {
      requestId: request.id,
      decidedBy: answer.actor,
      ...(answer.note ? { note: answer.note } : {}),
    };
    const decided = await this.#options.access.requests.decideAccessRequest(
      answer.kind === 'approve'
        ? {
            kind: 'approve',
            ...common,
            expiresAt: addDays(this.#options.clock.now(), request.durationDays),
          }
        : { kind: 'deny', ...common },
    );
    await this.#audit({ actor: answer.actor, action: answer.kind, request: decided.request, policies });
    return decided;
  }

  /** Requests, newest first. */
  async list(query: AccessRequestQuery = {}): Promise<AccessRequest[]> {
    return this.#options.access.requests.listAccessRequests(query);
  }

  /**
   * The requests an actor may see: its own, those on the domains it owns or is a delegate of,
   * and every request for a principal allowed to `administer` the mesh.
   */
  async listVisible(options: { actor: string; query?: AccessRequestQuery }): Promise<AccessRequest[]> {
    const requests = await this.list(options.query);
    const policy = await this.#options.policy();
    const actor = policy.principal(options.actor);
    const isAdministrator =
      actor !== undefined &&
      policy.authorize(actor, { action: 'administer', resource: { type: 'Mesh' } }).kind === 'allow';
    if (isAdministrator) return requests;
    const catalog = await this.#options.store.loadCatalog();
    const decided = new Set(
      catalog.domains
        .filter(
          (domain) => domain.owner === options.actor || delegatesOf(domain.spec).includes(options.actor),
        )
        .map((domain) => domain.name),
    );
    return requests.filter(
      (request) => request.principal === options.actor || decided.has(parseAddress(request.port).domain),
    );
  }

  /** The port addresses a principal holds an active grant on, now. */
  async activeGrants(principal: string): Promise<string[]> {
    const grants = await this.#options.access.grants.listGrants({
      principal,
      activeAt: this.#options.clock.now().toISOString(),
    });
    return [...new Set(grants.map((grant) => grant.port))];
  }

  async #port(address: string): Promise<PortRecord> {
    const parsed = parseAddress(address);
    const catalog = await this.#options.store.loadCatalog();
    const port = catalog.ports.find(
      (candidate) =>
        candidate.domain === parsed.domain &&
        candidate.product === parsed.product &&
        candidate.name === parsed.port,
    );
    if (!port || parsed.column !== undefined || parsed.version !== undefined) {
      throw new QuantaError('QUANTA_NOT_FOUND', `no port at ${address}`, {
        fix: 'request a port: quanta://<domain>/<product>/<port>',
      });
    }
    return port;
  }

  /** The decider must own the port's domain, be one of its delegates, or be allowed to `approve` the port. */
  async #requireApprover(options: { actor: string; port: string }): Promise<string[]> {
    const port = await this.#port(options.port);
    const catalog = await this.#options.store.loadCatalog();
    const domain = catalog.domains.find((candidate) => candidate.name === port.domain);
    const isDelegate = domain !== undefined && delegatesOf(domain.spec).includes(options.actor);
    if (domain?.owner === options.actor || isDelegate) return [];
    const policy = await this.#options.policy();
    const actor = policy.principal(options.actor);
    const decision = actor
      ? policy.authorize(actor, { action: 'approve', resource: { type: 'Port', address: port.address } })
      : undefined;
    if (decision?.kind === 'allow') return [...decision.policies];
    throw new QuantaError(
      'QUANTA_POLICY_DENIED',
      `${options.actor} may not decide on access to ${port.address}: only the owner of domain ${port.domain}, a delegate or an approver may`,
      {
        address: port.address,
        fix: `add ${options.actor} to \`delegates:\` in domains/${port.domain}/domain.yaml`,
      },
    );
  }

  async #audit(event: {
    actor: string;
    action: string;
    request: AccessRequest;
    policies: string[];
  }): Promise<void> {
    const { request } = event;
    await this.#options.audit.appendAuditEvent({
      principal: request.principal,
      actor: event.actor,
      action: event.action,
      statement: `${event.action} ${request.id}: ${request.port} for ${request.durationDays}d (${request.purpose})${request.note ? ` note: ${request.note}` : ''}`,
      decision: event.action === 'deny' ? 'deny' : 'allow',
      policies: event.policies,
      ports: [request.port],
      columns: [],
      durationMs: 0,
    });
  }
}

/** The principals a domain.yaml lists under `delegates:`, who decide access requests with the owner. */
export function delegatesOf(spec: JsonObject): string[] {
  const delegates = spec.delegates;
  return Array.isArray(delegates)
    ? delegates.filter((delegate): delegate is string => typeof delegate === 'string')
    : [];
}
