import { randomUUID } from 'node:crypto';
import {
  type AuthorizationAnswer,
  type EntityJson,
  type EntityUidJson,
  preparsePolicySet,
  statefulIsAuthorized,
} from '@cedar-policy/cedar-wasm/nodejs';
import type { Finding, PortRecord } from '@quanta/model';
import type { AccessAction } from './cedar-schema.ts';
import { isMaskFunction, type MaskFunction, strongestMask } from './column-masks.ts';
import { type PolicyEntry, policyRecord } from './policy-set.ts';
import { compileRowFilter } from './row-filter.ts';
import type { Principal, UserReferential } from './user-referential.ts';

/** What a decision is about. Columns are addressed `quanta://d/p/port#column`. */
export type ResourceRef =
  | { readonly type: 'Port'; readonly address: string }
  | { readonly type: 'Column'; readonly address: string }
  | { readonly type: 'Mesh' }
  | { readonly type: 'Domain'; readonly name: string };

/** A policy decision: a value, with the ids of the policies that decided it. */
export type AccessDecision =
  | { readonly kind: 'allow'; readonly policies: readonly string[] }
  | { readonly kind: 'deny'; readonly policies: readonly string[]; readonly reason: string };

/** How one column reaches a principal. */
export type ColumnAccess =
  | { readonly kind: 'raw'; readonly column: string; readonly policies: readonly string[] }
  | {
      readonly kind: 'masked';
      readonly column: string;
      readonly mask: MaskFunction;
      readonly policies: readonly string[];
    }
  | { readonly kind: 'hidden'; readonly column: string; readonly policies: readonly string[] };

/** A row filter to inject, and the policy that declared it. */
export interface RowFilter {
  readonly policy: string;
  readonly sql: string;
}

/**
 * What a principal does with a port's rows, each implying the ones before it: `read` them (the
 * catalog, who-can), `query` them (run SQL through the gateway, from any front door), `export`
 * them (take them out in bulk files: CSV, Arrow, Parquet).
 */
export type PortAction = Extract<AccessAction, 'read' | 'query' | 'export'>;

/**
 * What a principal may read of a port: nothing (with the action refused), or columns (raw,
 * masked or hidden) and row filters.
 */
export type PortAccess =
  | {
      readonly kind: 'denied';
      readonly port: string;
      /** The action refused: `read`, or `query`/`export` on a port whose `read` is allowed. */
      readonly action: PortAction;
      readonly policies: readonly string[];
      readonly reason: string;
    }
  | {
      readonly kind: 'granted';
      readonly port: string;
      /** The policies deciding `read` of the port (their row filters apply). */
      readonly policies: readonly string[];
      /** The policies permitting `query` and `export` when they were asked; none for `read`. */
      readonly actionPolicies: readonly string[];
      readonly columns: readonly ColumnAccess[];
      readonly rowFilters: readonly RowFilter[];
    };

/** What {@link AccessPolicy.create} needs. */
export interface AccessPolicyOptions {
  readonly meshName: string;
  readonly referential: UserReferential;
  readonly policies: readonly PolicyEntry[];
  /** Problems found while loading the policies: any error makes every decision deny. */
  readonly findings?: readonly Finding[];
  readonly ports: readonly PortRecord[];
}

const GLOBAL_SCOPE = 'global';

/**
 * The policy engine: Cedar over preparsed policies, plus Quanta's two rules on top.
 * - A domain's permits only open that domain's resources (default deny outside the owning
 *   domain); global permits open anything. Forbids from anywhere apply everywhere.
 * - Anything that cannot be evaluated denies: a policy set that does not parse, a forbid that
 *   errors, a row filter that does not compile (fail closed).
 * Masks (`@mask("hash")`) and row filters (`@rowFilter("country = principal.country")`) are
 * annotations of the policies that decide (ADR 006).
 */
export class AccessPolicy {
  readonly meshName: string;
  readonly referential: UserReferential;
  readonly ports: readonly PortRecord[];
  readonly #policies: ReadonlyMap<string, PolicyEntry>;
  readonly #setId: string;
  readonly #brokenReason: string | undefined;
  readonly #principals: ReadonlyMap<string, Principal>;
  readonly #resources: ReadonlyMap<string, { scope: string; entities: EntityJson[] }>;

