import type { SessionTable, TableReference } from '@quanta/engine';
import type { JsonValue } from '@quanta/model';
import type { PgRelation } from './catalog-visibility.ts';
import { PG_DATABASE, pgSchemaName } from './pg-schema-names.ts';
import { PG_TYPES, pgColumnType } from './pg-types.ts';

/** The session schema holding Quanta's `pg_catalog` (DuckDB reserves the name for its own). */
export const PG_CATALOG_SESSION_SCHEMA = 'quanta_pg_catalog';
/** The session schema holding Quanta's `information_schema`. */
export const INFORMATION_SCHEMA_SESSION_SCHEMA = 'quanta_information_schema';

/** The owner every object reports (`pg_get_userbyid`). */
export const PG_OWNER = 'quanta';
const OWNER_OID = 10;
const PG_CATALOG_OID = 11;
const PUBLIC_OID = 2200;
const INFORMATION_SCHEMA_OID = 13_000;
const DATABASE_OID = 16_384;
const HEAP_OID = 2;
/** `pg_class`'s own OID: `pg_description.classoid` of a table or column comment. */
export const PG_CLASS_OID = 1259;
const TEXT_TYPES = new Set([25, 1043, 19, 18]);

type Row = JsonValue[];

/** Emulated `pg_catalog` tables and the columns clients read, as `name TYPE` lists. */
const PG_CATALOG_COLUMNS: Readonly<Record<string, string>> = {
  pg_namespace: 'oid BIGINT, nspname VARCHAR, nspowner BIGINT, nspacl VARCHAR[]',
  pg_class:
    'oid BIGINT, relname VARCHAR, relnamespace BIGINT, reltype BIGINT, reloftype BIGINT, relowner BIGINT, relam BIGINT, relfilenode BIGINT, reltablespace BIGINT, relpages INTEGER, reltuples REAL, relallvisible INTEGER, reltoastrelid BIGINT, relhasindex BOOLEAN, relisshared BOOLEAN, relpersistence VARCHAR, relkind VARCHAR, relnatts SMALLINT, relchecks SMALLINT, relhasrules BOOLEAN, relhastriggers BOOLEAN, relhassubclass BOOLEAN, relrowsecurity BOOLEAN, relforcerowsecurity BOOLEAN, relispopulated BOOLEAN, relreplident VARCHAR, relispartition BOOLEAN, relrewrite BIGINT, relfrozenxid BIGINT, relminmxid BIGINT, relacl VARCHAR[], reloptions VARCHAR[], relpartbound VARCHAR',
  pg_attribute:
    'attrelid BIGINT, attname VARCHAR, atttypid BIGINT, attstattarget INTEGER, attlen SMALLINT, attnum SMALLINT, attndims INTEGER, attcacheoff INTEGER, atttypmod INTEGER, attbyval BOOLEAN, attalign VARCHAR, attstorage VARCHAR, attcompression VARCHAR, attnotnull BOOLEAN, atthasdef BOOLEAN, atthasmissing BOOLEAN, attidentity VARCHAR, attgenerated VARCHAR, attisdropped BOOLEAN, attislocal BOOLEAN, attinhcount INTEGER, attcollation BIGINT, attacl VARCHAR[], attoptions VARCHAR[], attfdwoptions VARCHAR[], attmissingval VARCHAR',
  pg_type:
    'oid BIGINT, typname VARCHAR, typnamespace BIGINT, typowner BIGINT, typlen SMALLINT, typbyval BOOLEAN, typtype VARCHAR, typcategory VARCHAR, typispreferred BOOLEAN, typisdefined BOOLEAN, typdelim VARCHAR, typrelid BIGINT, typsubscript VARCHAR, typelem BIGINT, typarray BIGINT, typinput VARCHAR, typoutput VARCHAR, typreceive VARCHAR, typsend VARCHAR, typmodin VARCHAR, typmodout VARCHAR, typanalyze VARCHAR, typalign VARCHAR, typstorage VARCHAR, typnotnull BOOLEAN, typbasetype BIGINT, typtypmod INTEGER, typndims INTEGER, typcollation BIGINT, typdefaultbin VARCHAR, typdefault VARCHAR, typacl VARCHAR[]',
  pg_am: 'oid BIGINT, amname VARCHAR, amhandler VARCHAR, amtype VARCHAR',
  pg_database:
    'oid BIGINT, datname VARCHAR, datdba BIGINT, encoding INTEGER, datlocprovider VARCHAR, datistemplate BOOLEAN, datallowconn BOOLEAN, datconnlimit INTEGER, datfrozenxid BIGINT, datminmxid BIGINT, dattablespace BIGINT, datcollate VARCHAR, datctype VARCHAR, daticulocale VARCHAR, datcollversion VARCHAR, datacl VARCHAR[]',
  pg_settings:
    'name VARCHAR, setting VARCHAR, unit VARCHAR, category VARCHAR, short_desc VARCHAR, extra_desc VARCHAR, context VARCHAR, vartype VARCHAR, source VARCHAR, min_val VARCHAR, max_val VARCHAR, enumvals VARCHAR[], boot_val VARCHAR, reset_val VARCHAR, sourcefile VARCHAR, sourceline INTEGER, pending_restart BOOLEAN',
  pg_description: 'objoid BIGINT, classoid BIGINT, objsubid INTEGER, description VARCHAR',
  pg_index:
    'indexrelid BIGINT, indrelid BIGINT, indnatts SMALLINT, indnkeyatts SMALLINT, indisunique BOOLEAN, indnullsnotdistinct BOOLEAN, indisprimary BOOLEAN, indisexclusion BOOLEAN, indimmediate BOOLEAN, indisclustered BOOLEAN, indisvalid BOOLEAN, indcheckxmin BOOLEAN, indisready BOOLEAN, indislive BOOLEAN, indisreplident BOOLEAN, indkey SMALLINT[], indcollation BIGINT[], indclass BIGINT[], indoption SMALLINT[], indexprs VARCHAR, indpred VARCHAR',
  pg_constraint:
    'oid BIGINT, conname VARCHAR, connamespace BIGINT, contype VARCHAR, condeferrable BOOLEAN, condeferred BOOLEAN, convalidated BOOLEAN, conrelid BIGINT, contypid BIGINT, conindid BIGINT, conparentid BIGINT, confrelid BIGINT, confupdtype VARCHAR, confdeltype VARCHAR, confmatchtype VARCHAR, conislocal BOOLEAN, coninhcount INTEGER, connoinherit BOOLEAN, conkey SMALLINT[], confkey SMALLINT[], conpfeqop BIGINT[], conppeqop BIGINT[], conffeqop BIGINT[], confdelsetcols SMALLINT[], conexclop BIGINT[], conbin VARCHAR',
  pg_inherits: 'inhrelid BIGINT, inhparent BIGINT, inhseqno INTEGER, inhdetachpending BOOLEAN',
  pg_attrdef: 'oid BIGINT, adrelid BIGINT, adnum SMALLINT, adbin VARCHAR',
  pg_policy:
    'oid BIGINT, polname VARCHAR, polrelid BIGINT, polcmd VARCHAR, polpermissive BOOLEAN, polroles BIGINT[], polqual VARCHAR, polwithcheck VARCHAR',
  pg_statistic_ext:
    'oid BIGINT, stxrelid BIGINT, stxname VARCHAR, stxnamespace BIGINT, stxowner BIGINT, stxstattarget INTEGER, stxkeys SMALLINT[], stxkind VARCHAR[], stxexprs VARCHAR',
  pg_publication:
    'oid BIGINT, pubname VARCHAR, pubowner BIGINT, puballtables BOOLEAN, pubinsert BOOLEAN, pubupdate BOOLEAN, pubdelete BOOLEAN, pubtruncate BOOLEAN, pubviaroot BOOLEAN',
  pg_publication_rel: 'oid BIGINT, prpubid BIGINT, prrelid BIGINT, prqual VARCHAR, prattrs SMALLINT[]',
  pg_publication_namespace: 'oid BIGINT, pnpubid BIGINT, pnnspid BIGINT',
  pg_proc:
    'oid BIGINT, proname VARCHAR, pronamespace BIGINT, proowner BIGINT, prolang BIGINT, procost REAL, prorows REAL, provariadic BIGINT, prosupport VARCHAR, prokind VARCHAR, prosecdef BOOLEAN, proleakproof BOOLEAN, proisstrict BOOLEAN, proretset BOOLEAN, provolatile VARCHAR, proparallel VARCHAR, pronargs SMALLINT, pronargdefaults SMALLINT, prorettype BIGINT, proargtypes BIGINT[], proallargtypes BIGINT[], proargmodes VARCHAR[], proargnames VARCHAR[], prosrc VARCHAR, proacl VARCHAR[]',
  pg_collation:
    'oid BIGINT, collname VARCHAR, collnamespace BIGINT, collowner BIGINT, collprovider VARCHAR, collisdeterministic BOOLEAN, collencoding INTEGER, collcollate VARCHAR, collctype VARCHAR',
  pg_roles:
    'oid BIGINT, rolname VARCHAR, rolsuper BOOLEAN, rolinherit BOOLEAN, rolcreaterole BOOLEAN, rolcreatedb BOOLEAN, rolcanlogin BOOLEAN, rolreplication BOOLEAN, rolconnlimit INTEGER, rolvaliduntil VARCHAR, rolbypassrls BOOLEAN, rolconfig VARCHAR[]',
  pg_trigger:
    'oid BIGINT, tgrelid BIGINT, tgname VARCHAR, tgfoid BIGINT, tgtype SMALLINT, tgenabled VARCHAR, tgisinternal BOOLEAN',
  pg_tables:
    'schemaname VARCHAR, tablename VARCHAR, tableowner VARCHAR, tablespace VARCHAR, hasindexes BOOLEAN, hasrules BOOLEAN, hastriggers BOOLEAN, rowsecurity BOOLEAN',
  pg_views: 'schemaname VARCHAR, viewname VARCHAR, viewowner VARCHAR, definition VARCHAR',
  pg_matviews:
    'schemaname VARCHAR, matviewname VARCHAR, matviewowner VARCHAR, tablespace VARCHAR, hasindexes BOOLEAN, ispopulated BOOLEAN, definition VARCHAR',
  pg_stat_user_tables: 'relid BIGINT, schemaname VARCHAR, relname VARCHAR, n_live_tup BIGINT',
  pg_extension: 'oid BIGINT, extname VARCHAR, extowner BIGINT, extnamespace BIGINT, extversion VARCHAR',
  pg_enum: 'oid BIGINT, enumtypid BIGINT, enumsortorder REAL, enumlabel VARCHAR',
};

