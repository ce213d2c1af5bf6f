import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import type { PgWireServer } from '@quanta/pgwire';
import { MeshService } from '@quanta/services';
import pg from 'pg';
import { startPgWire } from '../packages/cli/src/pg-backend.ts';
import { psqlSkipReason } from '../packages/pgwire/src/psql-availability.ts';
import { copyExampleMesh, type ExampleMeshCopy } from './support/example-mesh.ts';

const run = promisify(execFile);

/** pgjdbc's `DatabaseMetaData.getTables(null, null, "%", ["TABLE"])`, as the driver sends it (abridged CASE). */
const JDBC_GET_TABLES = `SELECT NULL AS TABLE_CAT, n.nspname AS TABLE_SCHEM, c.relname AS TABLE_NAME,
  CASE n.nspname ~ '^pg_' OR n.nspname = 'information_schema'
    WHEN true THEN CASE WHEN n.nspname = 'pg_catalog' OR n.nspname = 'information_schema' THEN CASE c.relkind
      WHEN 'r' THEN 'SYSTEM TABLE' WHEN 'v' THEN 'SYSTEM VIEW' WHEN 'i' THEN 'SYSTEM INDEX' ELSE NULL END
      ELSE NULL END
    ELSE CASE c.relkind WHEN 'r' THEN 'TABLE' WHEN 'p' THEN 'PARTITIONED TABLE' WHEN 'i' THEN 'INDEX'
      WHEN 'S' THEN 'SEQUENCE' WHEN 'v' THEN 'VIEW' WHEN 'c' THEN 'TYPE' WHEN 'f' THEN 'FOREIGN TABLE'
      WHEN 'm' THEN 'MATERIALIZED VIEW' ELSE NULL END END AS TABLE_TYPE,
  d.description AS REMARKS, '' as TYPE_CAT, '' as TYPE_SCHEM, '' as TYPE_NAME,
  '' AS SELF_REFERENCING_COL_NAME, '' AS REF_GENERATION
FROM pg_catalog.pg_namespace n, pg_catalog.pg_class c
LEFT JOIN pg_catalog.pg_description d ON (c.oid = d.objoid AND d.objsubid = 0 and d.classoid = 'pg_class'::regclass)
WHERE c.relnamespace = n.oid AND c.relname LIKE '%'
  AND (false OR ( c.relkind IN ('r','p') AND n.nspname !~ '^pg_' AND n.nspname <> 'information_schema' ) )
ORDER BY TABLE_TYPE,TABLE_SCHEM,TABLE_NAME`;

/** pgjdbc's `DatabaseMetaData.getColumns(null, "customers__customer_profile", "profiles", "%")`. */
const JDBC_GET_COLUMNS = `SELECT * FROM (SELECT n.nspname,c.relname,a.attname,a.atttypid,
  a.attnotnull OR (t.typtype = 'd' AND t.typnotnull) AS attnotnull,a.atttypmod,a.attlen,t.typtypmod,
  row_number() OVER (PARTITION BY a.attrelid ORDER BY a.attnum) AS attnum,
  nullif(a.attidentity, '') as attidentity,nullif(a.attgenerated, '') as attgenerated,
  pg_catalog.pg_get_expr(def.adbin, def.adrelid) AS adsrc,dsc.description,t.typbasetype,t.typtype
 FROM pg_catalog.pg_namespace n
 JOIN pg_catalog.pg_class c ON (c.relnamespace = n.oid)
 JOIN pg_catalog.pg_attribute a ON (a.attrelid=c.oid)
 JOIN pg_catalog.pg_type t ON (a.atttypid = t.oid)
 LEFT JOIN pg_catalog.pg_attrdef def ON (a.attrelid=def.adrelid AND a.attnum = def.adnum)
 LEFT JOIN pg_catalog.pg_description dsc ON (c.oid=dsc.objoid AND a.attnum = dsc.objsubid)
 LEFT JOIN pg_catalog.pg_class dc ON (dc.oid=dsc.classoid AND dc.relname='pg_class')
 LEFT JOIN pg_catalog.pg_namespace dn ON (dc.relnamespace=dn.oid AND dn.nspname='pg_catalog')
 WHERE c.relkind in ('r','p','v','f','m') and a.attnum > 0 AND NOT a.attisdropped
  AND n.nspname LIKE 'customers\\_\\_customer\\_profile' AND c.relname LIKE 'profiles') c WHERE true
 ORDER BY nspname,c.relname,attnum`;

