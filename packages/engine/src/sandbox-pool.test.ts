import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { DuckDbDatabase } from './duckdb-database.ts';
import { DuckDbReadSession } from './duckdb-read-session.ts';
import { SandboxPool } from './sandbox-pool.ts';

const SETTINGS = { threads: 1 };
let folder: string;
let snapshot: string;

before(async () => {
  folder = await mkdtemp(path.join(os.tmpdir(), 'quanta-sandbox-pool-'));
  snapshot = path.join(folder, 'snapshot.duckdb');
  const database = await DuckDbDatabase.create(snapshot, { settings: SETTINGS });
  await database.run('CREATE TABLE data AS SELECT range AS n FROM range(3)');
  database.close();
});

after(async () => {
  await rm(folder, { recursive: true, force: true });
});

const contents = () => ({ attachments: [{ alias: 'port_1', path: snapshot }], tables: [], macros: [] });

async function count(database: DuckDbDatabase): Promise<unknown> {
  const session = await DuckDbReadSession.create(database);
  try {
    return (await session.query('select count(*) from port_1.main.data')).rows[0]?.[0];
  } finally {
    await session.close();
  }
}

test('reuses one locked sandbox for the same files, and each session runs SELECT only', async () => {
  const pool = new SandboxPool(SETTINGS);
  const first = await pool.acquire(contents());
  const second = await pool.acquire(contents());
  assert.equal(first.database, second.database);
  assert.equal(await count(first.database), 3);
  const session = await DuckDbReadSession.create(first.database);
  await assert.rejects(session.query('create table x (a int)'), { code: 'QUANTA_SQL_FORBIDDEN' });
  await assert.rejects(session.query("select * from read_csv('/etc/passwd')"));
  await session.close();
  first.release();
  second.release();
  await pool.close();
});

test('never pools a sandbox holding session tables', async () => {
  const pool = new SandboxPool(SETTINGS);
  const withTable = {
    ...contents(),
    tables: [{ schema: 'quanta_catalog', name: 't', columns: [{ name: 'a', type: 'INTEGER' }], rows: [[1]] }],
  };
  const first = await pool.acquire(withTable);
  const second = await pool.acquire(withTable);
  assert.notEqual(first.database, second.database);
  first.release();
  second.release();
  await pool.close();
});

test('an evicted sandbox is never handed out again; a busy one closes when released', async () => {
  const pool = new SandboxPool(SETTINGS);
  const busy = await pool.acquire(contents());
  await pool.evict(snapshot);
  assert.equal(await count(busy.database), 3, 'a session under way finishes its reads');
  const fresh = await pool.acquire(contents());
  assert.notEqual(fresh.database, busy.database);
  busy.release();
  await new Promise((resolve) => setImmediate(resolve));
  await assert.rejects(DuckDbReadSession.create(busy.database));
  fresh.release();
  await pool.close();
});
