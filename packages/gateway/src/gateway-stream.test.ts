import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DuckDbEngine } from '@quanta/engine';
import { createTestMesh, type TestMesh } from './test-mesh.ts';

/** 5 orders × 3,000 rows: several chunks of 2,048 rows. */
const MANY_ROWS = 'SELECT o.order_id, g.n FROM sales.orders.orders o, generate_series(1, 3000) g(n)';
const TOTAL_ROWS = 15_000;

/**
 * Every way a streamed query ends releases its sandboxed session: read to the end, stopped by
 * the consumer after the first chunk, left by `break`, failed mid-stream, refused before it ran.
 */
describe('gateway streams release their sessions', () => {
  let mesh: TestMesh;
  let engine: DuckDbEngine;

  before(async () => {
    mesh = await createTestMesh();
    assert.ok(mesh.engine instanceof DuckDbEngine);
    engine = mesh.engine;
  });
  after(async () => {
    await mesh.dispose();
  });

  const lastAudit = async () => {
    const [event] = await mesh.audit.listAuditEvents({ limit: 1 });
    assert.ok(event);
    return event;
  };

  test('a consumer stopping after the first chunk releases its session and is audited as stopped', async () => {
    assert.equal(engine.readSessionsInUse, 0);
    const stream = await mesh.gateway.stream(MANY_ROWS, { principal: 'gus' });
    assert.equal(engine.readSessionsInUse, 1);
    const first = await stream.next();
    assert.ok(first && first.length > 0 && first.length < TOTAL_ROWS);
    assert.equal(engine.readSessionsInUse, 1);
    await stream.close();
    assert.equal(engine.readSessionsInUse, 0);
    const event = await lastAudit();
    assert.equal(event.decision, 'allow');
    assert.equal(event.rowsReturned, first.length);
    assert.match(event.reason ?? '', /^QUANTA_QUERY_CANCELED /);
    assert.equal(await stream.next(), undefined);
  });

  test('break out of for await releases the session', async () => {
    const stream = await mesh.gateway.stream(MANY_ROWS, { principal: 'gus' });
    let chunks = 0;
    for await (const _chunk of stream) {
      chunks += 1;
      if (chunks === 2) break;
    }
    assert.equal(engine.readSessionsInUse, 0);
    assert.equal((await lastAudit()).rowsReturned, stream.rowCount);
  });

  test('a stream read to the end releases its session and is audited with every row', async () => {
    const result = await mesh.gateway.query(MANY_ROWS, { principal: 'gus' });
    assert.equal(result.rows.length, TOTAL_ROWS);
    assert.equal(engine.readSessionsInUse, 0);
    const event = await lastAudit();
    assert.equal(event.rowsReturned, TOTAL_ROWS);
    assert.equal(event.reason, undefined);
  });

  test('concurrent streams hold one session each until each one ends', async () => {
    const streams = await Promise.all(
      [1, 2, 3].map(() => mesh.gateway.stream(MANY_ROWS, { principal: 'gus' })),
    );
    assert.equal(engine.readSessionsInUse, 3);
    await streams[0]?.close();
    assert.equal(engine.readSessionsInUse, 2);
    for (const stream of streams.slice(1)) while ((await stream.next()) !== undefined);
    assert.equal(engine.readSessionsInUse, 0);
  });

  test('a failure while streaming and a refusal before the first row release the session', async () => {
    const failing =
      "SELECT CAST(CASE WHEN n < 5000 THEN '1' ELSE 'x' END AS INTEGER) AS v FROM generate_series(1, 10000) g(n)";
    await assert.rejects(async () => {
      const stream = await mesh.gateway.stream(failing, { principal: 'gus' });
      while ((await stream.next()) !== undefined);
    }, /Could not convert/);
    assert.equal(engine.readSessionsInUse, 0);
    assert.equal((await lastAudit()).decision, 'error');
    await assert.rejects(mesh.gateway.stream(MANY_ROWS, { principal: 'ivy' }), {
      code: 'QUANTA_POLICY_DENIED',
    });
    await assert.rejects(mesh.gateway.stream('SELECT nope FROM sales.orders.orders', { principal: 'gus' }));
    assert.equal(engine.readSessionsInUse, 0);
  });
});
