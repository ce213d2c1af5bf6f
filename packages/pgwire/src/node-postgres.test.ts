import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { startTestPgWire, TEST_PASSWORDS, type TestPgWire } from './test-backend.ts';

describe('node-postgres against the PostgreSQL front door', () => {
  let pgWire: TestPgWire;
  const clients: pg.Client[] = [];

  async function connect(user = 'ada', password = TEST_PASSWORDS[user], binary = false): Promise<pg.Client> {
    // `binary` is a node-postgres client option its type declarations omit.
    const config: pg.ClientConfig & { binary: boolean } = {
      host: '127.0.0.1',
      port: pgWire.server.port,
      database: 'mesh',
      user,
      password,
      binary,
    };
    const client = new pg.Client(config);
    clients.push(client);
    await client.connect();
    return client;
  }

  before(async () => {
    pgWire = await startTestPgWire();
  });
  after(async () => {
    await Promise.all(clients.map((client) => client.end().catch(() => undefined)));
    await pgWire.dispose();
  });

  test('plain query, with fields typed from the DuckDB types', async () => {
    const client = await connect();
    const result = await client.query('select id, name from customers.customer_profile.profiles order by id');
    assert.deepEqual(result.rows, [
      { id: '1', name: 'first' },
      { id: '2', name: 'second' },
      { id: '3', name: 'third' },
    ]);
    assert.equal(result.command, 'SELECT');
    assert.equal(result.rowCount, 3);
    const typed = await client.query(
      "select 1::integer as i, 2::bigint as b, 2.5::double as d, 12.25::decimal(12,2) as n, true as t, date '2024-01-02' as day, timestamp '2024-01-02 03:04:05.5' as ts, {'a': 1} as s, null::varchar as nothing",
    );
    assert.deepEqual(
      typed.fields.map((field) => [field.name, field.dataTypeID]),
      [
        ['i', 23],
        ['b', 20],
        ['d', 701],
        ['n', 1700],
        ['t', 16],
        ['day', 1082],
        ['ts', 1114],
        ['s', 114],
        ['nothing', 25],
      ],
    );
    const [row] = typed.rows;
    assert.equal(row.i, 1);
    assert.equal(row.b, '2');
    assert.equal(row.d, 2.5);
    assert.equal(row.n, '12.25');
    assert.equal(row.t, true);
    assert.deepEqual(row.s, { a: 1 });
    assert.equal(row.nothing, null);
    assert.equal((row.ts as Date).getMilliseconds(), 500);
  });

  test('parameterized queries: quotes, numbers, null and booleans are bound as literals', async () => {
    const client = await connect();
    const result = await client.query(
      'select $1 as quoted, $2::integer + 1 as next, $3::varchar is null as missing, $4::boolean as flag, $5 as injected',
      ["O'Brien; drop table x; --", 41, null, true, "'); select 1; --"],
    );
    assert.deepEqual(result.rows, [
      {
        quoted: "O'Brien; drop table x; --",
        next: 42,
        missing: true,
        flag: true,
        injected: "'); select 1; --",
      },
    ]);
    const filtered = await client.query(
      'select name from customers.customer_profile.profiles where id = $1',
      ['2'],
    );
    assert.deepEqual(filtered.rows, [{ name: 'second' }]);
  });

  test('named prepared statements are parsed once and reused', async () => {
    const client = await connect();
    const byId = {
      name: 'profile-by-id',
      text: 'select name from customers.customer_profile.profiles where id = $1',
    };
    const first = await client.query({ ...byId, values: ['1'] });
    const second = await client.query({ ...byId, values: ['3'] });
    assert.deepEqual([first.rows, second.rows], [[{ name: 'first' }], [{ name: 'third' }]]);
  });

  test("rowMode 'array'", async () => {
    const client = await connect();
    const result = await client.query({
      text: 'select id, name from customers.customer_profile.profiles order by id limit 2',
      rowMode: 'array',
    });
    assert.deepEqual(result.rows, [
      ['1', 'first'],
      ['2', 'second'],
    ]);
  });

  test('binary results for the common types; numeric asks for text', async () => {
    // node-postgres asks for binary rows only when the whole client is in binary mode, and its
    // parser reads every value as UTF-8 text, so only values whose bytes stay below 0x80 survive.
    const client = await connect('ada', TEST_PASSWORDS.ada, true);
    const result = await client.query({
      text: 'select 7::integer as i, 8::bigint as b, 3::smallint as h, false as f, $1 as s',
      values: ['x'],
    });
    assert.deepEqual(result.rows, [{ i: 7, b: '8', h: 3, f: false, s: 'x' }]);
    await assert.rejects(client.query({ text: 'select $1::decimal(4,2) as n', values: ['1.5'] }), {
      code: '0A000',
      message: /binary format is not supported for column "n"/,
    });
    assert.deepEqual((await client.query('select 1 as ok')).rows, [{ ok: 1 }]);
  });

  test('row limits suspend the portal and resume it', async () => {
    const client = await connect();
    // `rows` (the Execute row limit) is a node-postgres query option its type declarations omit.
    const config: pg.QueryConfig & { rows: number } = {
      text: 'select id from customers.customer_profile.profiles order by id',
      rows: 1,
    };
    const query = new pg.Query(config);
    const rows: unknown[] = [];
    query.on('row', (row: unknown) => rows.push(row));
    await new Promise<void>((resolve, reject) => {
      query.on('end', () => resolve());
      query.on('error', reject);
      client.query(query);
    });
    assert.deepEqual(rows, [{ id: '1' }, { id: '2' }, { id: '3' }]);
  });

  test('BEGIN/COMMIT and an error then the next query on the same connection', async () => {
    const client = await connect();
    await client.query('BEGIN');
    assert.deepEqual(
      (await client.query('select count(*)::integer as n from customers.customer_profile.profiles')).rows,
      [{ n: 3 }],
    );
    await client.query('COMMIT');
    await assert.rejects(client.query('select * from nowhere'), {
      code: '42P01',
      message: /no published port/,
    });
    await assert.rejects(client.query('select $1::integer', ['abc']), {
      message: /Could not convert string 'abc'/,
    });
    assert.deepEqual((await client.query('select $1::integer as n', ['5'])).rows, [{ n: 5 }]);
  });

  test('a principal without rights is denied with 42501', async () => {
    const client = await connect('sam');
    await assert.rejects(client.query('select * from customers.customer_profile.profiles'), {
      code: '42501',
      message: /.+/,
    });
  });

  test('a wrong password is refused with 28P01', async () => {
    await assert.rejects(connect('ada', 'not-the-token'), { code: '28P01' });
    await assert.rejects(connect('nobody', 'x'), { code: '28P01' });
  });

  test('session statements drivers send are answered locally', async () => {
    const client = await connect();
    await client.query("SET extra_float_digits = 3; SET application_name = 'bi-tool'");
    const shown = await client.query('show application_name');
    assert.deepEqual(shown.rows, [{ application_name: 'bi-tool' }]);
    const schema = await client.query('SELECT current_schema()');
    assert.deepEqual(schema.rows, [{ current_schema: 'public' }]);
    await client.query('DISCARD ALL');
    assert.deepEqual((await client.query('show application_name')).rows, [{ application_name: '' }]);
  });

  test('20 concurrent clients each run queries', async () => {
    const many = await Promise.all(Array.from({ length: 20 }, () => connect()));
    const counts = await Promise.all(
      many.map(async (client, index) => {
        let total = 0;
        for (let round = 0; round < 5; round += 1) {
          const result = await client.query(
            'select count(*)::integer + $1::integer as n from customers.customer_profile.profiles',
            [index],
          );
          total += (result.rows[0] as { n: number }).n;
        }
        return total;
      }),
    );
    assert.deepEqual(
      counts,
      Array.from({ length: 20 }, (_unused, index) => 5 * (3 + index)),
    );
  });
});
