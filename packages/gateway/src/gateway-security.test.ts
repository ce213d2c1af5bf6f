import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { type QuantaErrorCode, toQuantaError } from '@quanta/model';
import type { GatewayResult } from './gateway.ts';
import { buildCustomersMaskSidecar, createTestMesh, TEST_SECRET, type TestMesh } from './test-mesh.ts';

/**
 * Attempts by principals without rights to read a masked column, a filtered row, a hidden column
 * or a denied port, or to escape the sandbox. Each asserts that no returned value (rows,
 * column names, error message) contains a secret, not merely that something failed.
 */
const SECRETS = [
  'secret@example.com', // raw emails (restricted: hashed below clearance 3)
  '611223', // the middle of every phone (partial mask keeps the last 4)
  'VIP-NOTE', // free-text notes (redacted outside the domain)
  '9917', // secret_score values (hidden to non-admins)
  'DE-Hidden', // names on DE rows (filtered out for FR analysts)
  '20222', // lifetime values on DE rows
  '40444',
];

let mesh: TestMesh;
before(async () => {
  mesh = await createTestMesh();
});
after(async () => {
  await mesh.dispose();
});

const DENIALS: readonly QuantaErrorCode[] = [
  'QUANTA_POLICY_DENIED',
  'QUANTA_SQL_FORBIDDEN',
  'QUANTA_SQL_INVALID',
  'QUANTA_NOT_FOUND',
];

function assertNoSecret(text: string, label: string): void {
  for (const secret of SECRETS) assert.ok(!text.includes(secret), `${label}: leaked ${secret} in ${text}`);
}

/** Runs an attempt: it is either refused with a denial code or answers without any secret. */
async function attempt(sql: string, principal = 'sam'): Promise<GatewayResult | undefined> {
  return attemptOn(mesh, { sql, principal });
}

/** {@link attempt} on another mesh. */
async function attemptOn(
  target: TestMesh,
  { sql, principal = 'sam' }: { sql: string; principal?: string },
): Promise<GatewayResult | undefined> {
  try {
    const result = await target.gateway.query(sql, { principal });
    assertNoSecret(JSON.stringify({ columns: result.columns, rows: result.rows }), sql);
    return result;
  } catch (error) {
    if (error instanceof assert.AssertionError) throw error;
    const quantaError = toQuantaError(error);
    assert.ok(
      DENIALS.includes(quantaError.code),
      `${sql}: unexpected ${quantaError.code} ${quantaError.message}`,
    );
    assertNoSecret(quantaError.message, sql);
    return undefined;
  }
}

/**
 * What a query answers, for comparing two meshes: the rows and column types, or the error code.
 * Column names are left out: an unaliased subquery is named after the view's SQL text.
 */
async function outcomeOf(
  target: TestMesh,
  { sql, principal = 'sam' }: { sql: string; principal?: string },
): Promise<{ types: string[]; rows: readonly unknown[][] } | { code: string }> {
  try {
    const result = await target.gateway.query(sql, { principal });
    // Rows as a multiset: without ORDER BY (UNION, EXCEPT, parallel scans) their order is free.
    const rows = [...result.rows].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
    return { types: result.columns.map((column) => column.type), rows };
  } catch (error) {
    return { code: toQuantaError(error).code };
  }
}

/** Runs an attempt that must be refused outright. */
async function refused(sql: string, principal = 'sam'): Promise<void> {
  const result = await attempt(sql, principal);
  assert.equal(result, undefined, `${sql} answered ${JSON.stringify(result?.rows)}`);
}

const C = 'customers.crm.customers';

