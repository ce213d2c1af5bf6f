import assert from 'node:assert/strict';
import { test } from 'node:test';
import { QuantaError } from '@quanta/model';
import { parsePostgresUrl } from './postgres-url.ts';

test('takes the schema parameter out of the URL and hides the password', () => {
  assert.deepEqual(
    parsePostgresUrl('postgres://quanta:secret@db.local:6543/meta?schema=team_a&sslmode=require'),
    {
      connectionString: 'postgres://quanta:secret@db.local:6543/meta?sslmode=require',
      schema: 'team_a',
      server: 'db.local:6543/meta',
    },
  );
});

test('the schema option wins over the URL parameter', () => {
  const target = parsePostgresUrl('postgresql://postgres@127.0.0.1/test?schema=a', { schema: 'b' });
  assert.equal(target.schema, 'b');
  assert.equal(target.server, '127.0.0.1:5432/test');
  assert.equal(target.connectionString, 'postgresql://postgres@127.0.0.1/test');
});

test('rejects other schemes and schema names that would need quoting', () => {
  const isUsage = (error: unknown) => error instanceof QuantaError && error.code === 'QUANTA_USAGE';
  assert.throws(() => parsePostgresUrl('mysql://root@localhost/db'), isUsage);
  assert.throws(() => parsePostgresUrl('not a url'), isUsage);
  assert.throws(() => parsePostgresUrl('postgres://localhost/db?schema=Drop"Table'), isUsage);
});