/** Emulated `information_schema` views. */
const INFORMATION_SCHEMA_COLUMNS: Readonly<Record<string, string>> = {
  schemata:
    'catalog_name VARCHAR, schema_name VARCHAR, schema_owner VARCHAR, default_character_set_catalog VARCHAR, default_character_set_schema VARCHAR, default_character_set_name VARCHAR, sql_path VARCHAR',
  tables:
    'table_catalog VARCHAR, table_schema VARCHAR, table_name VARCHAR, table_type VARCHAR, self_referencing_column_name VARCHAR, reference_generation VARCHAR, user_defined_type_catalog VARCHAR, user_defined_type_schema VARCHAR, user_defined_type_name VARCHAR, is_insertable_into VARCHAR, is_typed VARCHAR, commit_action VARCHAR',
  columns:
    'table_catalog VARCHAR, table_schema VARCHAR, table_name VARCHAR, column_name VARCHAR, ordinal_position INTEGER, column_default VARCHAR, is_nullable VARCHAR, data_type VARCHAR, character_maximum_length INTEGER, character_octet_length INTEGER, numeric_precision INTEGER, numeric_precision_radix INTEGER, numeric_scale INTEGER, datetime_precision INTEGER, interval_type VARCHAR, interval_precision INTEGER, character_set_catalog VARCHAR, character_set_schema VARCHAR, character_set_name VARCHAR, collation_catalog VARCHAR, collation_schema VARCHAR, collation_name VARCHAR, domain_catalog VARCHAR, domain_schema VARCHAR, domain_name VARCHAR, udt_catalog VARCHAR, udt_schema VARCHAR, udt_name VARCHAR, scope_catalog VARCHAR, scope_schema VARCHAR, scope_name VARCHAR, maximum_cardinality INTEGER, dtd_identifier VARCHAR, is_self_referencing VARCHAR, is_identity VARCHAR, identity_generation VARCHAR, identity_start VARCHAR, identity_increment VARCHAR, identity_maximum VARCHAR, identity_minimum VARCHAR, identity_cycle VARCHAR, is_generated VARCHAR, generation_expression VARCHAR, is_updatable VARCHAR',
};

