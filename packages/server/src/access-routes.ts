import { isJsonObject, QuantaError } from '@quanta/model';
import { type GrantListQuery, type MeshService, parseDurationDays } from '@quanta/services';
import type { AccessRequestQuery, AccessRequestState } from '@quanta/store';
import type { Hono } from 'hono';
import type { ApiEnv } from './http-principal.ts';

const STATES: readonly AccessRequestState[] = ['pending', 'approved', 'denied'];

/**
 * Access requests and grants over HTTP, as the authenticated principal: file a request, list the
 * visible ones, approve or deny one (owners and delegates of the port's domain); list grants,
 * revoke one.
 */
export function registerAccessRoutes(app: Hono<ApiEnv>, service: MeshService): void {
  app.get('/api/access/requests', async (context) => {
    const state = context.req.query('state');
    const address = context.req.query('address');
    if (state !== undefined && !(STATES as readonly string[]).includes(state)) {
      throw new QuantaError('QUANTA_USAGE', `unknown state '${state}'`, {
        fix: 'pending, approved or denied',
      });
    }
    const query: AccessRequestQuery = {
      ...(state ? { state: state as AccessRequestState } : {}),
      ...(address ? { address } : {}),
    };
    const actor = context.get('principal').id;
    return context.json({ requests: await service.requests.listVisible({ actor, query }) });
  });
  app.post('/api/access/requests', async (context) => {
    const body: unknown = await context.req.json().catch(() => undefined);
    if (!isJsonObject(body) || typeof body.address !== 'string' || typeof body.purpose !== 'string') {
      throw new QuantaError(
        'QUANTA_USAGE',
        'send { "address": "quanta://d/p/port", "purpose": "...", "duration": "30d" }',
      );
    }
    const durationDays = parseDurationDays(typeof body.duration === 'string' ? body.duration : '30d');
    const request = await service.requests.request({
      principal: context.get('principal').id,
      address: body.address,
      purpose: body.purpose,
      durationDays,
    });
    return context.json({ request }, 201);
  });
  registerGrantRoutes(app, service);
  for (const kind of ['approve', 'deny'] as const) {
    app.post(`/api/access/requests/:id/${kind}`, async (context) => {
      const body: unknown = await context.req.json().catch(() => ({}));
      const note = isJsonObject(body) && typeof body.note === 'string' ? body.note : undefined;
      const decided = await service.requests.decide({
        requestId: context.req.param('id'),
        kind,
        actor: context.get('principal').id,
        ...(note ? { note } : {}),
      });
      return context.json(decided);
    });
  }
}

/** `GET /api/grants` (the visible grants, in force now unless `all=true`) and `POST /api/grants/{id}/revoke`. */
function registerGrantRoutes(app: Hono<ApiEnv>, service: MeshService): void {
  app.get('/api/grants', async (context) => {
    const { all, principal, domain, address } = context.req.query();
    if (all !== undefined && all !== 'true' && all !== 'false') {
      throw new QuantaError('QUANTA_USAGE', `all=${all}: write all=true or all=false`);
    }
    const query: GrantListQuery = {
      ...(principal ? { principal } : {}),
      ...(domain ? { domain } : {}),
      ...(address ? { address } : {}),
      includeInactive: all === 'true',
    };
    const actor = context.get('principal').id;
    return context.json({ grants: await service.requests.listGrants({ actor, query }) });
  });
  app.post('/api/grants/:id/revoke', async (context) => {
    const body: unknown = await context.req.json().catch(() => undefined);
    if (!isJsonObject(body) || typeof body.reason !== 'string') {
      throw new QuantaError('QUANTA_USAGE', 'send { "reason": "why the access ends" }');
    }
    const revoked = await service.requests.revokeGrant({
      grantId: context.req.param('id'),
      actor: context.get('principal').id,
      reason: body.reason,
    });
    return context.json(revoked);
  });
}
