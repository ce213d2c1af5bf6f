import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { type RunningServer, serveApi } from '@quanta/server';
import { MeshService } from '@quanta/services';
import { copyExampleMesh, type ExampleMeshCopy } from './support/example-mesh.ts';

/** One POST the OpenLineage endpoint received. */
interface Received {
  readonly path: string;
  readonly contentType: string;
  readonly event: { eventType: string; run: { runId: string }; job: { namespace: string; name: string } };
}

async function bodyOf(request: IncomingMessage): Promise<string> {
  let text = '';
  for await (const chunk of request) text += chunk;
  return text;
}

describe('quanta serve POSTs the OpenLineage events of the runs it executes', () => {
  let mesh: ExampleMeshCopy;
  let service: MeshService;
  let api: RunningServer;
  const lineage = createServer();
  const received: Received[] = [];
  let token = '';
  const get = async (path: string) =>
    (await fetch(`${api.url}${path}`, { headers: { authorization: `Bearer ${token}` } })).json();

  /** The run once it ended; its events were POSTed before its end was recorded. */
  async function endedRun(runId: string): Promise<{ state: string }> {
    for (;;) {
      const { run } = (await get(`/api/runs/${runId}`)) as { run?: { state: string } };
      if (run && run.state !== 'running') return run;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  before(async () => {
    lineage.on('request', async (request, response) => {
      const entry: Received = {
        path: `${request.method} ${request.url}`,
        contentType: request.headers['content-type'] ?? '',
        event: JSON.parse(await bodyOf(request)),
      };
      received.push(entry);
      response.writeHead(201).end();
    });
    await new Promise<void>((resolve) => lineage.listen(0, '127.0.0.1', resolve));
    const endpoint = `http://127.0.0.1:${(lineage.address() as AddressInfo).port}/api/v1/lineage`;
    mesh = await copyExampleMesh({ orders: 100, customers: 30 });
    service = await MeshService.create({ root: mesh.root });
    await service.apply({ appliedBy: 'test' });
    token = (
      await service.tokens.create({ principal: 'sam@acme.example', actor: 'local-admin', expiresInDays: 1 })
    ).token;
    api = await serveApi(service, { port: 0, triggers: { pollMs: 50 }, lineageEndpoint: endpoint });
  });

  after(async () => {
    await api?.close();
    await service?.close();
    await mesh?.remove();
    await new Promise((resolve) => lineage.close(resolve));
  });

  test('a run queued through the API and executed by the serve loop posts START then COMPLETE', {
    timeout: 120_000,
  }, async () => {
    const queued = await fetch(`${api.url}/api/runs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ product: 'sales/orders' }),
    });
    assert.equal(queued.status, 202);
    const { runId } = (await queued.json()) as { runId: string };
    assert.equal((await endedRun(runId)).state, 'succeeded');

    const ours = received.filter((entry) => entry.event.run.runId === runId);
    assert.deepEqual(
      ours.map((entry) => [entry.path, entry.contentType, entry.event.eventType, entry.event.job.name]),
      [
        ['POST /api/v1/lineage', 'application/json', 'START', 'orders'],
        ['POST /api/v1/lineage', 'application/json', 'COMPLETE', 'orders'],
      ],
    );
    assert.equal(ours[0]?.event.job.namespace, 'quanta://sales');
    const { events } = (await get(`/api/runs/${runId}/lineage`)) as { events: unknown[] };
    assert.deepEqual(
      events,
      ours.map((entry) => entry.event),
      'the endpoint got exactly what the store recorded',
    );
  });
});
