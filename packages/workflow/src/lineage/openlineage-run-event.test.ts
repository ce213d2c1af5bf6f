import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { DuckDbEngine } from '@quanta/engine';
import type { JsonObject, QualityReport, QualityRule, SnapshotRecord, TableProfile } from '@quanta/model';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { portColumnLineage } from './column-lineage-facet.ts';
import { type LineageEventType, openLineageRunEvent } from './openlineage-run-event.ts';

const SCHEMAS = path.join(import.meta.dirname, '..', '..', 'schemas', 'openlineage');
const FACET_FILES = [
  'SchemaDatasetFacet.json',
  'DatasetVersionDatasetFacet.json',
  'OutputStatisticsOutputDatasetFacet.json',
  'ErrorMessageRunFacet.json',
  'DataQualityAssertionsDatasetFacet.json',
  'DataQualityMetricsDatasetFacet.json',
  'ColumnLineageDatasetFacet.json',
];

interface Validators {
  readonly runEvent: ValidateFunction;
  readonly facets: readonly ValidateFunction[];
}

/** The official RunEvent schema plus each facet file, which validates the facets it names. */
async function validators(): Promise<Validators> {
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  addFormatsModule.default(ajv);
  const core = JSON.parse(await readFile(path.join(SCHEMAS, 'OpenLineage.json'), 'utf8')) as JsonObject;
  ajv.addSchema(core);
  const facets: ValidateFunction[] = [];
  for (const file of FACET_FILES) {
    facets.push(ajv.compile(JSON.parse(await readFile(path.join(SCHEMAS, file), 'utf8')) as JsonObject));
  }
  const runEvent = ajv.getSchema(`${String(core.$id)}#/$defs/RunEvent`);
  assert.ok(runEvent);
  return { runEvent, facets };
}

/** Every facet object of an event, as `{name: facet}` maps the facet files validate. */
function facetMaps(event: JsonObject): JsonObject[] {
  const maps: JsonObject[] = [];
  const run = event.run as JsonObject;
  if (run.facets) maps.push(run.facets as JsonObject);
  for (const list of [event.inputs, event.outputs] as JsonObject[][]) {
    for (const dataset of list) {
      maps.push(dataset.facets as JsonObject);
      if (dataset.outputFacets) maps.push(dataset.outputFacets as JsonObject);
    }
  }
  return maps;
}

function snapshot(port: string, version: number): SnapshotRecord {
  return {
    port,
    version,
    schemaHash: 'h',
    columns: [
      { name: 'order_id', type: 'BIGINT' },
      { name: 'amount', type: 'DECIMAL(12,2)' },
    ],
    rowCount: 1200,
    quarantinedRows: 3,
    inputVersions: [],
    runId: '5a0c8a36-50c3-4a63-9f57-3a1f53f1f0aa',
    createdAt: '2024-01-01T00:00:00.000Z',
    storagePath: `sales/orders/${port}.duckdb`,
    bytes: 4096,
  };
}

test('START, COMPLETE, FAIL and ABORT events validate against the OpenLineage schema and their facets', async () => {
  const { runEvent, facets } = await validators();
  const base = {
    eventTime: '2024-01-01T10:00:00.000Z',
    runId: '5a0c8a36-50c3-4a63-9f57-3a1f53f1f0aa',
    domain: 'sales',
    product: 'orders',
    inputs: [snapshot('quanta://crm/customers/customers', 4)],
  };
  const events = (['START', 'COMPLETE', 'FAIL', 'ABORT'] as LineageEventType[]).map((eventType) =>
    openLineageRunEvent({
      ...base,
      eventType,
      ...(eventType === 'COMPLETE' ? { outputs: [snapshot('quanta://sales/orders/orders', 7)] } : {}),
      ...(eventType === 'FAIL'
        ? { error: { code: 'QUANTA_PUBLISH_BLOCKED', message: 'blocked', title: 'Publish blocked' } as never }
        : {}),
    }),
  );
  for (const event of events) {
    assert.ok(runEvent(event), JSON.stringify(runEvent.errors));
    for (const map of facetMaps(event)) {
      for (const validate of facets)
        assert.ok(validate(map), `${JSON.stringify(validate.errors)} in ${JSON.stringify(map)}`);
    }
  }
  const complete = events[1] as JsonObject;
  assert.deepEqual(complete.job, { namespace: 'quanta://sales', name: 'orders' });
  const [output] = complete.outputs as [JsonObject];
  assert.equal(output.namespace, 'quanta://sales');
  assert.equal(output.name, 'orders/orders');
  assert.deepEqual((output.outputFacets as JsonObject).outputStatistics, {
    _producer: 'https://github.com/quanta-mesh/quanta/tree/main/packages/workflow',
    _schemaURL:
      'https://openlineage.io/spec/facets/1-0-2/OutputStatisticsOutputDatasetFacet.json#/$defs/OutputStatisticsOutputDatasetFacet',
    rowCount: 1200,
    size: 4096,
    fileCount: 1,
  });
});

