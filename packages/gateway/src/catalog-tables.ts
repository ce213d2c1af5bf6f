import type { SessionTable } from '@quanta/engine';
import type {
  CatalogState,
  ColumnType,
  JsonValue,
  QualityReport,
  RunRecord,
  SnapshotRecord,
  TableProfile,
} from '@quanta/model';
import type { DomainUsage } from './domain-usage.ts';

/** The reserved schema under which the platform's own metadata is queryable. */
export const CATALOG_SCHEMA = 'quanta_catalog';

/** What the catalog tables are built from. */
export interface CatalogFacts {
  readonly catalog: CatalogState;
  readonly snapshots: readonly SnapshotRecord[];
  readonly currentSnapshots: readonly SnapshotRecord[];
  readonly runs: readonly RunRecord[];
  /** Quality reports (published and blocked); the `quality` table is empty without them. */
  readonly quality?: readonly {
    readonly runId: string;
    readonly port: string;
    readonly version?: number;
    readonly report: QualityReport;
  }[];
  /** Snapshot profiles; the `profiles` table is empty without them. */
  readonly profiles?: readonly {
    readonly port: string;
    readonly version: number;
    readonly profile: TableProfile;
  }[];
  /** Usage per domain from the audit log; only administrators see it, the table is empty otherwise. */
  readonly usage?: readonly DomainUsage[];
}

type Row = JsonValue[];

/**
 * The `quanta_catalog` tables: domains, products, ports, columns, snapshots and runs, so that
 * inventory questions ("how many products, where, how big") are one SQL query.
 */
export function buildCatalogTables(facts: CatalogFacts): SessionTable[] {
  return [
    domainsTable(facts),
    productsTable(facts),
    portsTable(facts),
    columnsTable(facts),
    snapshotsTable(facts),
    runsTable(facts),
    qualityTable(facts),
    profilesTable(facts),
    usageTable(facts),
  ];
}

/** The names of the catalog tables, for error messages and docs. */
export const CATALOG_TABLE_NAMES = [
  'domains',
  'products',
  'ports',
  'columns',
  'snapshots',
  'runs',
  'quality',
  'profiles',
  'usage',
] as const;

function table(name: string, columns: readonly (readonly [string, string])[], rows: Row[]): SessionTable {
  const columnTypes: ColumnType[] = columns.map(([columnName, type]) => ({ name: columnName, type }));
  return { schema: CATALOG_SCHEMA, name, columns: columnTypes, rows };
}

function domainsTable({ catalog }: CatalogFacts): SessionTable {
  const rows = catalog.domains.map((domain): Row => {
    const products = catalog.products.filter((product) => product.domain === domain.name).length;
    return [domain.name, domain.owner, domain.description ?? null, products];
  });
  return table(
    'domains',
    [
      ['name', 'VARCHAR'],
      ['owner', 'VARCHAR'],
      ['description', 'VARCHAR'],
      ['products', 'BIGINT'],
    ],
    rows,
  );
}

function productsTable({ catalog }: CatalogFacts): SessionTable {
  const rows = catalog.products.map(
    (product): Row => [
      product.domain,
      product.name,
      product.address,
      product.version,
      product.owner ?? null,
      product.description ?? null,
      product.inputs.length,
      product.inputs.join(','),
    ],
  );
  return table(
    'products',
    [
      ['domain', 'VARCHAR'],
      ['name', 'VARCHAR'],
      ['address', 'VARCHAR'],
      ['version', 'VARCHAR'],
      ['owner', 'VARCHAR'],
      ['description', 'VARCHAR'],
      ['input_count', 'BIGINT'],
      ['inputs', 'VARCHAR'],
    ],
    rows,
  );
}

function portsTable({ catalog, currentSnapshots }: CatalogFacts): SessionTable {
  const current = new Map(currentSnapshots.map((snapshot) => [snapshot.port, snapshot]));
  const rows = catalog.ports.map((port): Row => {
    const snapshot = current.get(port.address);
    return [
      port.domain,
      port.product,
      port.name,
      port.address,
      port.contractId,
      port.contractVersion,
      port.columns.length,
      snapshot?.version ?? null,
      snapshot?.rowCount ?? null,
      snapshot?.bytes ?? null,
      snapshot?.createdAt ?? null,
    ];
  });
  return table(
    'ports',
    [
      ['domain', 'VARCHAR'],
      ['product', 'VARCHAR'],
      ['name', 'VARCHAR'],
      ['address', 'VARCHAR'],
      ['contract_id', 'VARCHAR'],
      ['contract_version', 'VARCHAR'],
      ['column_count', 'BIGINT'],
      ['current_version', 'BIGINT'],
      ['row_count', 'BIGINT'],
      ['bytes', 'BIGINT'],
      ['published_at', 'VARCHAR'],
    ],
    rows,
  );
}

function columnsTable({ catalog }: CatalogFacts): SessionTable {
  const rows = catalog.ports.flatMap((port) =>
    port.columns.map(
      (column): Row => [
        port.domain,
        port.product,
        port.name,
        `${port.address}#${column.name}`,
        column.name,
        column.logicalType,
        column.physicalType ?? null,
        column.required,
        column.classification ?? null,
        column.tags.join(','),
        column.description ?? null,
      ],
    ),
  );
  return table(
    'columns',
    [
      ['domain', 'VARCHAR'],
      ['product', 'VARCHAR'],
      ['port', 'VARCHAR'],
      ['address', 'VARCHAR'],
      ['name', 'VARCHAR'],
      ['logical_type', 'VARCHAR'],
      ['physical_type', 'VARCHAR'],
      ['required', 'BOOLEAN'],
      ['classification', 'VARCHAR'],
      ['tags', 'VARCHAR'],
      ['description', 'VARCHAR'],
    ],
    rows,
  );
}