  private constructor(options: AccessPolicyOptions, broken: string | undefined) {
    this.meshName = options.meshName;
    this.referential = options.referential;
    this.ports = options.ports;
    this.#policies = new Map(options.policies.map((policy) => [policy.id, policy]));
    this.#setId = `quanta-${randomUUID()}`;
    this.#principals = new Map(options.referential.principals.map((principal) => [principal.id, principal]));
    this.#resources = resourceEntities(options.ports);
    const parsed = broken
      ? undefined
      : preparsePolicySet(this.#setId, { staticPolicies: policyRecord(options.policies) });
    this.#brokenReason =
      broken ??
      (parsed?.type === 'failure' ? `the policies do not parse: ${parsed.errors[0]?.message}` : undefined);
  }

  /** Preparses the policies once, so that each decision takes microseconds. */
  static create(options: AccessPolicyOptions): AccessPolicy {
    const error = (options.findings ?? []).find((finding) => finding.severity === 'error');
    return new AccessPolicy(options, error ? `the policies are invalid: ${error.message}` : undefined);
  }

  /** The principal of the referential with this id (never one who left). */
  principal(id: string): Principal | undefined {
    const principal = this.#principals.get(id);
    return principal?.status === 'left' ? undefined : principal;
  }

  /** Decides one request. */
  authorize(principal: Principal, request: { action: AccessAction; resource: ResourceRef }): AccessDecision {
    if (this.#brokenReason) return { kind: 'deny', policies: [], reason: this.#brokenReason };
    const resource = this.#resourceOf(request.resource);
    if (!resource) return { kind: 'deny', policies: [], reason: 'unknown resource' };
    const answer = statefulIsAuthorized({
      principal: { type: 'User', id: principal.id },
      action: { type: 'Action', id: request.action },
      resource: resource.uid,
      context: {},
      preparsedPolicySetId: this.#setId,
      entities: [...principalEntities(principal, this.referential), ...resource.entities],
    });
    return this.#decisionOf(answer, resource.scope);
  }

  /**
   * What a principal may read of a port for an action (`read` when omitted): the port's `read`
   * decision, then `query` (for a query or an export) and `export` (for an export) on the port,
   * then one decision per column. A `query` or `export` forbid thus denies a port the principal
   * may read, whatever its columns.
   */
  portAccess(principal: Principal, port: PortRecord, options: { action?: PortAction } = {}): PortAccess {
    const resource: ResourceRef = { type: 'Port', address: port.address };
    const decision = this.authorize(principal, { action: 'read', resource });
    if (decision.kind === 'deny') {
      return {
        kind: 'denied',
        port: port.address,
        action: 'read',
        policies: decision.policies,
        reason: decision.reason,
      };
    }
    const actionPolicies: string[] = [];
    for (const action of impliedActions(options.action ?? 'read')) {
      const allowed = this.authorize(principal, { action, resource });
      if (allowed.kind === 'deny') {
        return {
          kind: 'denied',
          port: port.address,
          action,
          policies: allowed.policies,
          reason: allowed.reason,
        };
      }
      actionPolicies.push(...allowed.policies);
    }
    const columns = port.columns.map((column) =>
      this.#columnAccess(principal, `${port.address}#${column.name}`),
    );
    if (!columns.some((column) => column.kind !== 'hidden')) {
      return {
        kind: 'denied',
        port: port.address,
        action: 'read',
        policies: decision.policies,
        reason: 'no column is readable',
      };
    }
    const rowFilters: RowFilter[] = [];
    for (const policyId of decision.policies) {
      const expression = this.#policies.get(policyId)?.annotations.rowFilter;
      if (expression === undefined) continue;
      const compiled = compileRowFilter(expression, {
        principal,
        columns: port.columns.map((column) => column.name),
      });
      if (compiled.kind === 'invalid') {
        return {
          kind: 'denied',
          port: port.address,
          action: 'read',
          policies: [policyId],
          reason: `row filter of ${policyId}: ${compiled.reason}`,
        };
      }
      rowFilters.push({ policy: policyId, sql: compiled.sql });
    }
    return {
      kind: 'granted',
      port: port.address,
      policies: decision.policies,
      actionPolicies,
      columns,
      rowFilters,
    };
  }

  /** The policy declaring an id, for reports. */
  policy(id: string): PolicyEntry | undefined {
    return this.#policies.get(id);
  }

  #columnAccess(principal: Principal, address: string): ColumnAccess {
    const column = address.slice(address.indexOf('#') + 1);
    const decision = this.authorize(principal, { action: 'read', resource: { type: 'Column', address } });
    const masks = decision.policies.map((id) => this.#policies.get(id)?.annotations.mask);
    const valid = masks.filter((mask): mask is MaskFunction => mask !== undefined && isMaskFunction(mask));
    const hasInvalidMask = masks.some((mask) => mask !== undefined && !isMaskFunction(mask));
    if (hasInvalidMask) return { kind: 'hidden', column, policies: decision.policies };
    const strongest = strongestMask(valid);
    if (decision.kind === 'allow') {
      return strongest
        ? { kind: 'masked', column, mask: strongest, policies: decision.policies }
        : { kind: 'raw', column, policies: decision.policies };
    }
    const isEveryForbidMasked = decision.policies.length > 0 && valid.length === decision.policies.length;
    return isEveryForbidMasked && strongest
      ? { kind: 'masked', column, mask: strongest, policies: decision.policies }
      : { kind: 'hidden', column, policies: decision.policies };
  }

  #decisionOf(answer: AuthorizationAnswer, scope: string): AccessDecision {
    if (answer.type === 'failure') {
      return {
        kind: 'deny',
        policies: [],
        reason: `the decision failed: ${answer.errors[0]?.message ?? 'unknown error'}`,
      };
    }
    const { decision, diagnostics } = answer.response;
    const erroredForbid = diagnostics.errors.find(
      (error) => this.#policies.get(error.policyId)?.effect === 'forbid',
    );
    if (erroredForbid) {
      return {
        kind: 'deny',
        policies: [erroredForbid.policyId],
        reason: `forbid ${erroredForbid.policyId} could not be evaluated`,
      };
    }
    if (decision === 'deny') {
      const reason =
        diagnostics.reason.length > 0 ? 'forbidden by policy' : 'no policy permits it (default deny)';
      return { kind: 'deny', policies: diagnostics.reason, reason };
    }
    const inScope = diagnostics.reason.filter((id) => {
      const policyScope = this.#policies.get(id)?.scope;
      return policyScope === GLOBAL_SCOPE || policyScope === scope;
    });
    if (inScope.length === 0) {
      const others = diagnostics.reason.join(', ');
      return {
        kind: 'deny',
        policies: [],
        reason: `only another domain's policies permit it (${others}); default deny outside the owning domain`,
      };
    }
    return { kind: 'allow', policies: inScope };
  }

  #resourceOf(
    resource: ResourceRef,
  ): { uid: EntityUidJson; scope: string; entities: EntityJson[] } | undefined {
    switch (resource.type) {
      case 'Mesh':
        return { uid: { type: 'Mesh', id: this.meshName }, scope: GLOBAL_SCOPE, entities: [] };
      case 'Domain':
        return { uid: { type: 'Domain', id: resource.name }, scope: resource.name, entities: [] };
      case 'Port':
      case 'Column': {
        const known = this.#resources.get(`${resource.type} ${resource.address}`);
        return known ? { uid: { type: resource.type, id: resource.address }, ...known } : undefined;
      }
    }
  }
}

