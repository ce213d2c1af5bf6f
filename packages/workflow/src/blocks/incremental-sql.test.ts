import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { DuckDbEngine } from '@quanta/engine';
import {
  type ColumnSpec,
  isJsonObject,
  type JsonObject,
  type JsonValue,
  type MetricRule,
  type ProductSpec,
  type QualityRule,
  type SnapshotRecord,
} from '@quanta/model';
import { type CatalogStore, openCatalogStore } from '@quanta/store';
import { ingestBlock } from './ingest-block.ts';
import type { ProductRunContext } from './product-run-context.ts';
import { publishBlock } from './publish-block.ts';
import { sqlBlock } from './sql-block.ts';

const ORDERS = 'quanta://sales/orders/orders';
const CUSTOMERS = 'quanta://customers/crm/customers';
const NOW = '2025-07-01T00:00:00.000Z';

/** The row-wise transform of the tests: a filter, a projection and a join with a dimension. */
const BIG_ORDERS_SQL = `SELECT o.order_id, o.customer_id, c.segment, o.amount, upper(o.status) AS status
FROM orders AS o JOIN customers AS c ON c.customer_id = o.customer_id
WHERE o.status <> 'cancelled' AND o.amount > 10`;

function column(name: string, physicalType: string): ColumnSpec {
  return {
    name,
    logicalType: 'string',
    physicalType,
    required: false,
    unique: false,
    primaryKey: false,
    tags: [],
  };
}

/** Order ids that are not `O` + digits go to the transform's quarantine when it publishes. */
const QUARANTINE_ODD_IDS: MetricRule = {
  id: 'order-id-format',
  name: 'order ids look like O123',
  severity: 'error',
  kind: 'metric',
  metric: 'invalidValues',
  columns: ['order_id'],
  validity: { pattern: 'O[0-9]+' },
  threshold: { operator: 'mustBe', value: 0 },
  unit: 'rows',
  onFail: 'quarantine',
};

function product(input: {
  domain: string;
  name: string;
  port: string;
  columns: readonly ColumnSpec[];
  rules?: readonly QualityRule[];
}): ProductSpec {
  const address = `quanta://${input.domain}/${input.name}`;
  const contract = {
    file: `domains/${input.domain}/products/${input.name}/${input.port}.odcs.yaml`,
    id: `${input.domain}.${input.name}.${input.port}`,
    table: { name: input.port, columns: input.columns },
    quality: input.rules ?? [],
  };
  return {
    domain: input.domain,
    name: input.name,
    address,
    outputPorts: [{ name: input.port, address: `${address}/${input.port}`, contract }],
    sqlFiles: [],
  } as unknown as ProductSpec;
}

const ORDERS_PRODUCT = product({
  domain: 'sales',
  name: 'orders',
  port: 'orders',
  columns: [
    column('order_id', 'varchar'),
    column('customer_id', 'varchar'),
    column('status', 'varchar'),
    column('amount', 'decimal(12,2)'),
    column('order_date', 'date'),
  ],
});
const CUSTOMERS_PRODUCT = product({
  domain: 'customers',
  name: 'crm',
  port: 'customers',
  columns: [column('customer_id', 'varchar'), column('segment', 'varchar')],
});
const BIG_ORDERS_COLUMNS = [
  column('order_id', 'varchar'),
  column('customer_id', 'varchar'),
  column('segment', 'varchar'),
  column('amount', 'decimal(12,2)'),
  column('status', 'varchar'),
];

/** `count` orders numbered from `first`: every 53rd has an odd id, some customers are unknown. */
function ordersCsv(first: number, count: number): string {
  const statuses = ['placed', 'shipped', 'cancelled', 'delivered', 'returned'];
  const lines = ['order_id,customer_id,status,amount,order_date'];
  for (let n = first; n < first + count; n += 1) {
    const id = n % 53 === 0 ? `X${n}` : `O${n}`;
    const day = String(1 + (n % 28)).padStart(2, '0');
    lines.push(`${id},C${(n * 7) % 120},${statuses[n % 5]},${((n * 37) % 5000) / 100},2025-03-${day}`);
  }
  return `${lines.join('\n')}\n`;
}