test('the schema rejects a malformed event, so the validation above can fail', async () => {
  const { runEvent } = await validators();
  const event = openLineageRunEvent({
    eventType: 'START',
    eventTime: 'yesterday',
    runId: 'not-a-uuid',
    domain: 'sales',
    product: 'orders',
    inputs: [],
  });
  assert.equal(runEvent(event), false);
});

const REPORT: QualityReport = {
  checkedAt: '2024-01-01T10:00:00.000Z',
  schema: [{ name: 'column order_id', passed: true, detail: 'present, BIGINT', column: 'order_id' }],
  clauses: [
    {
      id: '/schema/0/properties/0/quality/0',
      name: 'nullValues:order_id',
      kind: 'metric',
      status: 'passed',
      severity: 'error',
      measured: 0,
      threshold: '= 0',
      unit: 'rows',
      detail: '0 null rows',
      samples: [],
    },
    {
      id: '/schema/0/quality/0',
      name: 'no negative amounts',
      kind: 'sql',
      status: 'failed',
      severity: 'warning',
      measured: 4,
      threshold: '= 0',
      unit: 'rows',
      detail: '4 rows',
      samples: [{ order_id: 9 }],
    },
    {
      id: '/slaProperties/2',
      name: 'frequency',
      kind: 'unenforceable',
      status: 'cannotEnforce',
      severity: 'info',
      detail: 'cannot enforce: frequency is not measured on data',
      samples: [],
    },
  ],
  enforced: 2,
  total: 3,
  isBlocking: false,
  scans: 1,
  rowCount: 1200,
  quarantinedRows: 3,
};

const RULES: QualityRule[] = [
  {
    id: '/schema/0/properties/0/quality/0',
    name: 'nullValues:order_id',
    severity: 'error',
    kind: 'metric',
    metric: 'nullValues',
    columns: ['order_id'],
    threshold: { operator: 'mustBe', value: 0 },
    unit: 'rows',
    onFail: 'report',
  },
  {
    id: '/schema/0/quality/0',
    name: 'no negative amounts',
    severity: 'warning',
    kind: 'sql',
    query: 'SELECT count(*) FROM ${table} WHERE amount < 0',
    column: 'amount',
    threshold: { operator: 'mustBe', value: 0 },
    unit: 'rows',
  },
];

const PROFILE: TableProfile = {
  rowCount: 1200,
  scans: 2,
  columns: [
    {
      name: 'order_id',
      type: 'BIGINT',
      count: 1200,
      nulls: 0,
      distinct: 1187,
      min: 1,
      max: 1200,
      quantiles: { p25: 300, p50: 600, p75: 900, p95: 1140 },
      topValues: [],
    },
    {
      name: 'status',
      type: 'VARCHAR',
      count: 1190,
      nulls: 10,
      distinct: 4,
      min: 'new',
      max: 'shipped',
      topValues: [],
    },
  ],
};

test('COMPLETE carries dataQualityAssertions and dataQualityMetrics facets that validate against the official schemas', async () => {
  const { runEvent, facets } = await validators();
  const output = snapshot('quanta://sales/orders/orders', 7);
  const event = openLineageRunEvent({
    eventType: 'COMPLETE',
    eventTime: '2024-01-01T10:00:00.000Z',
    runId: '5a0c8a36-50c3-4a63-9f57-3a1f53f1f0aa',
    domain: 'sales',
    product: 'orders',
    inputs: [],
    outputs: [output],
    outputQuality: new Map([[output.port, { report: REPORT, profile: PROFILE, rules: RULES }]]),
  });
  assert.ok(runEvent(event), JSON.stringify(runEvent.errors));
  for (const map of facetMaps(event)) {
    for (const validate of facets) assert.ok(validate(map), JSON.stringify(validate.errors));
  }
  const [dataset] = event.outputs as [JsonObject];
  const datasetFacets = dataset.facets as JsonObject;
  const assertions = (datasetFacets.dataQualityAssertions as JsonObject).assertions as JsonObject[];
  assert.deepEqual(
    assertions.map((item) => [item.assertion, item.success, item.column ?? '-', item.severity]),
    [
      ['schema', true, 'order_id', 'error'],
      ['not_null', true, 'order_id', 'error'],
      ['custom_sql', false, 'amount', 'warn'],
    ],
    'the unenforceable clause is no assertion',
  );
  assert.equal(assertions[2]?.actual, '4 rows');
  assert.equal(assertions[2]?.contentType, 'sql');
  const metrics = datasetFacets.dataQualityMetrics as JsonObject;
  assert.equal(metrics.rowCount, 1200);
  assert.deepEqual((metrics.columnMetrics as JsonObject).order_id, {
    nullCount: 0,
    distinctCount: 1187,
    count: 1200,
    min: 1,
    max: 1200,
    quantiles: { '0.25': 300, '0.5': 600, '0.75': 900, '0.95': 1140 },
  });
  assert.deepEqual((metrics.columnMetrics as JsonObject).status, {
    nullCount: 10,
    distinctCount: 4,
    count: 1190,
  });
});

