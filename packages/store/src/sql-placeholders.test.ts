import assert from 'node:assert/strict';
import { test } from 'node:test';
import { placeholders, toPostgresPlaceholders } from './sql-placeholders.ts';

test('numbers ? placeholders in order for PostgreSQL', () => {
  assert.equal(
    toPostgresPlaceholders('INSERT INTO runs (id, product) VALUES (?, ?) RETURNING id'),
    'INSERT INTO runs (id, product) VALUES ($1, $2) RETURNING id',
  );
});

test('leaves a ? inside quoted literals and identifiers alone', () => {
  assert.equal(
    toPostgresPlaceholders(`SELECT '?', "a?b" FROM t WHERE x = ? AND y = 'it''s ?' AND z = ?`),
    `SELECT '?', "a?b" FROM t WHERE x = $1 AND y = 'it''s ?' AND z = $2`,
  );
});

test('writes a list of placeholders', () => {
  assert.equal(placeholders(3), '?, ?, ?');
  assert.equal(placeholders(0), '');
});