/** Reads an FR sales analyst tries on the customers port: none may show a secret. */
const LEAK_ATTEMPTS: readonly string[] = [
  `SELECT * FROM ${C}`,
  `SELECT email, phone, notes FROM ${C}`,
  `WITH c AS (SELECT * FROM ${C}) SELECT * FROM c`,
  `WITH RECURSIVE r AS (SELECT email FROM ${C} UNION ALL SELECT email FROM r WHERE false) SELECT * FROM r`,
  `SELECT * FROM (SELECT * FROM (SELECT email, name FROM ${C}) a) b`,
  `SELECT email FROM ${C} UNION ALL SELECT email FROM ${C}`,
  `SELECT name FROM ${C} UNION SELECT notes FROM ${C} EXCEPT SELECT 'x'`,
  `SELECT * EXCLUDE (customer_id) FROM ${C}`,
  `SELECT COLUMNS(*) FROM ${C}`,
  `SELECT COLUMNS('.*(mail|score|value).*') FROM ${C}`,
  `SELECT first_value(email) OVER (ORDER BY customer_id), lag(name) OVER () FROM ${C}`,
  `SELECT max(email), min(notes), max(phone), sum(lifetime_value) FROM ${C}`,
  `SELECT string_agg(email, ','), string_agg(name, ',') FROM ${C}`,
  `SELECT to_json(c) FROM ${C} c`,
  `SELECT c FROM ${C} c`,
  `SELECT row(c.*) FROM ${C} c`,
  `SELECT {'e': email, 'p': phone} FROM ${C}`,
  `SELECT list_transform(list(email), x -> upper(x)) FROM ${C}`,
  `SELECT list(name), list(lifetime_value) FROM ${C}`,
  `SELECT unnest([email, notes]) FROM ${C}`,
  `SELECT arg_max(email, lifetime_value), histogram(country) FROM ${C}`,
  `FROM ${C} SELECT email, name`,
  `SELECT email FROM ${C} GROUP BY ALL ORDER BY ALL`,
  `SELECT email FROM ${C} QUALIFY row_number() OVER () = 1`,
  `SELECT * FROM ${C} USING SAMPLE 100%`,
  `SELECT * FROM ${C} WHERE country = 'DE' OR 1 = 1`,
  `SELECT * FROM "quanta://customers/crm/customers"`,
  `SELECT * FROM "quanta://customers/crm/customers@1"`,
  `SELECT * FROM customers.crm."customers@1"`,
  `SELECT "EMAIL", "Name" FROM "customers"."crm"."customers"`,
  `SELECT * FROM ${C} AS port_1`,
  `PIVOT ${C} ON country USING count(*)`,
  `SELECT (SELECT email FROM ${C} ORDER BY customer_id LIMIT 1), (SELECT max(name) FROM ${C})`,
  `SELECT md5(email), length(notes) FROM ${C}`,
  `SELECT email /* , raw */ FROM ${C} -- WHERE country = 'FR'`,
];

