import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DuckDbEngine } from '@quanta/engine';
import { Gateway } from '@quanta/gateway';
import type { CatalogState, ColumnSpec, PortRecord } from '@quanta/model';
import { buildMaskSidecars } from '@quanta/services';
import { openAuditStore, openCatalogStore } from '@quanta/store';
import { TEST_SECRET, testAccessPolicy } from '../packages/gateway/src/test-mesh.ts';
import { type BenchResult, median, timeMs } from './bench-result.ts';

const COLUMNS: ColumnSpec[] = [
  ['customer_id', 'internal', []],
  ['name', 'internal', []],
  ['email', 'restricted', ['pii', 'email']],
  ['phone', 'confidential', ['pii', 'phone']],
  ['notes', 'confidential', ['free-text']],
  ['country', 'internal', []],
  ['secret_score', 'internal', ['secret']],
  ['lifetime_value', 'internal', []],
].map(([name, classification, tags]) => ({
  name: String(name),
  logicalType: 'string',
  required: false,
  unique: false,
  primaryKey: false,
  classification: String(classification),
  tags: tags as string[],
}));

const GENERATE = (rows: number): string => `SELECT
  'C' || i AS customer_id, 'name-' || i AS name, 'user' || i || '@example.com' AS email,
  '+33' || (600000000 + i) AS phone, 'note ' || i AS notes,
  CASE i % 4 WHEN 0 THEN 'FR' WHEN 1 THEN 'DE' WHEN 2 THEN 'ES' ELSE 'IT' END AS country,
  i % 1000 AS secret_score, (i * 7) % 100000 AS lifetime_value
FROM range(${rows}) AS t(i)`;

/**
 * Access control costs: one authorization decision with preparsed policies (p50/p99), and the
 * gateway (parse, authorize, masks and row filters, sandboxed session, audit) against raw DuckDB
 * running the same SQL on the same snapshot, for a selective query and a full scan.
 */