test('the facet schemas reject a malformed assertion, so the validation above can fail', async () => {
  const { facets } = await validators();
  const broken = {
    dataQualityAssertions: { _producer: 'x', _schemaURL: 'y', assertions: [{ assertion: 'not_null' }] },
  };
  assert.ok(facets.some((validate) => !validate(broken)));
});

test('a transform output carries the columnLineage facet, valid against its official schema', async () => {
  const { runEvent, facets } = await validators();
  const dir = await mkdtemp(path.join(tmpdir(), 'quanta-lineage-'));
  const engine = await DuckDbEngine.create({ storageRoot: path.join(dir, 'storage'), threads: 1 });
  try {
    const target = (name: string) => ({ domain: 'sales', runId: 'r', name });
    const orders = await engine.transform({
      sql: "SELECT i AS order_id, 'C' || (i % 3) AS customer_id, i * 1.5 AS amount FROM range(9) AS t(i)",
      inputs: {},
      target: target('orders'),
    });
    const customers = await engine.transform({
      sql: "SELECT 'C' || i AS customer_id, 'seg' || i AS segment FROM range(3) AS t(i)",
      inputs: {},
      target: target('customers'),
    });
    const staging = await engine.transform({
      sql: 'SELECT 1 AS one',
      inputs: {},
      target: target('staging'),
    });
    const revenue = await engine.transform({
      sql: `SELECT c.segment, sum(o.amount) AS revenue, max(s.one) AS one
            FROM orders o JOIN customers c USING (customer_id), staged s
            WHERE o.amount > 0 GROUP BY c.segment`,
      inputs: { orders: orders, customers: customers, staged: staging },
      target: target('revenue'),
    });
    assert.ok(revenue.columnLineage);
    // `staged` is an earlier step's table, not a port: what depends on it is left out.
    const columnLineage = portColumnLineage(
      revenue.columnLineage,
      new Map([
        ['orders', 'quanta://sales/orders/orders'],
        ['customers', 'quanta://customers/crm-customers/customers'],
      ]),
    );
    const event = openLineageRunEvent({
      eventType: 'COMPLETE',
      eventTime: '2024-01-01T10:00:00.000Z',
      runId: '5a0c8a36-50c3-4a63-9f57-3a1f53f1f0aa',
      domain: 'sales',
      product: 'segment-revenue',
      inputs: [snapshot('quanta://sales/orders/orders', 3)],
      outputs: [snapshot('quanta://sales/segment-revenue/revenue', 1)],
      outputQuality: new Map([['quanta://sales/segment-revenue/revenue', { columnLineage }]]),
    });
    assert.ok(runEvent(event), JSON.stringify(runEvent.errors));
    for (const map of facetMaps(event)) {
      for (const validate of facets) assert.ok(validate(map), JSON.stringify(validate.errors));
    }
    const [output] = event.outputs as [JsonObject];
    const facet = (output.facets as JsonObject).columnLineage as JsonObject;
    assert.equal(
      facet._schemaURL,
      'https://openlineage.io/spec/facets/1-2-0/ColumnLineageDatasetFacet.json#/$defs/ColumnLineageDatasetFacet',
    );
    const field = (name: string, column: string, how: string) => {
      const [subtype, type = 'DIRECT'] = how.split(' ');
      return {
        namespace: name.startsWith('orders') ? 'quanta://sales' : 'quanta://customers',
        name,
        field: column,
        transformations: [{ type, subtype }],
      };
    };
    assert.deepEqual(facet.fields, {
      segment: { inputFields: [field('crm-customers/customers', 'segment', 'IDENTITY')] },
      revenue: { inputFields: [field('orders/orders', 'amount', 'AGGREGATION')] },
    });
    assert.deepEqual(facet.dataset, [
      field('orders/orders', 'customer_id', 'JOIN INDIRECT'),
      field('crm-customers/customers', 'customer_id', 'JOIN INDIRECT'),
      field('orders/orders', 'amount', 'FILTER INDIRECT'),
      field('crm-customers/customers', 'segment', 'GROUP_BY INDIRECT'),
    ]);
    // The facet schema can fail: an input field must name its dataset.
    const broken = { columnLineage: { ...facet, fields: { segment: { inputFields: [{ field: 'x' }] } } } };
    assert.ok(facets.some((validate) => !validate(broken)));
  } finally {
    await engine.close();
    await rm(dir, { recursive: true, force: true });
  }
});
