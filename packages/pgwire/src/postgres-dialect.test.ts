import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { translatePostgresDialect } from './postgres-dialect.ts';

describe('translatePostgresDialect', () => {
  test("psql's \\d lookup: OPERATOR(pg_catalog.~), the default collation and pg_catalog. calls", () => {
    assert.equal(
      translatePostgresDialect(
        "SELECT c.oid FROM pg_catalog.pg_class c WHERE c.relname OPERATOR(pg_catalog.~) '^(profiles)$' COLLATE pg_catalog.default AND pg_catalog.pg_table_is_visible(c.oid)",
      ),
      "SELECT c.oid FROM pg_catalog.pg_class c WHERE c.relname  ~  '(?s:.*)(?:^(profiles)$)(?s:.*)'  AND pg_table_is_visible(c.oid)",
    );
  });

  test('casts: regclass literals, PostgreSQL-only types and pg_catalog-qualified types', () => {
    assert.equal(
      translatePostgresDialect(
        "SELECT x::pg_catalog.regtype::pg_catalog.text, 'pg_class'::regclass, a::regclass, 'a'::name",
      ),
      "SELECT x::BIGINT::text, to_regclass('pg_class'), a::BIGINT, 'a'::VARCHAR",
    );
  });

  test("a regex's literal pattern is searched, LIKE gets PostgreSQL's backslash escape", () => {
    assert.equal(
      translatePostgresDialect("SELECT 1 WHERE n !~ '^pg_' AND n LIKE 'a\\_b' AND m LIKE 'x'"),
      "SELECT 1 WHERE n !~ '(?s:.*)(?:^pg_)(?s:.*)' AND n LIKE 'a\\_b' ESCAPE '\\' AND m LIKE 'x'",
    );
  });

  test("generate_series's alias names its column, as in PostgreSQL", () => {
    assert.equal(
      translatePostgresDialect('SELECT s FROM generate_series(0, 3) s WHERE true'),
      'SELECT s FROM generate_series(0, 3) s(s) WHERE true',
    );
  });

  test('strings, identifiers and comments are left alone', () => {
    const sql = `SELECT 'OPERATOR(pg_catalog.~)', "pg_catalog.x(" /* ::name */ FROM t`;
    assert.equal(translatePostgresDialect(sql), sql);
  });
});