/** Metabase's PostgreSQL driver, describe-database: the tables it syncs. */
const METABASE_DESCRIBE_DATABASE = `SELECT n.nspname AS schema, c.relname AS name,
  CASE c.relkind WHEN 'r' THEN 'TABLE' WHEN 'p' THEN 'PARTITIONED TABLE' WHEN 'v' THEN 'VIEW'
    WHEN 'f' THEN 'FOREIGN TABLE' WHEN 'm' THEN 'MATERIALIZED VIEW' ELSE NULL END AS type,
  d.description AS description, stat.n_live_tup AS estimated_row_count
FROM pg_catalog.pg_class AS c
INNER JOIN pg_catalog.pg_namespace AS n ON c.relnamespace = n.oid
LEFT JOIN pg_catalog.pg_description AS d ON (c.oid = d.objoid) AND (d.objsubid = 0) AND (d.classoid = 'pg_class'::regclass)
LEFT JOIN pg_stat_user_tables AS stat ON (n.nspname = stat.schemaname) AND (c.relname = stat.relname)
WHERE (c.relnamespace = n.oid) AND (c.relkind IN ('r', 'p', 'v', 'f', 'm'))
  AND (n.nspname !~ '^information_schema|catalog_history|pg_') AND (n.nspname <> 'information_schema')
  AND has_schema_privilege(n.nspname, 'USAGE')
  AND (has_table_privilege(c.oid, 'SELECT') OR has_any_column_privilege(c.oid, 'SELECT'))
ORDER BY type ASC, schema ASC, name ASC`;

/** Metabase's describe-fields: columns with their database type, through information_schema. */
const METABASE_DESCRIBE_FIELDS = `SELECT c.column_name AS name,
  CASE WHEN c.udt_schema IN ('public', 'pg_catalog') THEN format('%s', c.udt_name)
       ELSE format('"%s"."%s"', c.udt_schema, c.udt_name) END AS "database-type",
  c.ordinal_position - 1 AS "database-position", c.table_schema AS "table-schema",
  c.table_name AS "table-name", c.is_nullable = 'NO' AS "database-required",
  col_description(to_regclass(quote_ident(c.table_schema) || '.' || quote_ident(c.table_name)), c.ordinal_position) AS "field-comment"
FROM information_schema.columns AS c
WHERE c.table_schema !~ '^information_schema|catalog_history|pg_'
ORDER BY "table-schema" ASC, "table-name" ASC, "database-position" ASC`;

