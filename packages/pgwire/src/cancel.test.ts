import assert from 'node:assert/strict';
import { connect as connectSocket } from 'node:net';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { PgWireServer } from './pg-wire-server.ts';
import { startTestPgWire, TEST_PASSWORDS, type TestPgWire } from './test-backend.ts';

let pgWire: TestPgWire;
let server: PgWireServer;
let release: () => void = () => undefined;
let reached: () => void = () => undefined;
const isReached = new Promise<void>((resolve) => {
  reached = resolve;
});
const held = new Promise<void>((resolve) => {
  release = resolve;
});

before(async () => {
  pgWire = await startTestPgWire();
  // The real mesh backend, with one statement held until the test releases it.
  server = await PgWireServer.create({
    port: 0,
    backend: {
      authenticate: pgWire.backend.authenticate,
      query: async (sql, options) => {
        if (sql.includes('held')) {
          reached();
          await held;
        }
        return pgWire.backend.query(sql, options);
      },
    },
  });
});

after(async () => {
  release();
  await server.close();
  await pgWire.dispose();
});

/** Sends a CancelRequest (length 16, code 80877102, process id, secret) on a new connection. */
function sendCancel(processId: number, secret: number): Promise<void> {
  const request = Buffer.alloc(16);
  request.writeInt32BE(16, 0);
  request.writeInt32BE(80877102, 4);
  request.writeInt32BE(processId, 8);
  request.writeInt32BE(secret, 12);
  return new Promise((resolve, reject) => {
    const socket = connectSocket(server.port, '127.0.0.1', () => socket.end(request));
    socket.on('error', reject);
    socket.on('close', () => resolve());
  });
}

test('a CancelRequest with the backend key ends the statement in flight with 57014', async () => {
  const client = new pg.Client({
    host: '127.0.0.1',
    port: server.port,
    database: 'mesh',
    user: 'ada',
    password: TEST_PASSWORDS.ada,
  });
  await client.connect();
  try {
    // node-postgres keeps the BackendKeyData it received on the client.
    const key = client as unknown as { processID: number; secretKey: number };
    const running = client.query("select 'held' as state").then(
      () => assert.fail('the held statement was not canceled'),
      (error: unknown) => error,
    );
    await isReached;
    await sendCancel(key.processID, key.secretKey + 1);
    await sendCancel(key.processID, key.secretKey);
    const error = (await running) as { code?: string; message?: string };
    assert.equal(error.code, '57014');
    assert.equal(error.message, 'canceling statement due to user request');
    assert.deepEqual((await client.query('select 1 as ok')).rows, [{ ok: 1 }]);
  } finally {
    await client.end();
  }
});
