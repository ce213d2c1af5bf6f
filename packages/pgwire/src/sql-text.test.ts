import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { countPlaceholders, parameterLiteral, substituteParameters } from './bind-parameters.ts';
import { classifyStatement } from './classify-statement.ts';
import { PG_OID } from './pg-types.ts';
import { splitStatements } from './split-statements.ts';

describe('splitStatements', () => {
  test('splits at semicolons in code only', () => {
    assert.deepEqual(
      splitStatements(
        'select \'a;b\' as x; select "c;d" from t -- e;f\n; select $tag$ g;h $tag$; /* i; /* j; */ k; */ select 1;;',
      ),
      [
        "select 'a;b' as x",
        'select "c;d" from t -- e;f',
        'select $tag$ g;h $tag$',
        '/* i; /* j; */ k; */ select 1',
      ],
    );
  });

  test('drops statements holding only whitespace and comments', () => {
    assert.deepEqual(splitStatements('  ;  -- nothing\n ; /* none */'), []);
    assert.deepEqual(splitStatements(''), []);
  });

  test('an E string may escape its quote with a backslash', () => {
    assert.deepEqual(splitStatements("select E'it\\'s; fine'; select 2"), [
      "select E'it\\'s; fine'",
      'select 2',
    ]);
  });
});

describe('parameter substitution', () => {
  test('types each literal by its declared OID and quotes strings', () => {
    const literals = [
      parameterLiteral({ value: Buffer.from('5'), typeOid: PG_OID.int4, format: 0 }),
      parameterLiteral({ value: Buffer.from("O'Brien"), typeOid: 0, format: 0 }),
      parameterLiteral({ value: null, typeOid: PG_OID.int8, format: 0 }),
      parameterLiteral({ value: Buffer.from('t'), typeOid: PG_OID.bool, format: 0 }),
      parameterLiteral({ value: Buffer.from('12.50'), typeOid: PG_OID.numeric, format: 0 }),
    ];
    assert.equal(
      substituteParameters('select $1, $2, \'$1\', "$2", $3 -- $4\n, $4, /* $5 */ $5, a$1', literals),
      "select CAST('5' AS INTEGER), 'O''Brien', '$1', \"$2\", CAST(NULL AS BIGINT) -- $4\n, TRUE, /* $5 */ (12.50), a$1",
    );
  });

  test('decodes binary integers, booleans and doubles', () => {
    const int8 = Buffer.alloc(8);
    int8.writeBigInt64BE(-9007199254740993n);
    const float8 = Buffer.alloc(8);
    float8.writeDoubleBE(2.5);
    assert.equal(
      parameterLiteral({ value: int8, typeOid: PG_OID.int8, format: 1 }),
      "CAST('-9007199254740993' AS BIGINT)",
    );
    assert.equal(parameterLiteral({ value: Buffer.from([1]), typeOid: PG_OID.bool, format: 1 }), 'TRUE');
    assert.equal(
      parameterLiteral({ value: float8, typeOid: PG_OID.float8, format: 1 }),
      "CAST('2.5' AS DOUBLE)",
    );
    assert.equal(
      parameterLiteral({ value: Buffer.from([0, 0, 0, 7]), typeOid: PG_OID.int4, format: 1 }),
      "CAST('7' AS INTEGER)",
    );
  });

  test('refuses values that are not of their declared type', () => {
    assert.throws(
      () => parameterLiteral({ value: Buffer.from('1; drop'), typeOid: PG_OID.int4, format: 0 }),
      {
        code: 'QUANTA_USAGE',
      },
    );
    assert.throws(
      () => parameterLiteral({ value: Buffer.from('1)--'), typeOid: PG_OID.numeric, format: 0 }),
      {
        code: 'QUANTA_USAGE',
      },
    );
    assert.throws(() => substituteParameters('select $2', ["'a'"]), { code: 'QUANTA_SQL_INVALID' });
  });

  test('counts placeholders in code only', () => {
    assert.equal(countPlaceholders("select $2, '$9', $$ $7 $$ -- $8"), 2);
  });
});

describe('classifyStatement', () => {
  test('recognizes the session statements drivers and BI tools send', () => {
    assert.deepEqual(classifyStatement("SET application_name = 'PostgreSQL JDBC Driver'"), {
      kind: 'set',
      name: 'application_name',
      value: 'PostgreSQL JDBC Driver',
    });
    assert.deepEqual(classifyStatement('set extra_float_digits to 3'), {
      kind: 'set',
      name: 'extra_float_digits',
      value: '3',
    });
    assert.deepEqual(classifyStatement("SET TIME ZONE 'UTC'"), {
      kind: 'set',
      name: 'TimeZone',
      value: 'UTC',
    });
    assert.deepEqual(classifyStatement('SET search_path TO public, "$user"'), {
      kind: 'set',
      name: 'search_path',
      value: 'public, $user',
    });
    assert.deepEqual(classifyStatement('SHOW TRANSACTION ISOLATION LEVEL'), {
      kind: 'show',
      name: 'transaction_isolation',
    });
    assert.deepEqual(classifyStatement('/* c */ start transaction read only'), { kind: 'begin' });
    assert.deepEqual(classifyStatement('END'), { kind: 'commit' });
    assert.deepEqual(classifyStatement('ROLLBACK TO SAVEPOINT s1'), { kind: 'savepoint', tag: 'ROLLBACK' });
    assert.deepEqual(classifyStatement('select pg_catalog.version()'), {
      kind: 'function',
      name: 'version',
      column: 'version',
    });
    assert.deepEqual(classifyStatement('SELECT current_schema()'), {
      kind: 'function',
      name: 'current_schema',
      column: 'current_schema',
    });
    assert.deepEqual(classifyStatement('select 1'), { kind: 'query' });
    assert.deepEqual(classifyStatement('select * from pg_catalog.pg_type'), { kind: 'query' });
  });
});
