import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { generateLandingData } from '@quanta/datagen';
import type { GatewayResult } from '@quanta/gateway';
import { localPrincipal } from '@quanta/governance';
import { invalidSpecError, QuantaError } from '@quanta/model';
import { MeshService } from '@quanta/services';
import pc from 'picocolors';
import { databaseUrlOption } from './command-context.ts';
import type { Output } from './output.ts';
import { DEFAULT_PG_PORT, startPgWire } from './pg-backend.ts';
import type { TerminalProgress } from './progress.ts';
import { renderCatalog, renderQueryTable, renderRuns } from './render.ts';

/** What the demo does. */
export interface DemoOptions {
  readonly output: Output;
  readonly progress: TerminalProgress;
  readonly port: number;
  readonly orders: number;
  readonly customers: number;
  readonly isServing: boolean;
  readonly root?: string;
}

/** The example queries the demo shows: the catalog as data, and a cross-domain join. */
export const DEMO_QUERIES = [
  'select domain, count(*) as ports, sum(row_count) as rows, sum(bytes) as bytes from quanta_catalog.ports group by domain order by domain',
  'select c.segment, count(*) as orders, round(sum(o.amount), 2) as revenue from sales.orders.orders o join customers.customer_profile.profiles c using (customer_id) group by c.segment order by revenue desc',
];

/** The example mesh's governance user, who gets the demo's token. */
const DEMO_PRINCIPAL = 'gus@acme.example';

/** Malformed order rows the demo injects, to show quarantine: rows in = published + quarantined. */
const DEMO_BAD_ROWS = { ragged: 2, wrongType: 3, missingRequired: 2 };

/** How often the demo's server evaluates the example's triggers. */
const DEMO_TRIGGER_POLL_MS = 2000;

const EXAMPLE_MESH = path.resolve(import.meta.dirname, '../../../examples/mesh');

/**
 * The example mesh end to end: seeded landing data, validate, apply, run every product in
 * dependency order, show the catalog and two queries, then serve the HTTP API.
 */
export async function runDemo(options: DemoOptions): Promise<void> {
  const root = options.root ?? EXAMPLE_MESH;
  await ensureLandingData(root, options);
  const service = await MeshService.create({
    root,
    progress: options.progress,
    ...databaseUrlOption(),
  });
  try {
    const report = await service.validate();
    if (!report.isValid) throw invalidSpecError(report.findings);
    const applied = await service.apply({ appliedBy: 'demo' });
    const runs = await service.runAll({ trigger: 'demo' });
    options.progress.done();
    const failed = runs.find((run) => run.state !== 'succeeded');
    if (failed)
      throw new QuantaError(
        'QUANTA_WORKFLOW_FAILED',
        `${failed.product} ${failed.state}: ${failed.error?.message ?? ''}`,
      );
    const catalog = await service.catalogList();
    const queries: { sql: string; result: GatewayResult }[] = [];
    for (const sql of DEMO_QUERIES)
      queries.push({ sql, result: await service.query(sql, { principal: localPrincipal() }) });
    options.output.result({ root, applied: applied.result, runs, catalog, queries }, () =>
      [
        pc.bold(`Example mesh at ${root}`),
        renderRuns(runs),
        '',
        renderCatalog(catalog),
        ...queries.flatMap((query) => [
          '',
          pc.cyan(`quanta query "${query.sql}"`),
          renderQueryTable(query.result),
        ]),
      ].join('\n'),
    );
  } finally {
    await service.close();
  }
  if (options.isServing) await serveDemo(root, options);
}

async function serveDemo(root: string, options: DemoOptions): Promise<void> {
  const { serveApi } = await import('@quanta/server');
  const service = await MeshService.create({ root, ...databaseUrlOption() });
  // Triggers run here too (embedded store: in this process): drop a file, watch it flow through.
  const lineageEndpoint = process.env.QUANTA_OPENLINEAGE_URL;
  const server = await serveApi(service, {
    port: options.port,
    triggers: { pollMs: DEMO_TRIGGER_POLL_MS },
    ...(lineageEndpoint ? { lineageEndpoint } : {}),
  });
  const pgWire = await startPgWire(service, {
    host: '127.0.0.1',
    port: Number(process.env.QUANTA_PG_PORT ?? DEFAULT_PG_PORT),
  });
  // A short-lived token for the example mesh's governance user, so the printed commands work as is.
  const demoToken = await service.tokens.create({
    principal: DEMO_PRINCIPAL,
    actor: DEMO_PRINCIPAL,
    name: 'demo',
    expiresInDays: 1,
  });
  const pgAddress = pgWire.url.slice('postgres://'.length);
  options.output.info(
    [
      '',
      pc.bold(`Quanta API on ${server.url}  (Ctrl-C to stop)`),
      `  ${server.url}/openapi.json`,
      `  demo token for ${DEMO_PRINCIPAL} (valid one day): ${demoToken.token}`,
      `  curl -s ${server.url}/api/catalog -H 'authorization: Bearer ${demoToken.token}'`,
      `  curl -s ${server.url}/api/query -H 'authorization: Bearer ${demoToken.token}' -H 'content-type: application/json' -d '{"sql":"select * from marketing.campaign_performance.performance limit 5"}'`,
      `  PGPASSWORD=${demoToken.token} psql "postgres://${encodeURIComponent(DEMO_PRINCIPAL)}@${pgAddress}?sslmode=disable" -c "select segment, count(*) from customers.customer_profile.profiles group by 1"`,
      `  triggers: copy a CSV into ${path.join(root, 'landing/sales/orders')}/ and sales/orders runs within seconds,`,
      '  then customer-profile (within a minute) and segment-revenue follow; `quanta triggers why <product>` says why',
    ].join('\n'),
  );
}

async function ensureLandingData(root: string, options: DemoOptions): Promise<void> {
  const marker = path.join(root, 'landing', '.generated.json');
  const wanted = JSON.stringify({
    seed: 42,
    orders: options.orders,
    customers: options.customers,
    badRows: DEMO_BAD_ROWS,
  });
  if (existsSync(marker) && (await readFile(marker, 'utf8')) === wanted) return;
  options.progress.update('generating seeded landing data');
  await generateLandingData(root, {
    seed: 42,
    orders: options.orders,
    customers: options.customers,
    badRows: DEMO_BAD_ROWS,
    onProgress: (done, total) =>
      options.progress.update(`generating landing data ${Math.round((100 * done) / total)}%`),
  });
  await writeFile(marker, wanted);
}