describe('masked, hidden and filtered data stays out of reach of an FR sales analyst', () => {
  for (const sql of LEAK_ATTEMPTS)
    test(`cannot leak through: ${sql}`, async () => {
      await attempt(sql);
    });

  test('cannot read the hidden column, directly or in a predicate', async () => {
    await refused(`SELECT secret_score FROM ${C}`);
    await refused(`SELECT count(*) FROM ${C} WHERE secret_score > 99172`);
    await refused(`SELECT "secret_score" FROM "customers"."crm"."customers"`);
  });

  test('cannot join back on a filtered key', async () => {
    const result = await attempt(
      `SELECT o.order_id, c.name, c.lifetime_value FROM sales.orders.orders o LEFT JOIN ${C} c USING (customer_id) ORDER BY 1`,
    );
    assert.deepEqual(result?.rows, [
      ['O1', 'Alice-FR', 10101],
      ['O2', null, null],
      ['O3', 'Carol-FR', 30307],
      ['O4', null, null],
      ['O5', 'Alice-FR', 10101],
    ]);
  });

  test('cannot find filtered rows through EXISTS, IN, LATERAL or NATURAL JOIN', async () => {
    const exists = await attempt(
      `SELECT count(*) FROM sales.orders.orders o WHERE EXISTS (SELECT 1 FROM ${C} c WHERE c.customer_id = o.customer_id AND c.country = 'DE')`,
    );
    assert.deepEqual(exists?.rows, [[0]]);
    const inList = await attempt(`SELECT customer_id FROM ${C} WHERE customer_id IN ('C2', 'C4')`);
    assert.deepEqual(inList?.rows, []);
    await attempt(
      `SELECT * FROM sales.orders.orders o, LATERAL (SELECT name, email FROM ${C} c WHERE c.customer_id = o.customer_id)`,
    );
    await attempt(`SELECT * FROM ${C} NATURAL JOIN sales.orders.orders`);
  });

  test('cannot match a masked value against a guess', async () => {
    const guessed = await attempt(
      `SELECT count(*) FROM ${C} WHERE email LIKE '%alice%' OR notes LIKE 'VIP%'`,
    );
    assert.deepEqual(guessed?.rows, [[0]]);
    await refused(`SELECT quanta_mask_hash('alice.secret@example.com')`);
    await refused(`SELECT count(*) FROM ${C} WHERE email = quanta_mask_hash('alice.secret@example.com')`);
  });

  test('sees exactly the FR rows, with each mask applied', async () => {
    const result = await attempt(`SELECT customer_id, email, phone, notes, country FROM ${C} ORDER BY 1`);
    const hash = (value: string) => createHmac('sha256', TEST_SECRET).update(value).digest('hex');
    assert.deepEqual(result?.rows, [
      ['C1', hash('alice.secret@example.com'), '********3344', '[REDACTED]', 'FR'],
      ['C3', hash('carol.secret@example.com'), '********3346', '[REDACTED]', 'FR'],
    ]);
  });

  test('a domain permit opening restricted columns to everyone does not lift the global mask', async () => {
    const access = mesh.access.portAccess(
      mesh.access.principal('sam') ?? assert.fail('sam'),
      mesh.access.ports[0] ?? assert.fail('port'),
    );
    assert.equal(access.kind, 'granted');
    const email =
      access.kind === 'granted' ? access.columns.find((column) => column.column === 'email') : undefined;
    assert.deepEqual(email, {
      kind: 'masked',
      column: 'email',
      mask: 'hash',
      policies: ['restricted-needs-clearance-3'],
    });
  });
});

describe('system tables, catalog functions and side channels are refused', () => {
  const system = [
    'SELECT * FROM duckdb_columns()',
    'SELECT * FROM duckdb_tables()',
    'SELECT * FROM duckdb_databases()',
    'SELECT * FROM duckdb_functions()',
    'SELECT * FROM information_schema.views',
    'SELECT * FROM pg_catalog.pg_stat_activity',
    'SELECT * FROM sqlite_master',
    'SELECT * FROM duckdb_settings',
    'SELECT * FROM port_1.main.data',
    'SELECT * FROM port_1.data',
    'SELECT * FROM main.data',
    `SELECT * FROM ${C}, "port_1"."main"."data"`,
    `SUMMARIZE ${C}`,
    `SUMMARIZE SELECT * FROM ${C}`,
    `DESCRIBE ${C}`,
    `SHOW ${C}`,
    `EXPLAIN ANALYZE SELECT * FROM ${C}`,
    `EXPLAIN SELECT * FROM ${C}`,
    "SELECT current_setting('enable_external_access')",
    "SELECT getenv('HOME')",
    // A CTE named after what its own body reads: DuckDB binds the body's name to the real table.
    'WITH duckdb_settings AS (SELECT * FROM duckdb_settings) SELECT * FROM duckdb_settings',
    'WITH sqlite_master AS (SELECT * FROM sqlite_master) SELECT * FROM sqlite_master',
    `WITH t AS (SELECT 1), duckdb_databases AS (SELECT * FROM duckdb_databases) SELECT * FROM duckdb_databases`,
  ];
  for (const sql of system) test(`refuses: ${sql}`, async () => refused(sql));

  test('a CTE shadowing a catalog table reads the governed catalog, never the mask key', async () => {
    for (const sql of [
      "WITH pg_proc AS (SELECT * FROM pg_proc) SELECT * FROM pg_proc WHERE proname LIKE '%quanta%'",
      `WITH t AS (SELECT email FROM ${C}), pg_proc AS (SELECT * FROM pg_proc) SELECT * FROM pg_proc`,
    ]) {
      const result = await attempt(sql);
      const text = JSON.stringify(result?.rows ?? []);
      assert.ok(!text.includes('unhex') && !text.includes('sha256') && !text.includes('quanta_mask'), sql);
    }
  });
});

