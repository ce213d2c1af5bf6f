import { serve } from '@hono/node-server';
import type { MeshService } from '@quanta/services';
import { createApi } from './create-api.ts';

/** A running HTTP server. */
export interface RunningServer {
  readonly url: string;
  close(): Promise<void>;
}

/** Serves the API on a Node HTTP listener (the runtime adapter). Port 0 picks a free port. */
export async function serveApi(
  service: MeshService,
  options: { port: number; host?: string },
): Promise<RunningServer> {
  const app = createApi(service);
  const host = options.host ?? '127.0.0.1';
  return new Promise((resolve) => {
    const server = serve({ fetch: app.fetch, port: options.port, hostname: host }, (info) => {
      resolve({
        url: `http://${host}:${info.port}`,
        close: () => new Promise((done) => server.close(() => done())),
      });
    });
  });
}