/** The actions asked of a port beyond `read`: a query is SQL over the port, an export a query written to files. */
function impliedActions(action: PortAction): readonly PortAction[] {
  switch (action) {
    case 'read':
      return [];
    case 'query':
      return ['query'];
    case 'export':
      return ['query', 'export'];
  }
}

function principalEntities(principal: Principal, referential: UserReferential): EntityJson[] {
  const user: EntityJson = {
    uid: { type: 'User', id: principal.id },
    attrs: {
      kind: principal.kind,
      domain: principal.domain,
      country: principal.country,
      role: principal.role,
      clearance: principal.clearance,
      status: principal.status,
      grants: [...(principal.grants ?? [])],
    },
    parents: principal.groups.map((id) => ({ type: 'Group', id })),
  };
  const groups = referential.groups
    .filter((group) => principal.groups.includes(group.id))
    .map((group): EntityJson => ({ uid: { type: 'Group', id: group.id }, attrs: {}, parents: [] }));
  return [user, ...groups];
}

/** Each port's and column's entity chain (Column → Port → Product), built once. */
function resourceEntities(
  ports: readonly PortRecord[],
): Map<string, { scope: string; entities: EntityJson[] }> {
  const resources = new Map<string, { scope: string; entities: EntityJson[] }>();
  for (const port of ports) {
    const productId = `quanta://${port.domain}/${port.product}`;
    const product: EntityJson = {
      uid: { type: 'Product', id: productId },
      attrs: { domain: port.domain, name: port.product },
      parents: [{ type: 'Domain', id: port.domain }],
    };
    const portEntity: EntityJson = {
      uid: { type: 'Port', id: port.address },
      attrs: { domain: port.domain, product: port.product, name: port.name, address: port.address },
      parents: [{ type: 'Product', id: productId }],
    };
    resources.set(`Port ${port.address}`, { scope: port.domain, entities: [portEntity, product] });
    for (const column of port.columns) {
      const address = `${port.address}#${column.name}`;
      const columnEntity: EntityJson = {
        uid: { type: 'Column', id: address },
        attrs: {
          domain: port.domain,
          product: port.product,
          port: port.name,
          name: column.name,
          portAddress: port.address,
          classification: column.classification ?? 'internal',
          tags: [...column.tags],
        },
        parents: [{ type: 'Port', id: port.address }],
      };
      resources.set(`Column ${address}`, {
        scope: port.domain,
        entities: [columnEntity, portEntity, product],
      });
    }
  }
  return resources;
}
