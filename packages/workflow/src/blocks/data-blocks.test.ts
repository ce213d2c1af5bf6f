import assert from 'node:assert/strict';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import type { ProductSpec } from '@quanta/model';
import { fakeClock } from '../workflow-test-support.ts';
import { httpBlock } from './http-block.ts';
import { notifyBlock } from './notify-block.ts';
import type { ProductRunContext } from './product-run-context.ts';
import { waitForBlock } from './wait-for-block.ts';

async function contextFor(
  extra: Partial<ProductRunContext> = {},
): Promise<ProductRunContext & { meshRoot: string }> {
  const meshRoot = await mkdtemp(path.join(tmpdir(), 'quanta-blocks-'));
  const product = { domain: 'sales', name: 'orders', address: 'quanta://sales/orders' } as ProductSpec;
  return {
    runId: 'run-1',
    meshRoot,
    product,
    inputs: new Map(),
    progress: { update() {} },
    ...extra,
  } as ProductRunContext & { meshRoot: string };
}

async function serve(reply: (request: IncomingMessage, body: string) => number) {
  const seen: { headers: IncomingMessage['headers']; body: string }[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => {
      body += chunk.toString();
    });
    request.on('end', () => {
      seen.push({ headers: request.headers, body });
      response.writeHead(reply(request, body), { 'content-type': 'application/json' });
      response.end(JSON.stringify({ ok: true }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  return { url, seen, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe('quanta.wait_for', () => {
  test('waits for the marker and a quiet period on the injected clock', async () => {
    const timer = fakeClock();
    const context = await contextFor({ timer });
    const folder = path.join(context.meshRoot, 'landing', 'sales', 'orders');
    await mkdir(folder, { recursive: true });
    await writeFile(path.join(folder, 'a.csv'), 'id\n1\n2\n');
    let polls = 0;
    const slowMarker = {
      ...timer,
      sleep: async (ms: number) => {
        polls += 1;
        if (polls === 2) await writeFile(path.join(folder, '_SUCCESS'), '');
        await timer.sleep(ms);
      },
    };
    const result = await waitForBlock.run(
      { folder: 'landing/sales/orders', marker: '_SUCCESS', quiet: 10, rows: 2, poll: 5 },
      { ...context, timer: slowMarker },
    );
    assert.deepEqual(result, {
      ready: true,
      reason: '1 file(s) complete',
      files: [path.join(folder, 'a.csv')],
    });
    assert.ok(timer.sleeps.length >= 3, 'it polled until the quiet period passed');
  });

  test('raises TimeoutError with the reason when the delivery stays incomplete', async () => {
    const context = await contextFor({ timer: fakeClock() });
    await mkdir(path.join(context.meshRoot, 'landing', 'sales', 'orders'), { recursive: true });
    await assert.rejects(
      waitForBlock.run({ folder: 'landing/sales/orders', files: ['a.csv'], timeout_after: 60 }, context),
      (error: { value: { tags: string[]; message: string } }) =>
        error.value.tags.includes('TimeoutError') &&
        error.value.message.includes('expected file(s) missing: a.csv'),
    );
  });

  test('refuses a folder outside the domain landing zone', async () => {
    const context = await contextFor({ timer: fakeClock() });
    await assert.rejects(waitForBlock.run({ folder: 'landing/other' }, context), {
      code: 'QUANTA_PATH_ESCAPE',
    });
  });
});

describe('quanta.http and quanta.notify', () => {
  test('sends the bearer token from an env reference and retries 503 with the named policy', async () => {
    let calls = 0;
    const server = await serve(() => (++calls < 3 ? 503 : 200));
    const timer = fakeClock();
    try {
      const context = await contextFor({ timer, env: { CRM_TOKEN: 's3cret' } });
      const result = await httpBlock.run(
        { url: server.url, auth: { type: 'bearer', env: 'CRM_TOKEN' } },
        context,
      );
      assert.deepEqual(result, {
        code: 200,
        headers: (result as { headers: never }).headers,
        body: { ok: true },
      });
      assert.equal(server.seen[0]?.headers.authorization, 'Bearer s3cret');
      assert.deepEqual(timer.sleeps, [1000, 1250]);
    } finally {
      await server.close();
    }
  });

  test('reads a mesh secret and fails clearly when the reference is missing', async () => {
    const server = await serve(() => 200);
    try {
      const context = await contextFor({ timer: fakeClock() });
      await mkdir(path.join(context.meshRoot, '.quanta', 'secrets'), { recursive: true });
      await writeFile(path.join(context.meshRoot, '.quanta', 'secrets', 'crm'), 'from-file\n');
      await httpBlock.run(
        { url: server.url, auth: { type: 'header', header: 'x-api-key', secret: 'crm' } },
        context,
      );
      assert.equal(server.seen[0]?.headers['x-api-key'], 'from-file');
      await assert.rejects(
        httpBlock.run({ url: server.url, auth: { env: 'NOPE' } }, context),
        /NOPE is not set/,
      );
    } finally {
      await server.close();
    }
  });

  test('notify POSTs the JSON body with the product and run', async () => {
    const server = await serve(() => 202);
    try {
      const result = await notifyBlock.run(
        { url: server.url, body: { text: 'published' } },
        await contextFor(),
      );
      assert.deepEqual(result, { code: 202 });
      assert.deepEqual(JSON.parse(server.seen[0]?.body ?? ''), {
        product: 'quanta://sales/orders',
        runId: 'run-1',
        text: 'published',
      });
    } finally {
      await server.close();
    }
  });
});
