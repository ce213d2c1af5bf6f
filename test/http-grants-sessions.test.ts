import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createApi } from '@quanta/server';
import { MeshService } from '@quanta/services';
import type { GrantRecord } from '@quanta/store';
import { issueTokens, jsonRequest, type TestApi } from './support/api-requests.ts';
import { copyExampleMesh, type ExampleMeshCopy } from './support/example-mesh.ts';
import { manualClock } from './support/manual-clock.ts';

interface ErrorBody {
  error: { code: string; message: string };
}

/** What `app.request` answers for a relative path: the API's own origin. */
const SAME_ORIGIN = 'http://localhost';
const CUSTOMERS = 'quanta://customers/crm-customers/customers';
const ORDERS = 'quanta://sales/orders/orders';

describe('grants and portal sessions over the HTTP API', () => {
  let mesh: ExampleMeshCopy;
  let service: MeshService;
  let api: TestApi;
  const clock = manualClock();
  const tokens: Record<string, string> = {};

  const as = (who: string, path: string, init: RequestInit = {}) =>
    api.request(path, jsonRequest({ authorization: `Bearer ${tokens[who]}` }, init));
  const post = (who: string, path: string, body: unknown = {}) =>
    as(who, path, { method: 'POST', body: JSON.stringify(body) });
  const query = (who: string, sql: string) => post(who, '/api/query', { sql });
  const grantsOf = async (who: string, search = '') =>
    ((await (await as(who, `/api/grants${search}`)).json()) as { grants: GrantRecord[] }).grants;

  /** Files a request as `who` and has `approver` approve it; the grant's id. */
  const grant = async (who: string, address: string, approver: string) => {
    const filed = await post(who, '/api/access/requests', { address, purpose: 'study', duration: '30d' });
    const { request } = (await filed.json()) as { request: { id: string } };
    const approved = await post(approver, `/api/access/requests/${request.id}/approve`);
    assert.equal(approved.status, 200);
    return ((await approved.json()) as { grant: { id: string } }).grant.id;
  };

  const login = (token: unknown, headers: Record<string, string> = {}, url = '/api/session') =>
    api.request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ token }),
    });
  /** The `name=value` of the session cookie a login set. */
  const cookieOf = (response: Response) => {
    const value = /quanta_session=([^;]*)/.exec(response.headers.get('set-cookie') ?? '')?.[1];
    assert.ok(value, 'the login sets the session cookie');
    return `quanta_session=${value}`;
  };
  const withCookie = (cookie: string, path: string, init: RequestInit = {}) =>
    api.request(path, jsonRequest({ cookie }, init));

  before(async () => {
    mesh = await copyExampleMesh({ orders: 200, customers: 50 });
    service = await MeshService.create({ root: mesh.root, clock });
    await service.apply({ appliedBy: 'test' });
    for (const product of ['customers/crm-customers', 'sales/orders']) {
      assert.equal((await service.run(product)).state, 'succeeded');
    }
    api = createApi(service);
    Object.assign(tokens, await issueTokens(service));
  });

  after(async () => {
    await service?.close();
    await mesh?.remove();
  });

  test("lists the grants each caller may see, and the owner's revocation closes the port at once", async () => {
    const sql = 'select count(*) as n from customers.crm_customers.customers';
    const id = await grant('mia@acme.example', CUSTOMERS, 'ada@acme.example');
    assert.equal((await query('mia@acme.example', sql)).status, 200);
    assert.deepEqual(
      (await grantsOf('mia@acme.example')).map((listed) => [listed.id, listed.port]),
      [[id, CUSTOMERS]],
    );
    assert.deepEqual(await grantsOf('sam@acme.example'), [], 'not his grant, not his domain');
    assert.deepEqual(
      (await grantsOf('gus@acme.example', '?domain=customers&principal=mia@acme.example')).map(
        (listed) => listed.id,
      ),
      [id],
    );
    assert.deepEqual(await grantsOf('gus@acme.example', '?domain=sales'), []);

    const bySam = await post('sam@acme.example', `/api/grants/${id}/revoke`, { reason: 'no' });
    assert.equal(bySam.status, 403);
    assert.equal(((await bySam.json()) as ErrorBody).error.code, 'QUANTA_POLICY_DENIED');
    const noReason = await post('ada@acme.example', `/api/grants/${id}/revoke`, {});
    assert.equal(noReason.status, 400);
    const blankReason = await post('ada@acme.example', `/api/grants/${id}/revoke`, { reason: '  ' });
    assert.equal(blankReason.status, 400);
    const unknown = await post('ada@acme.example', '/api/grants/gr-0000000000/revoke', { reason: 'x' });
    assert.equal(unknown.status, 404);
    const unknownBody = (await unknown.json()) as ErrorBody;
    assert.deepEqual(
      [unknownBody.error.code, unknownBody.error.message],
      ['QUANTA_NOT_FOUND', 'no grant gr-0000000000'],
    );

    const revoked = await post('ada@acme.example', `/api/grants/${id}/revoke`, { reason: 'study over' });
    assert.equal(revoked.status, 200);
    const body = (await revoked.json()) as { grant: GrantRecord; isAlreadyRevoked: boolean };
    assert.deepEqual(
      [body.isAlreadyRevoked, body.grant.revokedBy, body.grant.revokeReason],
      [false, 'ada@acme.example', 'study over'],
    );
    const denied = await query('mia@acme.example', sql);
    assert.equal(denied.status, 403, 'a revoked grant is gone from principal.grants at the next query');
    assert.deepEqual(await grantsOf('mia@acme.example'), []);
    assert.deepEqual(
      (await grantsOf('mia@acme.example', '?all=true')).map((listed) => [listed.id, listed.revokedBy]),
      [[id, 'ada@acme.example']],
    );
    assert.equal((await as('mia@acme.example', '/api/grants?all=yes')).status, 400);
    const audit = await service.audit.listAuditEvents({ principal: 'mia@acme.example', limit: 20 });
    const revocation = audit.find((event) => event.action === 'revoke-grant');
    assert.deepEqual(
      [revocation?.actor, revocation?.reason, revocation?.ports],
      ['ada@acme.example', 'study over', [CUSTOMERS]],
    );
  });

  test('an administrator revokes any grant; revoking twice keeps the first revocation', async () => {
    const id = await grant('ada@acme.example', ORDERS, 'sam@acme.example');
    const byGus = await post('gus@acme.example', `/api/grants/${id}/revoke`, { reason: 'incident 42' });
    assert.equal(byGus.status, 200, await byGus.clone().text());
    const first = ((await byGus.json()) as { grant: GrantRecord }).grant;
    clock.advanceHours(1);
    const again = await post('sam@acme.example', `/api/grants/${id}/revoke`, { reason: 'me too' });
    assert.equal(again.status, 200);
    assert.deepEqual(await again.json(), { grant: first, isAlreadyRevoked: true });
    const audit = await service.audit.listAuditEvents({ principal: 'ada@acme.example', limit: 20 });
    assert.deepEqual(
      audit.filter((event) => event.action === 'revoke-grant').map((event) => event.actor),
      ['gus@acme.example'],
    );
  });

  test('logs in with a token: an HttpOnly SameSite=Strict cookie with a session id, never the token', async () => {
    const token = tokens['mia@acme.example'] ?? '';
    const response = await login(token);
    assert.equal(response.status, 201);
    const setCookie = response.headers.get('set-cookie') ?? '';
    assert.match(setCookie, /HttpOnly/);
    assert.match(setCookie, /SameSite=Strict/);
    assert.match(setCookie, /Path=\//);
    assert.doesNotMatch(setCookie, /Secure/, 'plain http: no Secure flag');
    const cookie = cookieOf(response);
    const sessionId = cookie.slice('quanta_session='.length);
    assert.notEqual(sessionId, token);
    assert.ok(!setCookie.includes(token.slice(16)), 'no part of the secret in the cookie');
    assert.ok(sessionId.length >= 43, 'a 256-bit random id');
    const [tokenRecord] = await service.tokens.list({ actor: 'mia@acme.example' });
    assert.ok(tokenRecord);

    const whoami = await withCookie(cookie, '/api/session');
    assert.equal(whoami.status, 200);
    const me = (await whoami.json()) as {
      principal: { id: string };
      authentication: { kind: string; tokenId: string; expiresAt: string };
    };
    assert.deepEqual(
      [me.principal.id, me.authentication.kind, me.authentication.tokenId],
      ['mia@acme.example', 'session', tokenRecord.id],
    );
    assert.equal(Date.parse(me.authentication.expiresAt), clock.now().getTime() + 12 * 3_600_000);
    assert.ok(!JSON.stringify(me).includes(sessionId), 'the id is never echoed');
    assert.equal((await withCookie(cookie, '/api/catalog')).status, 200, 'a GET needs no Origin');
    const bearer = (await (await as('sam@acme.example', '/api/session')).json()) as {
      principal: { id: string };
      authentication: { kind: string };
    };
    assert.deepEqual([bearer.principal.id, bearer.authentication.kind], ['sam@acme.example', 'bearer']);

    const logout = await withCookie(cookie, '/api/session', {
      method: 'DELETE',
      headers: { origin: SAME_ORIGIN },
    });
    assert.equal(logout.status, 204);
    assert.match(logout.headers.get('set-cookie') ?? '', /quanta_session=;.*Max-Age=0/);
    const after = await withCookie(cookie, '/api/session');
    assert.equal(after.status, 401);
    assert.equal(((await after.json()) as ErrorBody).error.code, 'QUANTA_UNAUTHENTICATED');
    const audit = await service.audit.listAuditEvents({ principal: 'mia@acme.example', limit: 5 });
    assert.deepEqual(
      audit.slice(0, 2).map((event) => `${event.action} ${event.decision}`),
      ['logout allow', 'login allow'],
    );
  });

  test('a cookie-authenticated POST needs a same-origin Origin header', async () => {
    const cookie = cookieOf(await login(tokens['sam@acme.example']));
    const body = JSON.stringify({ sql: 'select count(*) as n from sales.orders.orders' });
    for (const origin of [undefined, 'https://evil.example', 'null', 'https://localhost']) {
      const refused = await withCookie(cookie, '/api/query', {
        method: 'POST',
        body,
        headers: origin === undefined ? {} : { origin },
      });
      assert.equal(refused.status, 403, `Origin ${origin}`);
      assert.equal(((await refused.json()) as ErrorBody).error.code, 'QUANTA_CSRF_REFUSED');
    }
    const notLoggedOut = await withCookie(cookie, '/api/session', { method: 'DELETE' });
    assert.equal(notLoggedOut.status, 403, 'logout by cookie is a change too');
    const allowed = await withCookie(cookie, '/api/query', {
      method: 'POST',
      body,
      headers: { origin: SAME_ORIGIN },
    });
    assert.equal(allowed.status, 200);
    const behindProxy = await withCookie(cookie, '/api/query', {
      method: 'POST',
      body,
      headers: { origin: 'https://localhost', 'x-forwarded-proto': 'https' },
    });
    assert.equal(behindProxy.status, 200, 'a TLS-terminating proxy says the scheme');
    const bearerNoOrigin = await query('sam@acme.example', 'select 1 as one');
    assert.equal(bearerNoOrigin.status, 200, 'bearer requests are not cross-site forgeable');
  });

  test('failed logins are audited and answer the stable unauthenticated error', async () => {
    const mia = tokens['mia@acme.example'] ?? '';
    const forged = `${mia.slice(0, -4)}AAAA`;
    for (const token of ['nope', forged, 42, undefined]) {
      const response = await login(token);
      assert.equal(response.status, 401, String(token));
      assert.equal(response.headers.get('set-cookie'), null);
      const body = (await response.json()) as ErrorBody;
      assert.deepEqual(
        [body.error.code, body.error.message],
        ['QUANTA_UNAUTHENTICATED', 'the token is invalid, expired or revoked'],
      );
    }
    const crossSite = await login(mia, { origin: 'https://evil.example' });
    assert.equal(crossSite.status, 403);
    const audit = await service.audit.listAuditEvents({ decision: 'deny', limit: 10 });
    const logins = audit.filter((event) => event.action === 'login');
    assert.deepEqual(
      logins.map((event) => [event.principal, event.actor, event.reason]),
      [
        ['anonymous', 'anonymous', 'malformed'],
        ['anonymous', 'anonymous', 'malformed'],
        ['mia@acme.example', 'anonymous', 'wrong-secret'],
        ['anonymous', 'anonymous', 'malformed'],
      ],
    );
    assert.ok(logins.every((event) => !event.statement.includes(mia.slice(16, 40))));
  });

  test('revoking the token ends its sessions at once', async () => {
    const created = await service.tokens.create({ principal: 'ada@acme.example', actor: 'local-admin' });
    const cookie = cookieOf(await login(created.token));
    assert.equal((await withCookie(cookie, '/api/session')).status, 200);
    await service.tokens.revoke({ id: created.record.id, actor: 'ada@acme.example' });
    assert.equal((await withCookie(cookie, '/api/session')).status, 401);
    assert.equal((await login(created.token)).status, 401);
  });

  test('a session ends at the earlier of its token expiry and 12 hours', async () => {
    const lasting = await service.tokens.create({ principal: 'sam@acme.example', actor: 'local-admin' });
    const cookie = cookieOf(await login(lasting.token));
    const short = await service.tokens.create({
      principal: 'sam@acme.example',
      actor: 'local-admin',
      expiresInDays: 1 / 24,
    });
    const shortResponse = await login(short.token);
    const shortCookie = cookieOf(shortResponse);
    const shortSession = (await shortResponse.json()) as { authentication: { expiresAt: string } };
    assert.equal(shortSession.authentication.expiresAt, short.record.expiresAt);
    clock.advanceHours(2);
    assert.equal((await withCookie(shortCookie, '/api/session')).status, 401, 'its token expired');
    assert.equal((await withCookie(cookie, '/api/session')).status, 200);
    clock.advanceHours(10);
    const expired = await withCookie(cookie, '/api/session');
    assert.equal(expired.status, 401, 'expired after 12 hours though its token lives on');
    assert.equal(((await expired.json()) as ErrorBody).error.code, 'QUANTA_UNAUTHENTICATED');
    assert.equal((await as('sam@acme.example', '/api/session')).status, 200);
  });

  test('over https the cookie is Secure', async () => {
    const direct = await login(tokens['gus@acme.example'], {}, 'https://quanta.example/api/session');
    assert.match(direct.headers.get('set-cookie') ?? '', /; Secure/);
    const proxied = await login(tokens['gus@acme.example'], { 'x-forwarded-proto': 'https' });
    assert.match(proxied.headers.get('set-cookie') ?? '', /; Secure/);
  });

  test('documents the session and grant routes, and the CSRF rule, in OpenAPI', async () => {
    const openapi = (await (await api.request('/openapi.json')).json()) as {
      info: { description: string };
      paths: Record<string, Record<string, { security?: unknown[] }>>;
      components: { securitySchemes: Record<string, { in?: string; name?: string }> };
    };
    assert.deepEqual(openapi.paths['/api/session']?.post?.security, []);
    assert.ok(openapi.paths['/api/session']?.delete);
    assert.ok(openapi.paths['/api/grants']?.get);
    assert.ok(openapi.paths['/api/grants/{id}/revoke']?.post);
    assert.deepEqual(
      [
        openapi.components.securitySchemes.sessionCookie?.in,
        openapi.components.securitySchemes.sessionCookie?.name,
      ],
      ['cookie', 'quanta_session'],
    );
    assert.match(openapi.info.description, /Origin/);
  });
});
