import assert from 'node:assert/strict';
import { access, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DuckDBInstance } from '@duckdb/node-api';
import { DuckDbEngine } from '@quanta/engine';
import { createDomain, createProduct, initMesh, MeshService } from '@quanta/services';

const USERS = `apiVersion: quanta/v1
kind: Users
users:
  - { id: ada, domain: customers, country: FR, role: analyst, clearance: 2 }
  - { id: sam, domain: sales, country: FR, role: analyst, clearance: 2 }
`;

/** 3 profiles × 4,000: several chunks of 2,048 rows, with an exact decimal. */
const MANY_ROWS = `SELECT p.name, g.n, CAST(g.n + 0.01 AS DECIMAL(18, 2)) AS amount
  FROM customers.customer_profile.profiles p, generate_series(1, 4000) g(n)`;

/** Reads a Parquet file back with DuckDB: the row count, a checksum and the column types. */
async function readBack(
  file: string,
): Promise<{ rows: string; total: string; amounts: string; types: string[] }> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    const source = `read_parquet('${file.replaceAll("'", "''")}')`;
    const reader = await connection.runAndReadAll(
      `SELECT count(*)::VARCHAR, sum(n)::VARCHAR, sum(amount)::VARCHAR FROM ${source}`,
    );
    const [row] = reader.getRowsJson() as string[][];
    const described = await connection.runAndReadAll(`DESCRIBE SELECT * FROM ${source}`);
    const types = (described.getRowsJson() as string[][]).map((column) => `${column[0]} ${column[1]}`);
    return { rows: row?.[0] ?? '', total: row?.[1] ?? '', amounts: row?.[2] ?? '', types };
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/** `MeshService.exportParquet` streams the governed rows to the file, audited like any query. */
describe('Parquet exports stream the gateway’s rows', () => {
  let workspace: string;
  let service: MeshService;
  let engine: DuckDbEngine;

  before(async () => {
    workspace = await mkdtemp(path.join(tmpdir(), 'quanta-export-'));
    const root = path.join(workspace, 'mesh');
    await initMesh(root, { name: 'export' });
    await writeFile(path.join(root, 'governance', 'users.yaml'), USERS);
    await createDomain(root, { name: 'customers', owner: 'ada@example.com' });
    await createProduct(root, { name: 'customers/customer-profile' });
    service = await MeshService.create({ root });
    await service.apply({ appliedBy: 'test' });
    assert.equal((await service.run('customers/customer-profile')).state, 'succeeded');
    assert.ok(service.engine instanceof DuckDbEngine);
    engine = service.engine;
  });

  after(async () => {
    await service?.close();
    await rm(workspace, { recursive: true, force: true });
  });

  test('every row of a multi-chunk result is written, exact decimals kept, and the read audited', async () => {
    const file = path.join(workspace, 'many.parquet');
    const exported = await service.exportParquet(MANY_ROWS, { identity: { principal: 'ada' }, path: file });
    assert.equal(exported.rowCount, 12_000);
    assert.deepEqual(
      exported.reads.map((read) => read.address),
      ['quanta://customers/customer-profile/profiles'],
    );
    assert.deepEqual(await readBack(file), {
      rows: '12000',
      total: String(3 * ((4000 * 4001) / 2)),
      amounts: '24006120.00',
      types: ['name VARCHAR', 'n BIGINT', 'amount DECIMAL(18,2)'],
    });
    assert.equal(engine.readSessionsInUse, 0);
    const [event] = await service.audit.listAuditEvents({ principal: 'ada', limit: 1 });
    assert.equal(event?.decision, 'allow');
    assert.equal(event?.rowsReturned, 12_000);
    assert.equal(event?.statement, MANY_ROWS);
  });

  test('an empty result writes an empty file with the columns', async () => {
    const file = path.join(workspace, 'empty.parquet');
    const exported = await service.exportParquet(`${MANY_ROWS} WHERE false`, {
      identity: { principal: 'ada' },
      path: file,
    });
    assert.equal(exported.rowCount, 0);
    const back = await readBack(file);
    assert.equal(back.rows, '0');
    assert.deepEqual(back.types, ['name VARCHAR', 'n BIGINT', 'amount DECIMAL(18,2)']);
  });

  test('a refused query writes nothing; a failed write releases the session', async () => {
    const denied = path.join(workspace, 'denied.parquet');
    await assert.rejects(service.exportParquet(MANY_ROWS, { identity: { principal: 'sam' }, path: denied }), {
      code: 'QUANTA_POLICY_DENIED',
    });
    await assert.rejects(access(denied));
    const nowhere = path.join(workspace, 'no-such-folder', 'out.parquet');
    await assert.rejects(service.exportParquet(MANY_ROWS, { identity: { principal: 'ada' }, path: nowhere }));
    assert.equal(engine.readSessionsInUse, 0);
  });
});
