import assert from 'node:assert/strict';
import { readdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { toQuantaError } from '@quanta/model';
import type { MaskSidecarRequest } from './data-engine.ts';
import { createEngineFixture, type EngineFixture, readRows } from './test-fixtures.ts';

/** Stands in for the keyed hash: the engine only runs the macro it is given. */
const MACRO = { name: 'test_mask_hash', parameters: ['v'], body: "md5('salt:' || v)" };
const PREFIX = '__quanta_hash__';
const FINGERPRINT = '0123456789abcdef';

function request(columns: readonly string[], fingerprint = FINGERPRINT): MaskSidecarRequest {
  return { macro: MACRO, columns, columnPrefix: PREFIX, fingerprint };
}

let fixture: EngineFixture;
/** 300,000 rows (three row groups), NULLs every 7th email, then rows deleted in the middle. */
let bigSnapshot: string;
let storagePath: string;

before(async () => {
  fixture = await createEngineFixture();
  const staged = await fixture.stage(
    `SELECT i AS id, CASE WHEN i % 7 = 0 THEN NULL ELSE 'user' || i || '@example.com' END AS email,
       (i * 31) % 1000 AS score, DATE '2024-01-01' + CAST(i % 365 AS INTEGER) AS day
     FROM range(300000) AS t(i)`,
    'big',
  );
  // Deleted rows, as quarantine routing leaves them: the plain scan skips them, and so must the sidecar.
  await readRows(staged.path, 'DELETE FROM data WHERE id % 1000 = 3 OR id BETWEEN 130000 AND 140000', {
    isWritable: true,
  });
  bigSnapshot = await fixture.publish(staged, 'big');
  storagePath = path.relative(fixture.storageRoot, bigSnapshot);
});
after(async () => {
  await fixture.dispose();
});

describe('mask sidecars', () => {
  test('pair every row of a multi-row-group snapshot with the hashes of its own values, by rowid', async () => {
    const built = await fixture.engine.buildMaskSidecar(storagePath, request(['email', 'score', 'day']));
    assert.equal(built.kind, 'built');
    assert.equal(built.path, bigSnapshot.replace(/\.duckdb$/, `.masks-${FINGERPRINT}.duckdb`));
    const session = await fixture.engine.openReadSession({
      attachments: [
        { alias: 's', path: bigSnapshot },
        { alias: 'm', path: built.path },
      ],
    });
    try {
      const result = await session.query(`SELECT
          count(*),
          count(*) FILTER (WHERE ${PREFIX}email IS DISTINCT FROM md5('salt:' || CAST(email AS VARCHAR))),
          count(*) FILTER (WHERE ${PREFIX}score IS DISTINCT FROM md5('salt:' || CAST(score AS VARCHAR))),
          count(*) FILTER (WHERE ${PREFIX}day IS DISTINCT FROM md5('salt:' || CAST(day AS VARCHAR))),
          count(*) FILTER (WHERE email IS NULL AND ${PREFIX}email IS NULL)
        FROM s.main.data AS d LEFT JOIN m.main.hashes AS h ON h.__quanta_rowid = d.rowid`);
      const [kept] = await readRows(
        bigSnapshot,
        'SELECT count(*), count(*) FILTER (WHERE email IS NULL) FROM data',
      );
      assert.deepEqual(result.rows, [[Number(kept?.[0]), 0, 0, 0, Number(kept?.[1])]]);
      assert.ok(Number(kept?.[0]) < 300_000 && Number(kept?.[0]) > 250_000);
      // A filter pushed into the snapshot's scan keeps the pairing (row filters, selective queries).
      const filtered = await session.query(
        `SELECT count(*) FILTER (WHERE ${PREFIX}email IS DISTINCT FROM md5('salt:' || CAST(email AS VARCHAR)))
         FROM s.main.data AS d LEFT JOIN m.main.hashes AS h ON h.__quanta_rowid = d.rowid WHERE score < 100`,
      );
      assert.deepEqual(filtered.rows, [[0]]);
    } finally {
      await session.close();
    }
  });

  test('are read-only files holding only the hashes: no macro, no temporary file left', async () => {
    const sidecar = await fixture.engine.maskSidecarPath(storagePath, FINGERPRINT);
    assert.ok(sidecar);
    assert.equal((await stat(sidecar)).mode & 0o777, 0o444);
    assert.deepEqual(
      await readRows(
        sidecar,
        'SELECT table_name, column_name, data_type FROM duckdb_columns() WHERE database_name = current_database() ORDER BY column_index',
      ),
      [
        ['hashes', '__quanta_rowid', 'BIGINT'],
        ['hashes', `${PREFIX}email`, 'VARCHAR'],
        ['hashes', `${PREFIX}score`, 'VARCHAR'],
        ['hashes', `${PREFIX}day`, 'VARCHAR'],
      ],
    );
    assert.deepEqual(
      await readRows(
        sidecar,
        `SELECT count(*) FROM duckdb_functions() WHERE function_name = '${MACRO.name}'`,
      ),
      [['0']],
    );
    const files = await readdir(path.dirname(bigSnapshot));
    assert.deepEqual(files.sort(), ['big.duckdb', `big.masks-${FINGERPRINT}.duckdb`]);
  });

  test('are built once: an existing sidecar is left as it is', async () => {
    const sidecar = await fixture.engine.maskSidecarPath(storagePath, FINGERPRINT);
    assert.ok(sidecar);
    const before = await stat(sidecar);
    const again = await fixture.engine.buildMaskSidecar(storagePath, request(['email']));
    assert.deepEqual(again, { kind: 'existing', path: sidecar });
    assert.equal((await stat(sidecar)).mtimeMs, before.mtimeMs);
  });

  test('are found under their own fingerprint only', async () => {
    assert.equal(await fixture.engine.maskSidecarPath(storagePath, 'fedcba9876543210'), undefined);
    await assert.rejects(fixture.engine.maskSidecarPath(storagePath, '../../x'), (error: unknown) => {
      assert.equal(toQuantaError(error).code, 'QUANTA_USAGE');
      return true;
    });
    await assert.rejects(
      fixture.engine.maskSidecarPath('../outside.duckdb', FINGERPRINT),
      (error: unknown) => {
        assert.equal(toQuantaError(error).code, 'QUANTA_PATH_ESCAPE');
        return true;
      },
    );
  });

  test('refuse a column the snapshot lacks, leaving nothing behind', async () => {
    const staged = await fixture.stage("SELECT 'a' AS email", 'small');
    const snapshot = await fixture.publish(staged, 'small');
    const relative = path.relative(fixture.storageRoot, snapshot);
    await assert.rejects(
      fixture.engine.buildMaskSidecar(relative, request(['email', 'phone'])),
      (error: unknown) => {
        assert.equal(toQuantaError(error).code, 'QUANTA_NOT_FOUND');
        return true;
      },
    );
    assert.deepEqual(await readdir(path.dirname(snapshot)), ['small.duckdb']);
  });

  test("an appended snapshot reuses its base's hashes and hashes only the new rows", async () => {
    const fingerprint = 'abcdefabcdef0123';
    const baseSidecar = await fixture.engine.buildMaskSidecar(
      storagePath,
      request(['email', 'score'], fingerprint),
    );
    assert.equal(baseSidecar.hashedRows !== undefined, true);
    const baseRows = Number((await readRows(bigSnapshot, 'SELECT count(*) FROM data'))[0]?.[0]);
    const delta = await fixture.stage(
      `SELECT 1000000 + i AS id, 'new' || i || '@example.com' AS email, i % 1000 AS score,
         DATE '2025-01-01' + CAST(i % 30 AS INTEGER) AS day FROM range(5000) AS t(i)`,
      'delta',
    );
    const appended = await fixture.publish(
      await fixture.engine.append({
        base: { path: bigSnapshot },
        delta: { path: delta.path },
        target: { domain: 'd', runId: 'r', name: 'appended' },
      }),
      'appended',
    );
    const appendedPath = path.relative(fixture.storageRoot, appended);
    const built = await fixture.engine.buildMaskSidecar(appendedPath, {
      ...request(['email', 'score'], fingerprint),
      base: { storagePath, rows: baseRows },
    });
    assert.equal(built.hashedRows, 5000, 'only the appended rows were hashed');
    const session = await fixture.engine.openReadSession({
      attachments: [
        { alias: 's', path: appended },
        { alias: 'm', path: built.path },
      ],
    });
    try {
      const result = await session.query(`SELECT count(*), count(h.__quanta_rowid),
          count(*) FILTER (WHERE ${PREFIX}email IS DISTINCT FROM md5('salt:' || CAST(email AS VARCHAR))),
          count(*) FILTER (WHERE ${PREFIX}score IS DISTINCT FROM md5('salt:' || CAST(score AS VARCHAR)))
        FROM s.main.data AS d LEFT JOIN m.main.hashes AS h ON h.__quanta_rowid = d.rowid`);
      assert.deepEqual(
        result.rows[0]?.map(Number),
        [baseRows + 5000, baseRows + 5000, 0, 0],
        'every row has its own hashes',
      );
    } finally {
      await session.close();
    }
  });

  test('a base sidecar that does not check out is not reused: the whole snapshot is hashed', async () => {
    const fingerprint = 'fedcba9876543210';
    await fixture.engine.buildMaskSidecar(storagePath, request(['email'], fingerprint));
    const copy = await fixture.publish(
      await fixture.engine.append({
        base: { path: bigSnapshot },
        target: { domain: 'd', runId: 'r', name: 'copy' },
      }),
      'copy',
    );
    const rows = Number((await readRows(copy, 'SELECT count(*) FROM data'))[0]?.[0]);
    const built = await fixture.engine.buildMaskSidecar(path.relative(fixture.storageRoot, copy), {
      ...request(['email'], fingerprint),
      base: { storagePath, rows: rows - 1 },
    });
    assert.equal(built.hashedRows, rows, 'a row count that does not match: everything hashed again');
  });

  test('go with their snapshot when retention removes it, half-built ones included', async () => {
    const staged = await fixture.stage("SELECT 'a' AS email UNION ALL SELECT NULL", 'expiring');
    const snapshot = await fixture.publish(staged, 'expiring');
    const relative = path.relative(fixture.storageRoot, snapshot);
    await fixture.engine.buildMaskSidecar(relative, request(['email']));
    await fixture.engine.buildMaskSidecar(relative, request(['email'], 'aaaaaaaaaaaaaaaa'));
    await writeFile(snapshot.replace(/\.duckdb$/, '.masks-bbbbbbbbbbbbbbbb.building-x.duckdb'), '');
    // The port's next snapshot, whose name starts like this one's: it stays.
    const next = await fixture.engine.promote(await fixture.stage("SELECT 'b' AS email", 'next'), {
      domain: 'd',
      product: 'p',
      port: 'expiring',
      snapshotId: 'expiring2',
    });
    assert.equal((await readdir(path.dirname(snapshot))).length, 5);
    await fixture.engine.removeSnapshot(relative);
    assert.deepEqual(await readdir(path.dirname(snapshot)), ['expiring2.duckdb']);
    assert.equal(next.storagePath, 'd/p/expiring/expiring2.duckdb');
  });
});