describe('the PostgreSQL catalogs describe only what the principal may read', () => {
  const catalogs = [
    'SELECT * FROM information_schema.columns',
    'SELECT * FROM information_schema.tables',
    'SELECT * FROM pg_catalog.pg_tables',
    'SELECT * FROM pg_catalog.pg_attribute',
    'SELECT * FROM pg_catalog.pg_class',
    'SELECT * FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid',
    'SELECT * FROM pg_catalog.pg_description',
    'SELECT * FROM pg_catalog.pg_stat_user_tables',
    'SELECT obj_description(oid), col_description(oid, 8) FROM pg_catalog.pg_class',
    "SELECT to_regclass('secret_score'), to_regclass('customers')",
  ];
  for (const sql of catalogs)
    test(`answers without a hidden column or a secret: ${sql}`, async () => {
      const result = await attempt(sql);
      assert.ok(!JSON.stringify(result?.rows ?? []).includes('secret_score'), sql);
    });

  test("an intern's catalogs name no customers object", async () => {
    for (const sql of catalogs) {
      const result = await attempt(sql, 'ivy');
      assert.ok(!JSON.stringify(result?.rows ?? []).includes('customer'), sql);
    }
  });

  const refusedFunctions = [
    "SELECT pg_read_file('/etc/passwd')",
    "SELECT pg_ls_dir('.')",
    "SELECT pg_stat_file('/etc/passwd')",
    "SELECT current_setting('search_path')",
    "SELECT set_config('enable_external_access', 'true', false)",
    'SELECT pg_sleep(10)',
    "SELECT pg_catalog.current_setting('enable_external_access')",
    'SELECT system.pg_catalog.pg_get_viewdef(1)',
    'SELECT pg_catalog.pg_get_constraintdef(1)',
    'SELECT main.getenv(1)',
    "SELECT * FROM pg_catalog.pg_class, read_csv_auto('/etc/passwd')",
    'SELECT * FROM quanta_pg_catalog.pg_class',
    'SELECT * FROM system.pg_catalog.pg_class',
    'SELECT * FROM memory.quanta_pg_catalog.pg_attribute',
  ];
  for (const sql of refusedFunctions) test(`refuses: ${sql}`, async () => refused(sql));

  test('pg_get_viewdef and pg_get_constraintdef describe nothing of the session', async () => {
    const result = await attempt('SELECT pg_get_viewdef(1), pg_get_constraintdef(1), format_type(25, -1)');
    assert.deepEqual(result?.rows, [[null, null, 'text']]);
  });
});

describe('files, databases, extensions and settings are out of reach', () => {
  const escapes = () => {
    const storage = mesh.storageRoot;
    return [
      `SELECT * FROM read_parquet('${storage}/**/*.parquet')`,
      `SELECT * FROM read_csv('${storage}/../landing/customers.csv')`,
      "SELECT * FROM read_csv_auto('/etc/passwd')",
      "SELECT * FROM read_text('/etc/passwd')",
      "SELECT * FROM read_blob('/etc/passwd')",
      `SELECT * FROM read_json('${storage}/x.json')`,
      `SELECT * FROM glob('${storage}/*')`,
      "SELECT * FROM query_table('port_1.main.data')",
      "SELECT * FROM query('SELECT * FROM port_1.main.data')",
      `ATTACH '${storage}/customers/crm/customers.duckdb' AS stolen`,
      `COPY (SELECT * FROM ${C}) TO '/tmp/quanta-leak.csv'`,
      'INSTALL httpfs',
      'LOAD httpfs',
      'SET enable_external_access = true',
      'SET lock_configuration = false',
      "PRAGMA table_info('data')",
      'CALL pragma_version()',
      `PREPARE leak AS SELECT email FROM ${C}`,
      `CREATE TABLE copy AS SELECT * FROM ${C}`,
      `SELECT 1; SELECT email FROM ${C}`,
      `SELECT email FROM ${C}; DROP TABLE x`,
      "SELECT 1 /* ; ATTACH '/tmp/x.db' AS x */; ATTACH '/tmp/x.db' AS x",
    ];
  };
  test('every escape is refused', async () => {
    const attempts = escapes();
    for (const sql of attempts) await refused(sql);
    assert.equal(attempts.length, 22);
  });
});

