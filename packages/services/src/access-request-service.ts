import type { AccessDecision, AccessPolicy } from '@quanta/governance';
import { type Clock, type JsonObject, type PortRecord, parseAddress, QuantaError } from '@quanta/model';
import type {
  AccessRequest,
  AccessRequestQuery,
  AccessStore,
  AuditStore,
  CatalogStore,
  DecidedAccessRequest,
  GrantRecord,
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

/** Filters of {@link AccessRequestService.listGrants}; combined with AND. */
export interface GrantListQuery {
  readonly principal?: string;
  readonly domain?: string;
  /** A port address or an address prefix (`quanta://sales/`). */
  readonly address?: string;
  /** Expired and revoked grants too; only the grants in force now without it. */
  readonly includeInactive?: boolean;
}

/** A revocation: who ends which grant, and why. */
export interface GrantRevocationInput {
  readonly grantId: string;
  /** The owning domain's owner, a delegate, a principal Cedar allows to `approve` the port, or an administrator. */
  readonly actor: string;
  readonly reason: string;
}

/** What a revocation did: the grant, and whether it had already been revoked before. */
export interface RevokedGrant {
  readonly grant: GrantRecord;
  /** True when an earlier revocation stands (its time, actor and reason are kept). */
  readonly isAlreadyRevoked: boolean;
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
    const decision = policy.authorize(principal, {
      action: 'request-access',
      resource: { type: 'Port', address: port.address },
    });
    if (decision.kind === 'deny') throw await this.#refuseRequest(input, { port, decision });
    const request = await this.#options.access.requests.createAccessRequest({
      principal: principal.id,
      port: port.address,
      purpose: input.purpose.trim(),
      durationDays: input.durationDays,
    });
    await this.#audit({
      actor: principal.id,
      action: 'request-access',
      request,
      policies: [...decision.policies],
    });
    return request;
  }

  /** Audits a request Cedar forbids (`request-access` denied), and returns the error to throw. */
  async #refuseRequest(
    input: AccessRequestInput,
    denied: { port: PortRecord; decision: Extract<AccessDecision, { kind: 'deny' }> },
  ): Promise<QuantaError> {
    const { port, decision } = denied;
    await this.#options.audit.appendAuditEvent({
      principal: input.principal,
      actor: input.principal,
      action: 'request-access',
      statement: `request-access ${port.address} for ${input.durationDays}d (${input.purpose.trim()})`,
      decision: 'deny',
      reason: decision.reason,
      policies: [...decision.policies],
      ports: [port.address],
      columns: [],
      durationMs: 0,
    });
    const by = decision.policies.length > 0 ? ` (${decision.policies.join(', ')})` : '';
    return new QuantaError(
      'QUANTA_POLICY_DENIED',
      `${input.principal} may not request access to ${port.address}: ${decision.reason}${by}`,
      { address: port.address, fix: 'ask the owner of the domain or the governance team' },
    );
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
    const isVisible = await this.#visibility(options.actor);
    return requests.filter((request) => isVisible({ principal: request.principal, port: request.port }));
  }

  /**
   * The grants an actor may see, newest first: its own, those on the domains it owns or is a
   * delegate of, and every grant for a principal allowed to `administer` the mesh. Only the
   * grants in force now, unless `includeInactive`.
   */
  async listGrants(options: { actor: string; query?: GrantListQuery }): Promise<GrantRecord[]> {
    const { includeInactive, ...filters } = options.query ?? {};
    const grants = await this.#options.access.grants.listGrants({
      ...filters,
      ...(includeInactive ? {} : { activeAt: this.#options.clock.now().toISOString() }),
    });
    const isVisible = await this.#visibility(options.actor);
    return grants.filter(isVisible);
  }

  /**
   * Revokes a grant at once: the next query no longer finds it in `principal.grants`. Decided
   * like an approval (the owning domain's owner, a delegate, a principal Cedar allows to
   * `approve` the port) or by an administrator of the mesh. Audited (`revoke-grant`). Revoking
   * a revoked grant changes nothing and says so.
   */
  async revokeGrant(input: GrantRevocationInput): Promise<RevokedGrant> {
    const reason = input.reason.trim();
    if (reason === '') {
      throw new QuantaError('QUANTA_USAGE', 'revoking a grant needs a reason', {
        fix: '--reason "why the access ends"',
      });
    }
    const grant = await this.#options.access.grants.getGrant(input.grantId);
    if (!grant) {
      throw new QuantaError('QUANTA_NOT_FOUND', `no grant ${input.grantId}`, {
        fix: 'list grants with: quanta access grants --all',
      });
    }
    const policies = await this.#requireRevoker({ actor: input.actor, port: grant.port });
    if (grant.revokedAt !== undefined) return { grant, isAlreadyRevoked: true };
    const revoked = await this.#options.access.grants.revokeGrant(grant.id, {
      revokedBy: input.actor,
      reason,
    });
    if (!revoked) throw new QuantaError('QUANTA_NOT_FOUND', `no grant ${input.grantId}`);
    await this.#options.audit.appendAuditEvent({
      principal: revoked.principal,
      actor: input.actor,
      action: 'revoke-grant',
      statement: `revoke-grant ${revoked.id}: ${revoked.port} (request ${revoked.requestId})`,
      decision: 'allow',
      reason,
      policies,
      ports: [revoked.port],
      columns: [],
      durationMs: 0,
    });
    return { grant: revoked, isAlreadyRevoked: false };
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
    if (await this.#isOwnerOrDelegate(options.actor, port.domain)) return [];
    const decision = await this.#authorize(options.actor, 'approve', port.address);
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

  /**
   * Whoever may approve access to the port may revoke it, and so may an administrator of the
   * mesh. The port may have left the catalog since: the grant's domain still decides.
   */
  async #requireRevoker(options: { actor: string; port: string }): Promise<string[]> {
    const { domain } = parseAddress(options.port);
    if (await this.#isOwnerOrDelegate(options.actor, domain)) return [];
    for (const decision of [
      await this.#authorize(options.actor, 'approve', options.port),
      await this.#authorize(options.actor, 'administer'),
    ]) {
      if (decision?.kind === 'allow') return [...decision.policies];
    }
    throw new QuantaError(
      'QUANTA_POLICY_DENIED',
      `${options.actor} may not revoke access to ${options.port}: only the owner of domain ${domain}, a delegate, an approver or an administrator may`,
      { address: options.port, fix: 'ask the owner of the domain, or an administrator' },
    );
  }

  async #isOwnerOrDelegate(actor: string, domainName: string): Promise<boolean> {
    const catalog = await this.#options.store.loadCatalog();
    const domain = catalog.domains.find((candidate) => candidate.name === domainName);
    return domain !== undefined && (domain.owner === actor || delegatesOf(domain.spec).includes(actor));
  }

  /** Cedar's decision on `approve` of a port, or `administer` of the mesh without a port. */
  async #authorize(
    actorId: string,
    action: 'approve' | 'administer',
    port?: string,
  ): Promise<AccessDecision | undefined> {
    const policy = await this.#options.policy();
    const actor = policy.principal(actorId);
    if (!actor) return undefined;
    return policy.authorize(actor, {
      action,
      resource: port === undefined ? { type: 'Mesh' } : { type: 'Port', address: port },
    });
  }

  /** Whether a grant or request (by its principal and port) is visible to an actor. */
  async #visibility(actorId: string): Promise<(item: { principal: string; port: string }) => boolean> {
    if ((await this.#authorize(actorId, 'administer'))?.kind === 'allow') return () => true;
    const catalog = await this.#options.store.loadCatalog();
    const decided = new Set(
      catalog.domains
        .filter((domain) => domain.owner === actorId || delegatesOf(domain.spec).includes(actorId))
        .map((domain) => domain.name),
    );
    return (item) => item.principal === actorId || decided.has(parseAddress(item.port).domain);
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