function customersCsv(first: number, count: number): string {
  const segments = ['smb', 'mid', 'enterprise'];
  const lines = ['customer_id,segment'];
  for (let n = first; n < first + count; n += 1) lines.push(`C${n},${segments[n % 3]}`);
  return `${lines.join('\n')}\n`;
}

/** A mesh folder, an engine and an embedded catalog, with the two upstream products. */
class TestMesh {
  readonly root: string;
  readonly engine: DuckDbEngine;
  readonly store: CatalogStore;
  #runs = 0;

  private constructor(root: string, engine: DuckDbEngine, store: CatalogStore) {
    this.root = root;
    this.engine = engine;
    this.store = store;
  }

  static async create(): Promise<TestMesh> {
    const root = await mkdtemp(path.join(tmpdir(), 'quanta-incremental-sql-'));
    const engine = await DuckDbEngine.create({
      storageRoot: path.join(root, '.quanta', 'storage'),
      threads: 2,
    });
    const store = await openCatalogStore({ embeddedPath: path.join(root, '.quanta', 'catalog.sqlite') });
    return new TestMesh(root, engine, store);
  }

  async land(file: string, content: string): Promise<void> {
    const target = path.join(this.root, 'landing', file);
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, content);
  }

  context(spec: ProductSpec, inputs: ReadonlyMap<string, SnapshotRecord> = new Map()): ProductRunContext {
    this.#runs += 1;
    return {
      runId: `run-${this.#runs}`,
      meshRoot: this.root,
      product: spec,
      engine: this.engine,
      store: this.store,
      inputs,
      clock: { now: () => new Date(NOW) },
      progress: { update() {} },
    };
  }

  /** Lands a batch and runs the upstream product: incremental ingest (or a whole re-ingest), then publish. */
  async publishUpstream(which: 'orders' | 'customers', options: { incremental?: boolean } = {}) {
    const spec = which === 'orders' ? ORDERS_PRODUCT : CUSTOMERS_PRODUCT;
    const source = which === 'orders' ? 'landing/sales/orders/*.csv' : 'landing/customers/crm/*.csv';
    const context = this.context(spec);
    const staged = await ingestBlock.run(
      { source, port: which, incremental: options.incremental ?? true },
      context,
    );
    await publishBlock.run({ port: which, from: staged }, context);
  }

  /** Runs a downstream product: `quanta.sql` with `incremental: true`, then publish. */
  async runTransform(
    spec: ProductSpec,
    args: JsonObject,
  ): Promise<{ built: JsonObject; snapshot: SnapshotRecord }> {
    const inputs = new Map<string, SnapshotRecord>();
    for (const [name, port] of [
      ['orders', ORDERS],
      ['customers', CUSTOMERS],
    ] as const) {
      const current = await this.store.getCurrentSnapshot(port);
      if (current) inputs.set(name, current);
    }
    const context = this.context(spec, inputs);
    const built = await sqlBlock.run({ incremental: true, ...args }, context);
    assert.ok(isJsonObject(built));
    const port = spec.outputPorts[0]?.address ?? '';
    await publishBlock.run({ port: spec.outputPorts[0]?.name ?? '', from: built }, context);
    const snapshot = await this.store.getCurrentSnapshot(port);
    assert.ok(snapshot);
    return { built, snapshot };
  }

  /** The rows of a snapshot or staged file, sorted: a multiset to compare. */
  async rows(file: string): Promise<JsonValue[][]> {
    const session = await this.engine.openReadSession({ attachments: [{ alias: 't', path: file }] });
    try {
      return [...(await session.query('SELECT * FROM t.main.data ORDER BY ALL')).rows];
    } finally {
      await session.close();
    }
  }

  /** What a full recompute publishes: the query over the current inputs, routed to quarantine by the same rules. */
  async fullRecompute(sql: string, rules: readonly QualityRule[], columns: readonly ColumnSpec[]) {
    const inputs: Record<string, { path: string }> = {};
    for (const [name, port] of [
      ['orders', ORDERS],
      ['customers', CUSTOMERS],
    ] as const) {
      const current = await this.store.getCurrentSnapshot(port);
      if (current) inputs[name] = { path: this.engine.resolveStoragePath(current.storagePath) };
    }
    this.#runs += 1;
    const staged = await this.engine.transform({
      sql,
      inputs,
      target: { domain: 'sales', runId: `reference-${this.#runs}`, name: 'full' },
    });
    const report = await this.engine.checkQuality(staged, {
      columns,
      rules,
      tableName: 'big_orders',
      now: NOW,
    });
    return {
      rows: await this.rows(staged.path),
      rowCount: report.rowCount,
      quarantinedRows: report.quarantinedRows,
    };
  }

  async dispose(): Promise<void> {
    await this.store.close();
    await this.engine.close();
    await rm(this.root, { recursive: true, force: true });
  }
}

