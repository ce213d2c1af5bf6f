import { serve } from '@hono/node-server';
import type { MeshService } from '@quanta/services';
import { createApi } from './create-api.ts';

/** A running HTTP server. */
export interface RunningServer {
  readonly url: string;
  close(): Promise<void>;
}

/** Where and how {@link serveApi} serves. */
export interface ServeOptions {
  readonly port: number;
  readonly host?: string;
  /**
   * Evaluate the triggers every `pollMs` on the service's clock (ADR 013); on the embedded store
   * the queued runs are executed in this process too, on PostgreSQL `quanta worker`s execute them.
   */
  readonly triggers?: { readonly pollMs: number };
  /**
   * An OpenLineage endpoint (`QUANTA_OPENLINEAGE_URL`): the runs this server executes POST their
   * RunEvents there too, as `quanta run` and `quanta worker` do.
   */
  readonly lineageEndpoint?: string;
}

/**
 * Serves the API on a Node HTTP listener (the runtime adapter). Port 0 picks a free port.
 * Closing the server also stops its trigger loop, after the run in hand.
 */
export async function serveApi(service: MeshService, options: ServeOptions): Promise<RunningServer> {
  const app = createApi(service);
  const host = options.host ?? '127.0.0.1';
  const stop = new AbortController();
  const scheduling = options.triggers
    ? service.runs.schedule({
        clock: service.clock,
        pollMs: options.triggers.pollMs,
        signal: stop.signal,
        isExecuting: service.store.kind === 'embedded',
        ...(options.lineageEndpoint ? { settings: { lineageEndpoint: options.lineageEndpoint } } : {}),
      })
    : Promise.resolve();
  return new Promise((resolve) => {
    const server = serve({ fetch: app.fetch, port: options.port, hostname: host }, (info) => {
      resolve({
        url: `http://${host}:${info.port}`,
        close: async () => {
          stop.abort();
          await Promise.all([scheduling, new Promise<void>((done) => server.close(() => done()))]);
        },
      });
    });
  });
}