export async function benchAccess(options: { rows?: number } = {}): Promise<BenchResult> {
  const rows = options.rows ?? 5_000_000;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'quanta-bench-access-'));
  const engine = await DuckDbEngine.create({ storageRoot: path.join(dir, 'storage') });
  const store = await openCatalogStore({ embeddedPath: path.join(dir, 'catalog.sqlite') });
  const audit = await openAuditStore({ embeddedPath: path.join(dir, 'catalog.sqlite') });
  try {
    const port: PortRecord = {
      domain: 'customers',
      product: 'crm',
      name: 'customers',
      address: 'quanta://customers/crm/customers',
      contractId: 'crm',
      contractVersion: '1.0.0',
      columns: COLUMNS,
      contract: {},
      hash: 'h',
    };
    const catalog: CatalogState = {
      domains: ['customers', 'sales', 'marketing'].map((name) => ({
        name,
        owner: name,
        spec: {},
        hash: name,
      })),
      products: [
        {
          domain: 'customers',
          name: 'crm',
          address: 'quanta://customers/crm',
          version: '1',
          inputs: [],
          spec: {},
          hash: 'h',
        },
      ],
      ports: [port],
    };
    await store.applyCatalog(catalog, { appliedBy: 'bench' });
    const staged = await engine.transform({
      sql: GENERATE(rows),
      inputs: {},
      target: { domain: 'customers', runId: 'bench', name: 'customers' },
    });
    const promoted = await engine.promote(staged, {
      domain: 'customers',
      product: 'crm',
      port: 'customers',
      snapshotId: 'bench',
    });
    await store.publishSnapshot({
      port: port.address,
      schemaHash: staged.schemaHash,
      columns: staged.columns,
      rowCount: staged.rowCount,
      quarantinedRows: 0,
      inputVersions: [],
      runId: 'bench',
      storagePath: promoted.storagePath,
      bytes: promoted.bytes,
    });
    const access = testAccessPolicy(catalog);
    const gateway = Gateway.create({
      engine,
      store,
      audit,
      access: async () => access,
      secret: async () => TEST_SECRET,
    });
    const sam = access.principal('sam');
    if (!sam) throw new Error('no sam');

    const decisions: number[] = [];
    for (let index = 0; index < 5_000; index += 1) {
      const started = performance.now();
      access.authorize(sam, {
        action: 'read',
        resource: { type: 'Column', address: `${port.address}#email` },
      });
      decisions.push((performance.now() - started) * 1000);
    }
    decisions.sort((a, b) => a - b);
    const p99 = decisions[Math.floor(decisions.length * 0.99)] ?? 0;

    const small = "SELECT name, email FROM customers.crm.customers WHERE customer_id = 'C42'";
    const large =
      'SELECT country, count(*), count(DISTINCT email), max(phone), max(notes), sum(lifetime_value) FROM customers.crm.customers GROUP BY country';
    const raw = async (sql: string): Promise<number> => {
      const session = await engine.openReadSession({
        attachments: [{ alias: 'p', path: engine.resolveStoragePath(promoted.storagePath) }],
      });
      try {
        return await timeMs(() => session.query(sql.replace('customers.crm.customers', 'p.main.data')));
      } finally {
        await session.close();
      }
    };
    const governed = (sql: string, principal: string) => timeMs(() => gateway.query(sql, { principal }));
    const measure = async (work: () => Promise<number>, runs: number): Promise<number> => {
      await work();
      const times: number[] = [];
      for (let index = 0; index < runs; index += 1) times.push(await work());
      return median(times);
    };
    const rawLarge = await measure(() => raw(large), 5);
    // Before the snapshot has a mask sidecar: the keyed hash is computed per value by the query.
    const computedLarge = await measure(() => governed(large, 'sam'), 5);
    // As a succeeded run does after publishing (ADR 019).
    let sidecarBuild = 0;
    const [sidecar] = await (async () => {
      const started = performance.now();
      const outcomes = await buildMaskSidecars({ store, engine, secret: async () => TEST_SECRET });
      sidecarBuild = performance.now() - started;
      return outcomes;
    })();
    if (sidecar?.kind !== 'built') throw new Error(`no mask sidecar: ${JSON.stringify(sidecar)}`);
    const rawSmall = await measure(() => raw(small), 41);
    const gatewaySmall = await measure(() => governed(small, 'sam'), 41);
    const gatewayLarge = await measure(() => governed(large, 'sam'), 5);
    const adminLarge = await measure(() => governed(large, 'gus'), 5);
    // ada (customers owner) reads every column of the query raw: the gateway without mask cost.
    const unmaskedLarge = await measure(() => governed(large, 'ada'), 5);
    let fresh = 0;
    // A new text every time: the parse and rewrite caches never hit (decisions and view trees do).
    const uncachedSmall = await measure(() => {
      fresh += 1;
      return governed(small.replace("'C42'", `'C${42 + fresh}'`), 'sam');
    }, 41);
    return {
      name: `access: authorization and governed queries (${rows.toLocaleString('en')} rows)`,
      figures: [
        { label: 'authorization decision p50 (preparsed)', value: median(decisions), unit: 'µs' },
        { label: 'authorization decision p99 (preparsed)', value: p99, unit: 'µs' },
        { label: 'small query, raw DuckDB session', value: rawSmall, unit: 'ms' },
        { label: 'small query, gateway (masks + row filter + audit)', value: gatewaySmall, unit: 'ms' },
        { label: 'small query, added latency', value: gatewaySmall - rawSmall, unit: 'ms' },
        {
          label: 'small query, gateway, new SQL text each time (no cache hit)',
          value: uncachedSmall,
          unit: 'ms',
        },
        {
          label: 'small query, added latency, new SQL text each time',
          value: uncachedSmall - rawSmall,
          unit: 'ms',
        },
        { label: 'full scan, raw DuckDB', value: rawLarge, unit: 'ms' },
        {
          label: 'full scan, gateway as analyst (hash from the mask sidecar, partial, redact, row filter)',
          value: gatewayLarge,
          unit: 'ms',
        },
        {
          label: 'full scan, gateway as analyst, hashes computed per query (no sidecar)',
          value: computedLarge,
          unit: 'ms',
        },
        {
          label: `mask sidecar build (${sidecar.columns.length} columns hashed, once per snapshot)`,
          value: sidecarBuild,
          unit: 'ms',
        },
        {
          label: 'full scan, gateway as administrator (partial phone, redacted notes)',
          value: adminLarge,
          unit: 'ms',
        },
        {
          label: 'full scan, gateway as domain owner (no mask, no filter)',
          value: unmaskedLarge,
          unit: 'ms',
        },
      ],
      ratio: {
        label: 'full scan, gateway (masked + filtered) / raw DuckDB',
        value: gatewayLarge / rawLarge,
        target: '≤ 1.10×',
      },
      notes:
        "Raw DuckDB runs the same SQL on the same snapshot without masks or filters; the analyst reads 1/4 of the rows. Its emails are hashed with HMAC-SHA256: read from the snapshot's mask sidecar, built once after publishing as a run does (ADR 019), or computed per value by the query before the sidecar exists.",
    };
  } finally {
    await engine.close();
    await store.close();
    await audit.close();
    await rm(dir, { recursive: true, force: true });
  }
}

if (import.meta.main) {
  const result = await benchAccess({ rows: Number(process.argv[2] ?? 5_000_000) });
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}
