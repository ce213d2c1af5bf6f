import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { LOCAL_ADMINISTRATOR } from '@quanta/governance';
import { isJsonObject } from '@quanta/model';
import { MeshService } from '@quanta/services';
import { describePostgres } from '@quanta/store/test-support';
import { copyExampleMesh, type ExampleMeshCopy } from './support/example-mesh.ts';

/** The CLI's default principal: the built-in local administrator. */
const ADMIN = { principal: LOCAL_ADMINISTRATOR.id };

describe('the example mesh end to end (embedded store)', () => {
  registerEndToEnd(() => undefined);
});

describePostgres('the example mesh end to end (PostgreSQL store)', (server) => {
  registerEndToEnd(() => server.createSchemaUrl());
});

/** The same behaviour on every metadata store: `databaseUrl` picks it (none: embedded). */
function registerEndToEnd(databaseUrl: () => string | undefined): void {
  let mesh: ExampleMeshCopy;
  let service: MeshService;

  before(async () => {
    mesh = await copyExampleMesh({
      orders: 3_000,
      customers: 400,
      badRows: { ragged: 3, wrongType: 4, missingRequired: 5 },
    });
    const url = databaseUrl();
    service = await MeshService.create({ root: mesh.root, ...(url ? { databaseUrl: url } : {}) });
  });

  after(async () => {
    await service?.close();
    await mesh?.remove();
  });

  test('validates without findings', async () => {
    const report = await service.validate();
    assert.deepEqual(
      report.findings.filter((finding) => finding.severity === 'error'),
      [],
    );
    assert.equal(report.isValid, true);
    assert.equal(report.mesh?.products.length, 6);
  });

  test('plans every domain, product and port as a creation, then applies idempotently', async () => {
    const plan = await service.plan();
    const created = plan.items.filter((item) => item.action === 'create');
    assert.equal(created.filter((item) => item.kind === 'domain').length, 3);
    assert.equal(created.filter((item) => item.kind === 'product').length, 6);
    assert.equal(created.filter((item) => item.kind === 'port').length, 6);
    const first = await service.apply({ appliedBy: 'test' });
    assert.equal(first.result.created, 15);
    const second = await service.apply({ appliedBy: 'test' });
    assert.deepEqual(
      { created: second.result.created, updated: second.result.updated, removed: second.result.removed },
      { created: 0, updated: 0, removed: 0 },
    );
    assert.equal(second.result.unchanged, 15);
  });

  test('runs the six products in dependency order', async () => {
    const runs = await service.runAll({ trigger: 'test' });
    assert.deepEqual(
      runs.map((run) => [run.product, run.state]),
      [
        ['quanta://customers/crm-customers', 'succeeded'],
        ['quanta://marketing/campaigns', 'succeeded'],
        ['quanta://sales/orders', 'succeeded'],
        ['quanta://customers/customer-profile', 'succeeded'],
        ['quanta://marketing/campaign-performance', 'succeeded'],
        ['quanta://sales/segment-revenue', 'succeeded'],
      ],
    );
    const journal = await service.store.listStepEvents(runs[0]?.id ?? '');
    assert.deepEqual(
      journal.map((event) => `${event.step}:${event.kind}`),
      [
        'pipeline:started',
        'ingest:started',
        'ingest:succeeded',
        'check:started',
        'check:succeeded',
        'classify:started',
        'classify:succeeded',
        'profile:started',
        'profile:succeeded',
        'publish:started',
        'publish:succeeded',
        'done:started',
        'done:succeeded',
        'pipeline:succeeded',
        'done:started',
        'done:succeeded',
      ],
    );
    // The CRM's personal data is found and matches what its contract declares.
    const classified = journal.find((event) => event.step === 'classify' && event.kind === 'succeeded')?.data;
    assert.ok(isJsonObject(classified));
    assert.deepEqual(classified.findings, []);
    const columns = Array.isArray(classified.columns) ? classified.columns.filter(isJsonObject) : [];
    const kinds = columns.map((column) => {
      const detected = Array.isArray(column.detected) ? column.detected.filter(isJsonObject) : [];
      return `${String(column.name)}: ${detected.map((detection) => String(detection.kind)).join(', ')}`;
    });
    assert.deepEqual(kinds, [
      'first_name: person-name',
      'last_name: person-name',
      'email: email',
      'phone: phone',
      'iban: iban',
      'street: street-address',
      'birth_date: birth-date',
    ]);
    // A quanta.sql product's COMPLETE event says which input columns each output column comes from.
    const events = await service.runs.lineage(runs[5]?.id ?? '');
    const complete = events.find((event) => event.eventType === 'COMPLETE')?.event;
    const [output] = Array.isArray(complete?.outputs) ? complete.outputs.filter(isJsonObject) : [];
    const facets = isJsonObject(output?.facets) ? output.facets : {};
    const columnLineage = isJsonObject(facets.columnLineage) ? facets.columnLineage : {};
    assert.ok(isJsonObject(columnLineage.fields) && Object.keys(columnLineage.fields).length > 0);
  });

  test('quarantines bad order rows with a reason and loses none', async () => {
    const snapshot = await service.store.getCurrentSnapshot('quanta://sales/orders/orders');
    assert.ok(snapshot);
    assert.equal(snapshot.quarantinedRows, 12);
    assert.equal(snapshot.rowCount + snapshot.quarantinedRows, mesh.landing.orders.rows);
    assert.equal(snapshot.rowCount, 3_000);
  });

  test('answers a cross-domain join through the gateway', async () => {
    const result = await service.query(
      'select c.segment, count(*) as orders from sales.orders.orders o join customers.customer_profile.profiles c using (customer_id) group by c.segment order by c.segment',
      ADMIN,
    );
    assert.deepEqual(
      result.columns.map((column) => column.name),
      ['segment', 'orders'],
    );
    assert.deepEqual(
      result.rows.map((row) => row[0]),
      ['consumer', 'enterprise', 'smb'],
    );
    const total = result.rows.reduce((sum, row) => sum + Number(row[1]), 0);
    assert.equal(total, 3_000);
    assert.deepEqual(result.reads.map((read) => read.address).sort(), [
      'quanta://customers/customer-profile/profiles',
      'quanta://sales/orders/orders',
    ]);
  });

  test('reconciles a derived product with its inputs', async () => {
    const direct = await service.query(
      "select cast(sum(amount) as double) from sales.orders.orders where status not in ('cancelled', 'returned')",
      ADMIN,
    );
    const derived = await service.query(
      'select cast(sum(revenue) as double) from sales.segment_revenue.revenue',
      ADMIN,
    );
    assert.equal(
      Math.round(Number(derived.rows[0]?.[0]) * 100),
      Math.round(Number(direct.rows[0]?.[0]) * 100),
    );
  });

  test('answers inventory questions about the catalog in one query', async () => {
    const result = await service.query(
      'select domain, count(*) as ports, sum(row_count) as rows from quanta_catalog.ports group by domain order by domain',
      ADMIN,
    );
    assert.deepEqual(
      result.rows.map((row) => [row[0], Number(row[1])]),
      [
        ['customers', 2],
        ['marketing', 2],
        ['sales', 2],
      ],
    );
    const columns = await service.query(
      "select count(*) from quanta_catalog.columns where classification = 'restricted'",
      ADMIN,
    );
    assert.ok(Number(columns.rows[0]?.[0]) >= 10);
  });

  test('publishes a new immutable version on rerun and keeps the earlier one readable', async () => {
    const rerun = await service.run('sales/orders', { trigger: 'test' });
    assert.equal(rerun.state, 'succeeded');
    const history = await service.store.listSnapshots('quanta://sales/orders/orders');
    assert.deepEqual(
      history.map((snapshot) => snapshot.version),
      [2, 1],
    );
    const first = await service.query('select count(*) from sales.orders."orders@1"', ADMIN);
    const current = await service.query('select count(*) from sales.orders.orders', ADMIN);
    assert.equal(Number(first.rows[0]?.[0]), 3_000);
    assert.equal(Number(current.rows[0]?.[0]), 3_000);
    assert.deepEqual(first.reads, [{ address: 'quanta://sales/orders/orders', version: 1 }]);
    const byAddress = await service.query('select count(*) from "quanta://sales/orders/orders@1"', ADMIN);
    assert.deepEqual(byAddress.reads, first.reads);
  });

  test('describes a port with its snapshot, history and consumers', async () => {
    const description = await service.catalogShow('quanta://sales/orders/orders');
    assert.equal(description.kind, 'port');
    if (description.kind !== 'port') return;
    assert.equal(description.snapshot?.version, 2);
    assert.deepEqual([...description.consumers].sort(), [
      'quanta://customers/customer-profile',
      'quanta://marketing/campaign-performance',
      'quanta://sales/segment-revenue',
    ]);
    const downstream = await service.catalogShow('quanta://marketing/campaign-performance/performance');
    assert.equal(downstream.kind, 'port');
    if (downstream.kind !== 'port') return;
    assert.deepEqual(downstream.snapshot?.inputVersions.map((input) => input.port).sort(), [
      'quanta://customers/customer-profile/profiles',
      'quanta://marketing/campaigns/campaigns',
      'quanta://sales/orders/orders',
    ]);
  });

  test('refuses anything but one SELECT, and table functions', async () => {
    await assert.rejects(service.query('delete from sales.orders.orders', ADMIN), {
      code: 'QUANTA_SQL_FORBIDDEN',
    });
    await assert.rejects(service.query("select * from read_csv('/etc/passwd')", ADMIN), {
      code: 'QUANTA_SQL_FORBIDDEN',
    });
    await assert.rejects(service.query('select 1; select 2', ADMIN), { code: 'QUANTA_SQL_FORBIDDEN' });
    await assert.rejects(service.query('select * from sales.orders.nope', ADMIN), {
      code: 'QUANTA_NOT_FOUND',
    });
    await assert.rejects(service.query('select * from', ADMIN), { code: 'QUANTA_SQL_INVALID' });
  });
}
