import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { PgWireServer } from '@quanta/pgwire';
import { type RunningServer, serveApi } from '@quanta/server';
import { MeshService } from '@quanta/services';
import { tableFromIPC } from 'apache-arrow';
import pg from 'pg';
import { startPgWire } from '../packages/cli/src/pg-backend.ts';
import { copyExampleMesh, type ExampleMeshCopy } from './support/example-mesh.ts';

const ROWS = 500_000;
/** A large result computed in the sandbox: no port needed, every value checkable from `i`. */
const LARGE = `select i, 'row-' || i as label, (i * 1.25)::decimal(18,2) as amount from generate_series(1, ${ROWS}) as t(i)`;
/** The same rows without a column alias list, which the PostgreSQL dialect translation rewrites. */
const PG_LARGE = `select generate_series as i, 'row-' || generate_series as label, (generate_series * 1.25)::decimal(18,2) as amount from generate_series(1, ${ROWS})`;
const EXACT =
  'select 12345678901234567.89::decimal(38,2) as d, 9223372036854775807::bigint as b, 170141183460469231731687303715884105727::hugeint as h, 12.50::decimal(12,2) as m, -0.05::decimal(4,2) as n';

describe('query results stream over HTTP, exactly', () => {
  let mesh: ExampleMeshCopy;
  let service: MeshService;
  let server: RunningServer;
  let pgWire: PgWireServer;
  let token = '';

  const post = (sql: string, init: { accept?: string; signal?: AbortSignal } = {}) =>
    fetch(`${server.url}/api/query`, {
      method: 'POST',
      body: JSON.stringify({ sql }),
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${token}`,
        ...(init.accept ? { accept: init.accept } : {}),
      },
      ...(init.signal ? { signal: init.signal } : {}),
    });

  before(async () => {
    mesh = await copyExampleMesh({ orders: 50, customers: 20 });
    service = await MeshService.create({ root: mesh.root });
    await service.apply({ appliedBy: 'test' });
    server = await serveApi(service, { port: 0 });
    pgWire = await startPgWire(service, { host: '127.0.0.1', port: 0 });
    token = (await service.tokens.create({ principal: 'mia@acme.example', actor: 'local-admin' })).token;
  });

  after(async () => {
    await server?.close();
    await pgWire?.close();
    await service?.close();
    await mesh?.remove();
  });

  test(`${ROWS} rows as JSON`, async () => {
    const response = await post(LARGE);
    assert.equal(response.status, 200);
    const body = (await response.json()) as {
      columns: { name: string; type: string }[];
      rows: [number, string, string][];
      rowCount: number;
    };
    assert.deepEqual(
      body.columns.map((column) => column.type),
      ['BIGINT', 'VARCHAR', 'DECIMAL(18,2)'],
    );
    assert.equal(body.rows.length, ROWS);
    assert.equal(body.rowCount, ROWS);
    assert.deepEqual(body.rows[0], [1, 'row-1', '1.25']);
    assert.deepEqual(body.rows.at(-1), [ROWS, `row-${ROWS}`, '625000.00']);
    assert.ok(body.rows.every((row, index) => row[0] === index + 1));
  });

  test(`${ROWS} rows as CSV`, async () => {
    const response = await post(LARGE, { accept: 'text/csv' });
    assert.equal(response.headers.get('content-type'), 'text/csv; charset=utf-8');
    const lines = (await response.text()).trimEnd().split('\r\n');
    assert.equal(lines.length, ROWS + 1);
    assert.equal(lines[0], 'i,label,amount');
    assert.equal(lines[1], '1,row-1,1.25');
    assert.equal(lines.at(-1), `${ROWS},row-${ROWS},625000.00`);
  });

  test(`${ROWS} rows as Arrow IPC, one record batch per chunk`, async () => {
    const response = await post(LARGE, { accept: 'application/vnd.apache.arrow.stream' });
    const table = tableFromIPC(new Uint8Array(await response.arrayBuffer()));
    assert.equal(table.numRows, ROWS);
    assert.ok(table.batches.length > 1);
    assert.equal(table.getChild('i')?.get(ROWS - 1), BigInt(ROWS));
    assert.equal(table.getChild('label')?.get(ROWS - 1), `row-${ROWS}`);
    assert.equal(String(table.getChild('amount')?.get(ROWS - 1)), '62500000');
  });

  test('DECIMAL, BIGINT and HUGEINT keep every digit in JSON, CSV and Arrow', async () => {
    const json = (await (await post(EXACT)).json()) as { rows: unknown[][] };
    assert.deepEqual(json.rows, [
      [
        '12345678901234567.89',
        '9223372036854775807',
        '170141183460469231731687303715884105727',
        '12.50',
        '-0.05',
      ],
    ]);
    const csv = await (await post(EXACT, { accept: 'text/csv' })).text();
    assert.equal(
      csv.split('\r\n')[1],
      '12345678901234567.89,9223372036854775807,170141183460469231731687303715884105727,12.50,-0.05',
    );
    const arrow = tableFromIPC(
      new Uint8Array(
        await (await post(EXACT, { accept: 'application/vnd.apache.arrow.stream' })).arrayBuffer(),
      ),
    );
    assert.deepEqual(
      arrow.schema.fields.map((field) => String(field.type)),
      ['Decimal[38e+2]', 'Int64', 'Decimal[38e0]', 'Decimal[12e+2]', 'Decimal[4e+2]'],
    );
    assert.equal(String(arrow.getChild('d')?.get(0)), '1234567890123456789');
    assert.equal(arrow.getChild('b')?.get(0), 9223372036854775807n);
    assert.equal(String(arrow.getChild('h')?.get(0)), '170141183460469231731687303715884105727');
    assert.equal(String(arrow.getChild('m')?.get(0)), '1250');
    assert.equal(String(arrow.getChild('n')?.get(0)), '-5');
  });

  for (const accept of ['application/json', 'text/csv', 'application/vnd.apache.arrow.stream']) {
    test(`a client that disconnects early (${accept}) releases the session; the audit shows partial rows`, async () => {
      // Far more rows than any socket buffer holds: only backpressure keeps the server from
      // producing them all before the disconnect arrives.
      const sql = `${LARGE.replace(`generate_series(1, ${ROWS})`, 'generate_series(1, 50000000)')} -- ${accept}`;
      const controller = new AbortController();
      const response = await post(sql, { accept, signal: controller.signal });
      const reader = response.body?.getReader();
      assert.ok(reader);
      // Past the head (JSON's opening, CSV's header): some rows have been sent.
      let received = 0;
      while (received < 64 * 1024) {
        const read = await reader.read();
        assert.equal(read.done, false);
        received += read.value?.byteLength ?? 0;
      }
      controller.abort();
      await reader.cancel().catch(() => undefined);
      const audited = await eventually(async () => {
        const events = await service.audit.listAuditEvents({ principal: 'mia@acme.example', limit: 50 });
        return events.find((event) => event.statement === sql);
      });
      assert.equal(audited.decision, 'allow');
      assert.match(
        audited.reason ?? '',
        /^QUANTA_QUERY_CANCELED the consumer stopped reading after \d+ rows$/,
      );
      assert.ok(
        (audited.rowsReturned ?? 0) > 0 && (audited.rowsReturned ?? ROWS) < 50_000_000,
        String(audited.rowsReturned),
      );
    });
  }

  test(`the PostgreSQL front door sends ${ROWS} rows chunk by chunk, numerics exact`, async () => {
    const client = new pg.Client({
      connectionString: `postgres://mia%40acme.example:${token}@127.0.0.1:${pgWire.port}/mesh`,
    });
    await client.connect();
    try {
      const large = await client.query(PG_LARGE);
      assert.equal(large.rowCount, ROWS);
      assert.deepEqual(large.rows.at(-1), { i: String(ROWS), label: `row-${ROWS}`, amount: '625000.00' });
      const exact = await client.query(EXACT);
      assert.deepEqual(
        exact.fields.map((field) => field.dataTypeID),
        [1700, 20, 1700, 1700, 1700],
      );
      assert.deepEqual(exact.rows[0], {
        d: '12345678901234567.89',
        b: '9223372036854775807',
        h: '170141183460469231731687303715884105727',
        m: '12.50',
        n: '-0.05',
      });
      const prepared = await client.query({
        text: `${PG_LARGE} where generate_series > $1`,
        values: [ROWS - 3],
      });
      assert.deepEqual(
        prepared.rows.map((row) => row.i),
        [String(ROWS - 2), String(ROWS - 1), String(ROWS)],
      );
    } finally {
      await client.end();
    }
  });

  test('a complete read is audited with every row', async () => {
    const sql = 'select * from generate_series(1, 5000) as t(i)';
    assert.equal(
      (await (await post(sql, { accept: 'text/csv' })).text()).trimEnd().split('\r\n').length,
      5001,
    );
    const [event] = await service.audit.listAuditEvents({ principal: 'mia@acme.example', limit: 1 });
    assert.deepEqual(
      [event?.statement, event?.decision, event?.rowsReturned, event?.reason],
      [sql, 'allow', 5000, undefined],
    );
  });
});

/** Polls until `probe` returns a value (the audit is written once the server sees the disconnect). */
async function eventually<T>(probe: () => Promise<T | undefined>): Promise<T> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error('never happened');
}