/** The emulated `pg_catalog` tables, by name. */
export const PG_CATALOG_TABLE_NAMES: readonly string[] = Object.keys(PG_CATALOG_COLUMNS);
/** The emulated `information_schema` views, by name. */
export const INFORMATION_SCHEMA_TABLE_NAMES: readonly string[] = Object.keys(INFORMATION_SCHEMA_COLUMNS);

/**
 * The session table a reference to a system catalog stands for: `pg_catalog.pg_class` (or bare
 * `pg_class`) and `information_schema.columns`, under the database name or not. Undefined for a
 * reference to anything else, emulated or not.
 */
export function pgCatalogTableOf(reference: TableReference): TableReference | undefined {
  const table = reference.table.toLowerCase();
  const schema = reference.schema?.toLowerCase();
  const catalog = reference.catalog?.toLowerCase();
  if (catalog !== undefined && catalog !== PG_DATABASE) return undefined;
  if ((schema === undefined || schema === 'pg_catalog') && PG_CATALOG_TABLE_NAMES.includes(table)) {
    return { schema: PG_CATALOG_SESSION_SCHEMA, table };
  }
  if (schema === 'information_schema' && INFORMATION_SCHEMA_TABLE_NAMES.includes(table)) {
    return { schema: INFORMATION_SCHEMA_SESSION_SCHEMA, table };
  }
  return undefined;
}