describe('principals and impersonation', () => {
  test('an unknown principal is denied', async () => refused(`SELECT customer_id FROM ${C}`, 'mallory'));
  test('a principal who left is denied', async () =>
    refused(`SELECT count(*) FROM sales.orders.orders`, 'leo'));
  test('a principal on leave reads nothing', async () => refused(`SELECT count(*) FROM ${C}`, 'lea'));
  test("another domain's permit does not open customers to an intern", async () =>
    refused(`SELECT customer_id FROM ${C}`, 'ivy'));
  test('a row filter on a missing attribute denies (fail closed)', async () =>
    refused(`SELECT name FROM ${C}`, 'nic'));
  test('only administrators may impersonate', async () => {
    await assert.rejects(mesh.gateway.query(`SELECT email FROM ${C}`, { principal: 'ada', actor: 'sam' }), {
      code: 'QUANTA_POLICY_DENIED',
    });
    const asSam = await mesh.gateway.query(`SELECT count(*) FROM ${C}`, { principal: 'sam', actor: 'gus' });
    assert.deepEqual(asSam.rows, [[2]]);
  });
  test("the catalog shows an intern none of customers' metadata, and sam no hidden column", async () => {
    const intern = await attempt('SELECT address FROM quanta_catalog.ports ORDER BY 1', 'ivy');
    assert.deepEqual(intern?.rows, []);
    const analyst = await attempt(
      "SELECT name FROM quanta_catalog.columns WHERE port = 'customers' ORDER BY 1",
    );
    assert.ok(!JSON.stringify(analyst?.rows).includes('secret_score'));
    assert.equal(analyst?.rows.length, 7);
  });
  test('every attempt is audited with its decision', async () => {
    const denied = await mesh.audit.listAuditEvents({ principal: 'mallory' });
    assert.equal(denied[0]?.decision, 'deny');
    const impersonated = await mesh.audit.listAuditEvents({ principal: 'sam', limit: 1000 });
    assert.ok(impersonated.some((event) => event.actor === 'gus' && event.decision === 'allow'));
    assert.ok(impersonated.some((event) => event.decision === 'deny'));
  });
});