/** The `incremental` summary of a `quanta.sql` result. */
function summary(built: JsonObject): JsonObject {
  assert.ok(isJsonObject(built.incremental), JSON.stringify(built));
  return built.incremental;
}

const BIG_ORDERS = product({
  domain: 'sales',
  name: 'big-orders',
  port: 'big_orders',
  columns: BIG_ORDERS_COLUMNS,
  rules: [QUARANTINE_ODD_IDS],
});

describe('quanta.sql with incremental: true', () => {
  test('computes only the new rows of appended orders and publishes what a full recompute does', async () => {
    const mesh = await TestMesh.create();
    try {
      await mesh.land('customers/crm/a.csv', customersCsv(0, 100));
      await mesh.publishUpstream('customers');
      await mesh.land('sales/orders/a.csv', ordersCsv(0, 3_000));
      await mesh.publishUpstream('orders');

      const first = await mesh.runTransform(BIG_ORDERS, { query: BIG_ORDERS_SQL });
      assert.deepEqual(summary(first.built), {
        mode: 'full',
        reason: 'quanta://sales/big-orders/big_orders has no snapshot yet',
        baseRows: 0,
        deltaRows: first.snapshot.rowCount + first.snapshot.quarantinedRows,
      });
      assert.equal(first.snapshot.appendedTo, undefined);
      assert.equal(typeof first.snapshot.transformHash, 'string');

      // Two batches land and orders publishes twice (versions 2 and 3, each an append).
      await mesh.land('sales/orders/b.csv', ordersCsv(3_000, 1_000));
      await mesh.publishUpstream('orders');
      await mesh.land('sales/orders/c.csv', ordersCsv(4_000, 700));
      await mesh.publishUpstream('orders');
      assert.deepEqual((await mesh.store.getSnapshot(ORDERS, 3))?.appendedTo, { version: 2, rows: 4_000 });

      const second = await mesh.runTransform(BIG_ORDERS, { query: BIG_ORDERS_SQL, port: 'big_orders' });
      const delta = summary(second.built);
      assert.equal(delta.mode, 'delta', String(delta.reason));
      assert.equal(delta.baseVersion, first.snapshot.version);
      assert.equal(delta.baseRows, first.snapshot.rowCount);
      assert.match(
        String(delta.reason),
        /orders grew by appends from version 1 \(3000 rows\) to .*@3 \(4700 rows\)/,
      );
      assert.ok(Number(delta.deltaRows) > 0 && Number(delta.deltaRows) < 1_700);
      assert.deepEqual(second.snapshot.appendedTo, {
        version: first.snapshot.version,
        rows: first.snapshot.rowCount,
      });
      const report = await mesh.store.getQualityReport(second.snapshot.port, second.snapshot.version);
      assert.ok(report?.report.incremental, 'the publish check read the new rows only');

      const full = await mesh.fullRecompute(BIG_ORDERS_SQL, [QUARANTINE_ODD_IDS], BIG_ORDERS_COLUMNS);
      assert.ok(full.quarantinedRows > 0, 'some rows are routed to quarantine');
      assert.deepEqual(
        await mesh.rows(mesh.engine.resolveStoragePath(second.snapshot.storagePath)),
        full.rows,
      );
      assert.equal(second.snapshot.rowCount, full.rowCount);
      assert.equal(second.snapshot.quarantinedRows, full.quarantinedRows);

      // Once more: the delta snapshot is itself a base for the next one.
      await mesh.land('sales/orders/d.csv', ordersCsv(4_700, 500));
      await mesh.publishUpstream('orders');
      const third = await mesh.runTransform(BIG_ORDERS, { query: BIG_ORDERS_SQL });
      assert.equal(summary(third.built).mode, 'delta');
      const again = await mesh.fullRecompute(BIG_ORDERS_SQL, [QUARANTINE_ODD_IDS], BIG_ORDERS_COLUMNS);
      assert.deepEqual(
        await mesh.rows(mesh.engine.resolveStoragePath(third.snapshot.storagePath)),
        again.rows,
      );
      assert.equal(third.snapshot.quarantinedRows, again.quarantinedRows);
    } finally {
      await mesh.dispose();
    }
  });

  test('recomputes in full, saying why, when the query does not distribute over appends', async () => {
    const mesh = await TestMesh.create();
    const shapes: readonly [string, string, RegExp][] = [
      [
        'aggregate',
        'SELECT order_id, CAST(sum(amount) AS DECIMAL(12,2)) AS amount FROM orders GROUP BY order_id',
        /GROUP BY/,
      ],
      [
        'window',
        'SELECT order_id, CAST(sum(amount) OVER (PARTITION BY customer_id) AS DECIMAL(12,2)) AS amount FROM orders',
        /window function sum/,
      ],
      ['distinct', 'SELECT DISTINCT order_id, amount FROM orders', /DISTINCT/],
      ['limit', 'SELECT order_id, amount FROM orders LIMIT 100000', /LIMIT/],
      [
        'self-join',
        'SELECT a.order_id, b.amount FROM orders a JOIN orders b ON a.order_id = b.order_id',
        /self-join/,
      ],
      [
        'right-of-left-join',
        'SELECT c.customer_id AS order_id, o.amount FROM customers c LEFT JOIN orders o ON o.customer_id = c.customer_id',
        /null-supplying side of a LEFT JOIN/,
      ],
      [
        'subquery',
        'SELECT order_id, amount FROM orders WHERE amount > (SELECT avg(amount) FROM orders)',
        /inside a subquery expression/,
      ],
    ];
    const specs = shapes.map(([name]) =>
      product({
        domain: 'sales',
        name: `shape-${name}`,
        port: 'out',
        columns: [column('order_id', 'varchar'), column('amount', 'decimal(12,2)')],
      }),
    );
    try {
      await mesh.land('customers/crm/a.csv', customersCsv(0, 100));
      await mesh.publishUpstream('customers');
      await mesh.land('sales/orders/a.csv', ordersCsv(0, 500));
      await mesh.publishUpstream('orders');
      for (const [index, [, sql]] of shapes.entries()) {
        await mesh.runTransform(specs[index] as ProductSpec, { query: sql });
      }
      await mesh.land('sales/orders/b.csv', ordersCsv(500, 200));
      await mesh.publishUpstream('orders');
      for (const [index, [shape, sql, reason]] of shapes.entries()) {
        const { built, snapshot } = await mesh.runTransform(specs[index] as ProductSpec, { query: sql });
        const incremental = summary(built);
        assert.equal(incremental.mode, 'full', shape);
        assert.match(
          String(incremental.reason),
          /^the query does not distribute over appends to orders: /,
          shape,
        );
        assert.match(String(incremental.reason), reason, shape);
        assert.equal(snapshot.appendedTo, undefined, shape);
      }
    } finally {
      await mesh.dispose();
    }
  });

  test('recomputes in full when a second input changed, or an input was not appended to', async () => {
    const mesh = await TestMesh.create();
    try {
      await mesh.land('customers/crm/a.csv', customersCsv(0, 100));
      await mesh.publishUpstream('customers');
      await mesh.land('sales/orders/a.csv', ordersCsv(0, 1_000));
      await mesh.publishUpstream('orders');
      await mesh.runTransform(BIG_ORDERS, { query: BIG_ORDERS_SQL });

      const unchanged = await mesh.runTransform(BIG_ORDERS, { query: BIG_ORDERS_SQL });
      assert.match(String(summary(unchanged.built).reason), /^no input changed since .*big_orders@1$/);

      // Both inputs grew: the new orders would meet new customers, and old orders too.
      await mesh.land('customers/crm/b.csv', customersCsv(100, 20));
      await mesh.publishUpstream('customers');
      await mesh.land('sales/orders/b.csv', ordersCsv(1_000, 300));
      await mesh.publishUpstream('orders');
      const both = await mesh.runTransform(BIG_ORDERS, { query: BIG_ORDERS_SQL });
      assert.deepEqual(
        { mode: summary(both.built).mode, reason: summary(both.built).reason },
        {
          mode: 'full',
          reason: '2 inputs changed since quanta://sales/big-orders/big_orders@2 (orders, customers)',
        },
      );
      const full = await mesh.fullRecompute(BIG_ORDERS_SQL, [QUARANTINE_ODD_IDS], BIG_ORDERS_COLUMNS);
      assert.deepEqual(await mesh.rows(mesh.engine.resolveStoragePath(both.snapshot.storagePath)), full.rows);

      // Orders is ingested whole again (not an append): its new version breaks the chain.
      await mesh.land('sales/orders/c.csv', ordersCsv(1_300, 100));
      await mesh.publishUpstream('orders', { incremental: false });
      const rebuilt = await mesh.runTransform(BIG_ORDERS, { query: BIG_ORDERS_SQL });
      assert.equal(summary(rebuilt.built).mode, 'full');
      assert.match(String(summary(rebuilt.built).reason), /orders@3 was not published as an append/);

      // An append after that is incremental again; an edited query is not.
      await mesh.land('sales/orders/d.csv', ordersCsv(1_400, 100));
      await mesh.publishUpstream('orders');
      const edited = `${BIG_ORDERS_SQL} AND o.amount < 40`;
      const withEdit = await mesh.runTransform(BIG_ORDERS, { query: edited });
      assert.equal(summary(withEdit.built).mode, 'full');
      assert.match(String(summary(withEdit.built).reason), /was computed by another transform/);
      await mesh.land('sales/orders/e.csv', ordersCsv(1_500, 100));
      await mesh.publishUpstream('orders');
      const resumed = await mesh.runTransform(BIG_ORDERS, { query: edited });
      assert.equal(summary(resumed.built).mode, 'delta', String(summary(resumed.built).reason));
    } finally {
      await mesh.dispose();
    }
  });

  test('a staged table built on a snapshot of one port cannot be published to another', async () => {
    const mesh = await TestMesh.create();
    try {
      await mesh.land('sales/orders/a.csv', ordersCsv(0, 100));
      await mesh.publishUpstream('orders');
      await mesh.land('sales/orders/b.csv', ordersCsv(100, 100));
      const spec = {
        ...ORDERS_PRODUCT,
        outputPorts: [
          ...ORDERS_PRODUCT.outputPorts,
          { ...ORDERS_PRODUCT.outputPorts[0], name: 'copy', address: `${ORDERS_PRODUCT.address}/copy` },
        ],
      } as ProductSpec;
      const context = mesh.context(spec);
      const staged = await ingestBlock.run(
        { source: 'landing/sales/orders/*.csv', port: 'orders', incremental: true },
        context,
      );
      await assert.rejects(publishBlock.run({ port: 'copy', from: staged }, context), {
        code: 'QUANTA_WORKFLOW_FAILED',
        message: /extends a snapshot of quanta:\/\/sales\/orders\/orders; it cannot be published to .*\/copy/,
      });
    } finally {
      await mesh.dispose();
    }
  });
});