/** A stable OID for a catalog object: the same name always gets the same number. */
export function pgOid(kind: 'namespace' | 'relation', name: string): number {
  let hash = 0x811c9dc5;
  for (const char of `${kind}:${name}`) {
    hash ^= char.codePointAt(0) ?? 0;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return 100_000 + (hash % 2_000_000_000);
}

/**
 * Quanta's own `pg_catalog` and `information_schema`, built for one principal from the ports it
 * may read: one schema per product (`<domain>__<product>`), one table per port, one attribute
 * per served column with its served type. No other object (no index, constraint, policy,
 * function or other database) exists; the tables psql and drivers join to are there, empty.
 */
export function buildPgCatalogTables(relations: readonly PgRelation[]): SessionTable[] {
  const rows: Record<string, Row[]> = {
    pg_namespace: namespaceRows(relations),
    pg_class: relations.map(classRow),
    pg_attribute: relations.flatMap(attributeRows),
    pg_type: PG_TYPES.map(typeRow),
    pg_am: [[HEAP_OID, 'heap', 'heap_tableam_handler', 't']],
    pg_database: [databaseRow()],
    pg_settings: settingRows(),
    pg_description: relations.flatMap(descriptionRows),
    pg_collation: [[100, 'default', PG_CATALOG_OID, OWNER_OID, 'd', true, -1, null, null]],
    pg_roles: [[OWNER_OID, PG_OWNER, false, true, false, false, false, false, -1, null, false, null]],
    pg_tables: relations.map((relation) => [
      pgSchemaName(relation.domain, relation.product),
      relation.name,
      PG_OWNER,
      null,
      false,
      false,
      false,
      false,
    ]),
    pg_stat_user_tables: relations.map((relation) => [
      relationOid(relation),
      pgSchemaName(relation.domain, relation.product),
      relation.name,
      null,
    ]),
  };
  const information: Record<string, Row[]> = {
    schemata: schemaNames(relations).map((schema) => [
      PG_DATABASE,
      schema,
      PG_OWNER,
      null,
      null,
      'UTF8',
      null,
    ]),
    tables: relations.map(informationTableRow),
    columns: relations.flatMap(informationColumnRows),
  };
  return [
    ...Object.entries(PG_CATALOG_COLUMNS).map(([name, columns]) =>
      sessionTable({ schema: PG_CATALOG_SESSION_SCHEMA, name, columns }, rows[name] ?? []),
    ),
    ...Object.entries(INFORMATION_SCHEMA_COLUMNS).map(([name, columns]) =>
      sessionTable({ schema: INFORMATION_SCHEMA_SESSION_SCHEMA, name, columns }, information[name] ?? []),
    ),
  ];
}

function sessionTable(
  definition: { schema: string; name: string; columns: string },
  rows: Row[],
): SessionTable {
  const columns = definition.columns.split(', ').map((column) => {
    const [name = '', ...type] = column.split(' ');
    return { name, type: type.join(' ') };
  });
  return { schema: definition.schema, name: definition.name, columns, rows };
}

function relationOid(relation: PgRelation): number {
  return pgOid('relation', relation.address);
}

function schemaNames(relations: readonly PgRelation[]): string[] {
  return [...new Set(relations.map((relation) => pgSchemaName(relation.domain, relation.product)))].sort();
}

function namespaceRows(relations: readonly PgRelation[]): Row[] {
  return [
    [PG_CATALOG_OID, 'pg_catalog', OWNER_OID, null],
    [PUBLIC_OID, 'public', OWNER_OID, null],
    [INFORMATION_SCHEMA_OID, 'information_schema', OWNER_OID, null],
    ...schemaNames(relations).map((schema): Row => [pgOid('namespace', schema), schema, OWNER_OID, null]),
  ];
}

function classRow(relation: PgRelation): Row {
  const schema = pgSchemaName(relation.domain, relation.product);
  return [
    relationOid(relation),
    relation.name,
    pgOid('namespace', schema),
    0,
    0,
    OWNER_OID,
    HEAP_OID,
    0,
    0,
    0,
    -1,
    0,
    0,
    false,
    false,
    'p',
    'r',
    relation.columns.length,
    0,
    false,
    false,
    false,
    false,
    false,
    true,
    'n',
    false,
    0,
    0,
    0,
    null,
    null,
    null,
  ];
}

function attributeRows(relation: PgRelation): Row[] {
  return relation.columns.map((column, index): Row => {
    const { type, modifier } = pgColumnType(column.type);
    return [
      relationOid(relation),
      column.name,
      type.oid,
      -1,
      type.size,
      index + 1,
      0,
      -1,
      modifier,
      type.size > 0 && type.size <= 8,
      type.size === 2 ? 's' : type.size === 4 ? 'i' : type.size === 8 ? 'd' : 'i',
      type.size > 0 ? 'p' : 'x',
      '',
      !column.isNullable,
      false,
      false,
      '',
      '',
      false,
      true,
      0,
      TEXT_TYPES.has(type.oid) ? 100 : 0,
      null,
      null,
      null,
      null,
    ];
  });
}

function typeRow(type: (typeof PG_TYPES)[number]): Row {
  const isFixed = type.size > 0;
  return [
    type.oid,
    type.name,
    PG_CATALOG_OID,
    OWNER_OID,
    type.size,
    isFixed && type.size <= 8,
    'b',
    type.category,
    false,
    true,
    ',',
    0,
    '-',
    0,
    0,
    `${type.name}in`,
    `${type.name}out`,
    `${type.name}recv`,
    `${type.name}send`,
    '-',
    '-',
    '-',
    type.size === 2 ? 's' : type.size === 8 ? 'd' : 'i',
    isFixed ? 'p' : 'x',
    false,
    0,
    -1,
    0,
    TEXT_TYPES.has(type.oid) ? 100 : 0,
    null,
    null,
    null,
  ];
}

function databaseRow(): Row {
  return [
    DATABASE_OID,
    PG_DATABASE,
    OWNER_OID,
    6,
    'c',
    false,
    true,
    -1,
    0,
    0,
    1663,
    'C.UTF-8',
    'C.UTF-8',
    null,
    null,
    null,
  ];
}

/** A few settings clients read; nothing of the server's real configuration. */
function settingRows(): Row[] {
  const setting = (name: string, value: string): Row => [
    name,
    value,
    null,
    'Client Connection Defaults',
    name,
    null,
    'user',
    'string',
    'default',
    null,
    null,
    null,
    value,
    value,
    null,
    null,
    false,
  ];
  return [
    setting('server_version', '16.0'),
    setting('server_version_num', '160000'),
    setting('server_encoding', 'UTF8'),
    setting('client_encoding', 'UTF8'),
    setting('DateStyle', 'ISO, MDY'),
    setting('standard_conforming_strings', 'on'),
    setting('max_identifier_length', '63'),
    setting('search_path', '"$user", public'),
  ];
}

function descriptionRows(relation: PgRelation): Row[] {
  const oid = relationOid(relation);
  const table: Row[] = relation.description ? [[oid, PG_CLASS_OID, 0, relation.description]] : [];
  return [
    ...table,
    ...relation.columns.flatMap((column, index): Row[] =>
      column.description ? [[oid, PG_CLASS_OID, index + 1, column.description]] : [],
    ),
  ];
}

function informationTableRow(relation: PgRelation): Row {
  const schema = pgSchemaName(relation.domain, relation.product);
  return [PG_DATABASE, schema, relation.name, 'BASE TABLE', null, null, null, null, null, 'NO', 'NO', null];
}

function informationColumnRows(relation: PgRelation): Row[] {
  const schema = pgSchemaName(relation.domain, relation.product);
  return relation.columns.map((column, index): Row => {
    const { type, modifier } = pgColumnType(column.type);
    const isNumeric = type.category === 'N' && type.oid !== 26;
    const precision = type.oid === 1700 && modifier > 0 ? (modifier - 4) >> 16 : numericPrecision(type.oid);
    const scale = type.oid === 1700 && modifier > 0 ? (modifier - 4) & 0xffff : isNumeric ? 0 : null;
    return [
      PG_DATABASE,
      schema,
      relation.name,
      column.name,
      index + 1,
      null,
      column.isNullable ? 'YES' : 'NO',
      type.display,
      null,
      TEXT_TYPES.has(type.oid) ? 1_073_741_824 : null,
      isNumeric ? precision : null,
      isNumeric ? (type.oid === 1700 ? 10 : 2) : null,
      type.oid === 700 || type.oid === 701 ? null : scale,
      type.category === 'D' ? (type.oid === 1082 ? 0 : 6) : null,
      ...Array<null>(11).fill(null),
      PG_DATABASE,
      'pg_catalog',
      type.name,
      null,
      null,
      null,
      null,
      String(index + 1),
      'NO',
      'NO',
      null,
      null,
      null,
      null,
      null,
      'NO',
      'NEVER',
      null,
      'NO',
    ];
  });
}

function numericPrecision(oid: number): number | null {
  switch (oid) {
    case 21:
      return 16;
    case 23:
      return 32;
    case 20:
      return 64;
    case 700:
      return 24;
    case 701:
      return 53;
    default:
      return null;
  }
}