function snapshotsTable({ snapshots }: CatalogFacts): SessionTable {
  const rows = snapshots.map(
    (snapshot): Row => [
      snapshot.port,
      snapshot.version,
      `${snapshot.port}@${snapshot.version}`,
      snapshot.rowCount,
      snapshot.quarantinedRows,
      snapshot.bytes,
      snapshot.schemaHash,
      snapshot.runId,
      snapshot.createdAt,
      snapshot.inputVersions.map((input) => `${input.port}@${input.version}`).join(','),
    ],
  );
  return table(
    'snapshots',
    [
      ['port', 'VARCHAR'],
      ['version', 'BIGINT'],
      ['address', 'VARCHAR'],
      ['row_count', 'BIGINT'],
      ['quarantined_rows', 'BIGINT'],
      ['bytes', 'BIGINT'],
      ['schema_hash', 'VARCHAR'],
      ['run_id', 'VARCHAR'],
      ['created_at', 'VARCHAR'],
      ['inputs', 'VARCHAR'],
    ],
    rows,
  );
}

function runsTable({ runs }: CatalogFacts): SessionTable {
  const rows = runs.map(
    (run): Row => [
      run.id,
      run.product,
      run.state,
      run.trigger,
      run.startedAt,
      run.endedAt ?? null,
      run.error?.code ?? null,
    ],
  );
  return table(
    'runs',
    [
      ['id', 'VARCHAR'],
      ['product', 'VARCHAR'],
      ['state', 'VARCHAR'],
      ['trigger', 'VARCHAR'],
      ['started_at', 'VARCHAR'],
      ['ended_at', 'VARCHAR'],
      ['error_code', 'VARCHAR'],
    ],
    rows,
  );
}

/** One row per quality clause of every report: what was checked, its verdict and measure. */
function qualityTable({ quality = [] }: CatalogFacts): SessionTable {
  const rows = quality.flatMap(({ runId, port, version, report }) =>
    report.clauses.map(
      (clause): Row => [
        port,
        version ?? null,
        runId,
        report.checkedAt,
        clause.id,
        clause.name,
        clause.kind,
        clause.status,
        clause.severity,
        clause.measured ?? null,
        clause.threshold ?? null,
        clause.unit ?? null,
        clause.detail,
        report.isBlocking,
      ],
    ),
  );
  return table(
    'quality',
    [
      ['port', 'VARCHAR'],
      ['version', 'BIGINT'],
      ['run_id', 'VARCHAR'],
      ['checked_at', 'VARCHAR'],
      ['clause_id', 'VARCHAR'],
      ['name', 'VARCHAR'],
      ['kind', 'VARCHAR'],
      ['status', 'VARCHAR'],
      ['severity', 'VARCHAR'],
      ['measured', 'DOUBLE'],
      ['threshold', 'VARCHAR'],
      ['unit', 'VARCHAR'],
      ['detail', 'VARCHAR'],
      ['blocked', 'BOOLEAN'],
    ],
    rows,
  );
}

/** One row per column of every profiled snapshot. */
function profilesTable({ profiles = [] }: CatalogFacts): SessionTable {
  const text = (value: JsonValue | undefined): string | null =>
    value === undefined || value === null ? null : typeof value === 'string' ? value : JSON.stringify(value);
  const rows = profiles.flatMap(({ port, version, profile }) =>
    profile.columns.map(
      (column): Row => [
        port,
        version,
        column.name,
        column.type,
        column.count,
        column.nulls,
        column.distinct,
        text(column.min),
        text(column.max),
        column.mean ?? null,
        column.stddev ?? null,
        text(column.quantiles?.p50),
        column.topValues[0]?.value ?? null,
        JSON.stringify(column),
      ],
    ),
  );
  return table(
    'profiles',
    [
      ['port', 'VARCHAR'],
      ['version', 'BIGINT'],
      ['column_name', 'VARCHAR'],
      ['type', 'VARCHAR'],
      ['count', 'BIGINT'],
      ['nulls', 'BIGINT'],
      ['distinct_approx', 'BIGINT'],
      ['min', 'VARCHAR'],
      ['max', 'VARCHAR'],
      ['mean', 'DOUBLE'],
      ['stddev', 'DOUBLE'],
      ['median', 'VARCHAR'],
      ['top_value', 'VARCHAR'],
      ['profile', 'VARCHAR'],
    ],
    rows,
  );
}

/** One row per domain: queries, distinct consumers and consumers from other domains. */
function usageTable({ usage = [] }: CatalogFacts): SessionTable {
  const rows = usage.map(
    (entry): Row => [
      entry.domain,
      entry.queries,
      entry.consumers,
      entry.crossDomainConsumers,
      entry.lastQueryAt ?? null,
    ],
  );
  return table(
    'usage',
    [
      ['domain', 'VARCHAR'],
      ['queries', 'BIGINT'],
      ['consumers', 'BIGINT'],
      ['cross_domain_consumers', 'BIGINT'],
      ['last_query_at', 'VARCHAR'],
    ],
    rows,
  );
}
