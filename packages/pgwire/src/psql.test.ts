import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { psqlSkipReason } from './psql-availability.ts';
import { startTestPgWire, type TestPgWire } from './test-backend.ts';

interface PsqlRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the real psql binary (PostgreSQL 15 client) against the front door. */
function psql(
  pgWire: TestPgWire,
  options: { args: readonly string[]; password?: string; input?: string },
): Promise<PsqlRun> {
  const connection = `host=127.0.0.1 port=${pgWire.server.port} user=ada dbname=mesh sslmode=disable`;
  return new Promise((resolve) => {
    const child = execFile(
      '/usr/bin/psql',
      [connection, '-X', '-A', '-t', '-v', 'VERBOSITY=verbose', ...options.args],
      { env: { ...process.env, PGPASSWORD: options.password ?? 'ada-token', PGCONNECT_TIMEOUT: '10' } },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
    child.stdin?.end(options.input ?? '');
  });
}

describe('psql against the PostgreSQL front door', { skip: psqlSkipReason() }, () => {
  let pgWire: TestPgWire;
  before(async () => {
    pgWire = await startTestPgWire();
  });
  after(async () => {
    await pgWire.dispose();
  });

  test('selects a published port', async () => {
    const run = await psql(pgWire, {
      args: ['-c', 'select id, name from customers.customer_profile.profiles order by id'],
    });
    assert.equal(run.stderr, '');
    assert.equal(run.stdout, '1|first\n2|second\n3|third\n');
  });

  test('runs several statements of one query string, with ; inside quotes', async () => {
    const run = await psql(pgWire, {
      args: ['-c', "select 'a;b' as x; select count(*) from customers.customer_profile.profiles"],
    });
    assert.equal(run.stdout, 'a;b\n3\n');
  });

  test('reports errors with their SQLSTATE, hint and the Quanta code', async () => {
    const run = await psql(pgWire, { args: ['-c', 'select * from customers.nope.nothing'] });
    assert.equal(run.code, 1);
    assert.match(run.stderr, /ERROR: {2}42P01: /);
    assert.match(run.stderr, /QUANTA_NOT_FOUND/);
    assert.match(run.stderr, /HINT: {2}name ports as/);
  });

  test('refuses a wrong password with FATAL 28P01', async () => {
    const run = await psql(pgWire, {
      args: ['-c', 'select * from customers.customer_profile.profiles'],
      password: 'wrong',
    });
    assert.match(
      run.stderr,
      /FATAL: {2}password authentication failed for user "ada"\nHINT: {2}the password is your Quanta token/,
    );
    assert.equal(run.stdout, '');
  });

  test('answers SET and SHOW locally, and keeps the session', async () => {
    const script = [
      'show server_version;',
      "set application_name = 'quanta-test';",
      'show application_name;',
      'set DateStyle to ISO, DMY;',
      'show datestyle;',
      'show standard_conforming_strings;',
      'select current_database();',
      'select version();',
      'show no_such_setting;',
    ].join('\n');
    const run = await psql(pgWire, { args: ['-f', '-'], input: script });
    assert.equal(
      run.stdout,
      '16.0 (Quanta)\nSET\nquanta-test\nSET\nISO, DMY\non\nmesh\nPostgreSQL 16.0 (Quanta) on Node.js, a self-serve data mesh front door, 64-bit\n',
    );
    assert.match(run.stderr, /ERROR: {2}42704: unrecognized configuration parameter "no_such_setting"/);
  });

  test('an empty query gives no rows and no error', async () => {
    const run = await psql(pgWire, { args: ['-c', ';', '-c', '-- only a comment'] });
    assert.equal(run.code, 0);
    assert.equal(run.stderr, '');
    assert.equal(run.stdout, '');
  });

  test('an error inside a transaction block fails the block until ROLLBACK', async () => {
    const script = ['begin;', 'select nope;', 'select 1;', 'rollback;', 'select 2;'].join('\n');
    const run = await psql(pgWire, { args: ['-f', '-'], input: script });
    assert.equal(run.stdout, 'BEGIN\nROLLBACK\n2\n');
    assert.match(run.stderr, /ERROR: {2}42601: .*"nope"/);
    assert.match(run.stderr, /ERROR: {2}25P02: current transaction is aborted/);
  });

  test('catalog queries such as \\d go to the backend, which answers from its governed pg_catalog', async () => {
    const run = await psql(pgWire, { args: ['-c', '\\d'] });
    assert.equal(run.stderr, '');
    assert.match(run.stdout, /customers__customer_profile/);
  });
});