describe('a port with a mask sidecar (ADR 019) shows nothing more and answers the same', () => {
  const OTHER_SECRET = Buffer.alloc(32, 9);
  const hash = (value: string) => createHmac('sha256', TEST_SECRET).update(value).digest('hex');
  let withSidecar: TestMesh;
  before(async () => {
    withSidecar = await createTestMesh();
  });
  after(async () => {
    await withSidecar.dispose();
  });

  test('a sidecar built under another secret is ignored: hashes are those of the current key', async () => {
    await buildCustomersMaskSidecar(withSidecar, { secret: OTHER_SECRET });
    const result = await attemptOn(withSidecar, { sql: `SELECT customer_id, email FROM ${C} ORDER BY 1` });
    assert.deepEqual(result?.rows, [
      ['C1', hash('alice.secret@example.com')],
      ['C3', hash('carol.secret@example.com')],
    ]);
  });

  describe('with a sidecar under the current key', () => {
    before(async () => {
      await buildCustomersMaskSidecar(withSidecar);
    });

    test('the masked and filtered analyst, the owner and an administrator get the same answers as without it', async () => {
      const queries = [
        `SELECT * FROM ${C} ORDER BY customer_id`,
        `SELECT country, count(*), count(DISTINCT email), max(phone), max(notes), sum(lifetime_value) FROM ${C} GROUP BY country ORDER BY 1`,
        `SELECT o.order_id, c.email, c.phone FROM sales.orders.orders o JOIN ${C} c USING (customer_id) ORDER BY 1`,
        `SELECT a.customer_id, b.customer_id FROM ${C} a JOIN ${C} b ON a.email = b.email ORDER BY 1`,
        `SELECT email FROM ${C} WHERE email = '${hash('alice.secret@example.com')}'`,
      ];
      for (const principal of ['sam', 'ada', 'gus']) {
        for (const sql of queries) {
          const computed = await outcomeOf(mesh, { sql, principal });
          assert.deepEqual(
            await outcomeOf(withSidecar, { sql, principal }),
            computed,
            `${principal}: ${sql}`,
          );
        }
      }
      const sam = await withSidecar.gateway.query(`SELECT customer_id, email FROM ${C} ORDER BY 1`, {
        principal: 'sam',
      });
      assert.deepEqual(sam.rows, [
        ['C1', hash('alice.secret@example.com')],
        ['C3', hash('carol.secret@example.com')],
      ]);
    });

    test('SELECT * and COLUMNS(*) show no precomputed column', async () => {
      for (const sql of [`SELECT * FROM ${C}`, `SELECT COLUMNS(*) FROM ${C}`, `SELECT c.* FROM ${C} c`]) {
        const result = await attemptOn(withSidecar, { sql });
        assert.deepEqual(
          result?.columns.map((column) => column.name),
          ['customer_id', 'name', 'email', 'phone', 'notes', 'country', 'lifetime_value'],
          sql,
        );
      }
      const json = await attemptOn(withSidecar, { sql: `SELECT to_json(c) FROM ${C} c` });
      assert.ok(!JSON.stringify(json?.rows).includes('__quanta_hash__'));
    });

    const sidecarReferences = [
      'SELECT * FROM hashes',
      'SELECT * FROM masks_1.hashes',
      'SELECT * FROM masks_1.main.hashes',
      'SELECT * FROM "masks_1"."main"."hashes"',
      `SELECT * FROM ${C} POSITIONAL JOIN masks_1.main.hashes`,
      `SELECT * FROM ${C} c JOIN masks_1.main.hashes h ON h.__quanta_rowid = 0`,
      `SELECT __quanta_rowid FROM ${C}`,
      `SELECT rowid FROM ${C}`,
      `SELECT quanta_sidecar.__quanta_hash__email FROM ${C}`,
      `SELECT quanta_snapshot.email FROM ${C}`,
      `SELECT * FROM quanta_sidecar`,
      `SELECT __quanta_hash__email FROM ${C}`,
      `SELECT "__quanta_hash__email" FROM ${C}`,
      `SELECT c.__quanta_hash__phone FROM ${C} c`,
      `SELECT count(*) FROM ${C} WHERE "__quanta_hash__notes" IS NOT NULL`,
      `SELECT COLUMNS('__quanta_hash__.*') FROM ${C}`,
    ];
    for (const sql of sidecarReferences) {
      test(`refuses naming the sidecar or its columns: ${sql}`, async () => {
        const result = await attemptOn(withSidecar, { sql });
        assert.equal(result, undefined, `${sql} answered ${JSON.stringify(result?.rows)}`);
      });
    }

    test('every read of the leak suite answers as without the sidecar, or is refused alike', async () => {
      for (const sql of LEAK_ATTEMPTS) {
        await attemptOn(withSidecar, { sql });
        assert.deepEqual(await outcomeOf(withSidecar, { sql }), await outcomeOf(mesh, { sql }), sql);
      }
    });
  });
});