/** psql's meta-commands and BI drivers' catalog queries against `quanta serve`, per principal. */
describe('psql and drivers browse the mesh through pg_catalog, governed', { skip: psqlSkipReason() }, () => {
  let mesh: ExampleMeshCopy;
  let service: MeshService;
  let server: PgWireServer;
  const tokens = new Map<string, string>();

  before(async () => {
    mesh = await copyExampleMesh({ orders: 300, customers: 60 });
    service = await MeshService.create({ root: mesh.root });
    await service.apply({ appliedBy: 'test' });
    await service.runAll({ trigger: 'test' });
    for (const principal of ['sam@acme.example', 'mia@acme.example']) {
      const created = await service.tokens.create({ principal, actor: 'local-admin' });
      tokens.set(principal, created.token);
    }
    server = await startPgWire(service, { host: '127.0.0.1', port: 0 });
  });

  after(async () => {
    await server?.close();
    await service?.close();
    await mesh?.remove();
  });

  async function psql(user: string, command: string): Promise<string> {
    const url = `${server.url.replace('postgres://', `postgres://${encodeURIComponent(user)}@`)}?sslmode=disable`;
    const { stdout } = await run('psql', [url, '-X', '-A', '-F', '|', '-c', command], {
      env: { ...process.env, PGPASSWORD: tokens.get(user) ?? '', PGCONNECT_TIMEOUT: '5' },
    });
    return stdout;
  }

  async function query(user: string, sql: string): Promise<Record<string, unknown>[]> {
    const url = new URL(server.url);
    const client = new pg.Client({
      host: url.hostname,
      port: Number(url.port),
      database: 'mesh',
      user,
      password: tokens.get(user) ?? '',
    });
    await client.connect();
    try {
      return (await client.query(sql)).rows;
    } finally {
      await client.end();
    }
  }

  test('\\dt lists the readable ports as <domain>__<product> tables; mia sees a port sam cannot', async () => {
    const sam = await psql('sam@acme.example', '\\dt');
    const mia = await psql('mia@acme.example', '\\dt');
    assert.match(sam, /customers__customer_profile\|profiles\|table\|quanta/);
    assert.match(sam, /sales__orders\|orders\|table\|quanta/);
    assert.match(mia, /marketing__campaigns\|campaigns\|table\|quanta/);
    assert.doesNotMatch(sam, /marketing__campaigns/);
  });

  test('\\dn and \\l list the product schemas and the mesh database', async () => {
    const schemas = await psql('sam@acme.example', '\\dn');
    assert.match(schemas, /customers__customer_profile\|quanta/);
    assert.doesNotMatch(schemas, /pg_catalog|information_schema|marketing__campaigns\|/);
    assert.match(await psql('sam@acme.example', '\\l'), /^mesh\|quanta\|UTF8\|/m);
  });

  test('\\d shows the served columns and types, and the table round-trips to a query', async () => {
    const described = await psql('sam@acme.example', '\\d customers__customer_profile.profiles');
    assert.match(described, /Table "customers__customer_profile\.profiles"/);
    assert.match(described, /^customer_id\|text\|\|not null\|$/m);
    assert.match(described, /^lifetime_value\|numeric\(14,2\)\|\|not null\|$/m);
    const count = await psql(
      'sam@acme.example',
      'select count(*) from "customers__customer_profile"."profiles"',
    );
    const direct = await psql('sam@acme.example', 'select count(*) from customers.customer_profile.profiles');
    assert.equal(count, direct);
  });

  test('an unknown or unreadable table fails without naming other ports', async () => {
    await assert.rejects(psql('sam@acme.example', '\\d campaigns'), (error: Error & { stderr?: string }) => {
      assert.match(String(error.stderr), /Did not find any relation named "campaigns"/);
      return true;
    });
    await assert.rejects(
      psql('sam@acme.example', 'select * from marketing__x.campaigns'),
      (error: Error & { stderr?: string }) => {
        assert.doesNotMatch(String(error.stderr), /marketing\.campaigns\.campaigns/);
        return true;
      },
    );
  });

  test('pgjdbc getTables and getColumns answer with the readable ports and served columns', async () => {
    const tables = await query('sam@acme.example', JDBC_GET_TABLES);
    assert.ok(tables.length >= 2);
    assert.ok(tables.every((row) => row.TABLE_TYPE === 'TABLE'));
    assert.ok(!tables.some((row) => String(row.TABLE_SCHEM).startsWith('marketing__campaigns')));
    const columns = await query('sam@acme.example', JDBC_GET_COLUMNS);
    assert.equal(columns[0]?.attname, 'customer_id');
    assert.deepEqual(
      columns.map((row) => Number(row.attnum)),
      columns.map((_, index) => index + 1),
    );
  });

  test("Metabase's describe-database and describe-fields list only what the principal reads", async () => {
    const tables = await query('mia@acme.example', METABASE_DESCRIBE_DATABASE);
    assert.ok(tables.some((row) => row.schema === 'marketing__campaigns' && row.type === 'TABLE'));
    assert.ok(tables.every((row) => row.estimated_row_count === null));
    const fields = await query('sam@acme.example', METABASE_DESCRIBE_FIELDS);
    assert.ok(fields.some((row) => row['table-name'] === 'profiles' && row.name === 'email'));
    assert.ok(!fields.some((row) => row['table-schema'] === 'marketing__campaigns'));
  });
});
