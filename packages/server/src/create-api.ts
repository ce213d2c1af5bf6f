import { isJsonObject, QuantaError, serializeError, toQuantaError } from '@quanta/model';
import { type MeshService, snapshotProfile } from '@quanta/services';
import { Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { registerAccessRoutes } from './access-routes.ts';
import { type ApiEnv, apiAuthentication } from './http-principal.ts';
import { OPENAPI_DOCUMENT } from './openapi.ts';
import { queryActionOf, queryMediaType, queryResponse } from './query-response.ts';
import { registerSessionRoutes, sessionServiceOf } from './session-routes.ts';

/**
 * The HTTP API over one mesh. It speaks only Web Request/Response (Hono); the Node listener is
 * an adapter in serve-api.ts. Errors are serialized the same way as everywhere, with the HTTP
 * status from the one error table.
 */
export function createApi(service: MeshService): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  app.onError((error, context) => {
    const quantaError = toQuantaError(error);
    if (quantaError.code === 'QUANTA_UNAUTHENTICATED') context.header('WWW-Authenticate', 'Bearer');
    return context.json(
      { error: serializeError(quantaError) },
      quantaError.presentation.httpStatus as ContentfulStatusCode,
    );
  });
  app.notFound((context) =>
    context.json(
      { error: serializeError(new QuantaError('QUANTA_NOT_FOUND', `no route ${context.req.path}`)) },
      404,
    ),
  );
  app.get('/health', (context) => context.json({ status: 'ok', store: service.store.kind }));
  app.get('/openapi.json', (context) => context.json(OPENAPI_DOCUMENT));
  const sessions = sessionServiceOf(service);
  app.use('/api/*', apiAuthentication(service, sessions));
  registerSessionRoutes(app, sessions);
  registerAccessRoutes(app, service);
  app.get('/api/catalog', async (context) => context.json({ entries: await service.catalogList() }));
  app.get('/api/catalog/show', async (context) => {
    const address = context.req.query('address');
    if (!address) throw new QuantaError('QUANTA_USAGE', 'the `address` query parameter is required');
    return context.json(await service.catalogShow(address));
  });
  app.get('/api/profile', async (context) => {
    const address = context.req.query('address');
    if (!address) throw new QuantaError('QUANTA_USAGE', 'the `address` query parameter is required');
    return context.json(await snapshotProfile(service.store, address));
  });
  app.get('/api/health', async (context) => {
    const address = context.req.query('address');
    return context.json({ ports: await service.health(address) });
  });
  app.get('/api/health/ports/:address', async (context) => {
    const address = context.req.param('address');
    const wanted = `quanta://${address.replace(/^quanta:\/\//, '')}`;
    const port = (await service.health(address)).find((item) => item.port === wanted);
    if (!port) throw new QuantaError('QUANTA_NOT_FOUND', `${address} is not a deployed port`, { address });
    return context.json(port);
  });
  app.post('/api/query', async (context) => {
    const body: unknown = await context.req.json().catch(() => undefined);
    if (!isJsonObject(body) || typeof body.sql !== 'string') {
      throw new QuantaError('QUANTA_USAGE', 'send a JSON body { "sql": "select ..." }');
    }
    const mediaType = queryMediaType(context.req.header('accept'));
    const stream = await service.gateway.stream(
      body.sql,
      { principal: context.get('principal').id },
      { action: queryActionOf(mediaType) },
    );
    return queryResponse(stream, mediaType);
  });
  app.get('/api/runs', async (context) => {
    const product = context.req.query('product');
    const limit = Number(context.req.query('limit') ?? 50);
    return context.json({ runs: await service.store.listRuns({ ...(product ? { product } : {}), limit }) });
  });
  app.post('/api/runs', async (context) => {
    const body: unknown = await context.req.json().catch(() => undefined);
    if (!isJsonObject(body) || typeof body.product !== 'string') {
      throw new QuantaError('QUANTA_USAGE', 'send a JSON body { "product": "<domain>/<product>" }');
    }
    const queued = await service.runs.enqueue(body.product, {
      trigger: `api:${context.get('principal').id}`,
    });
    return context.json({ runId: queued.runId, product: queued.product, status: queued.status }, 202);
  });
  app.get('/api/runs/:id', async (context) => {
    const id = context.req.param('id');
    const run = await service.store.getRun(id);
    if (run) return context.json({ run, events: await service.store.listStepEvents(run.id) });
    // A queued run has no run record until a worker claims it: answer with its queue entry.
    const queued = await service.store.runQueue.getQueuedRun(id);
    if (!queued) throw new QuantaError('QUANTA_NOT_FOUND', `no run ${id}`);
    return context.json({ queued, events: [] });
  });
  app.get('/api/runs/:id/lineage', async (context) => {
    const events = await service.runs.lineage(context.req.param('id'));
    return context.json({ events: events.map((event) => event.event) });
  });
  return app;
}
