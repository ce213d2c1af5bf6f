import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { LOCAL_ADMINISTRATOR } from '@quanta/governance';
import type { RunRecord } from '@quanta/model';
import { MeshService } from '@quanta/services';
import { copyExampleMesh, type ExampleMeshCopy } from './support/example-mesh.ts';

const ADMIN = { principal: LOCAL_ADMINISTRATOR.id };
const ORDERS = 'quanta://sales/orders/orders';
/** The whole port in one row: its row count and an order-independent checksum of every row. */
const READ = `
  select count(*) as row_count,
         bit_xor(hash(order_id, customer_id, amount, status, order_date)) as checksum
  from sales.orders.orders`;

let mesh: ExampleMeshCopy;
let service: MeshService;
const alerts: string[] = [];

before(async () => {
  mesh = await copyExampleMesh({ orders: 2_000, customers: 300 });
  service = await MeshService.create({ root: mesh.root, env: {}, alertLog: (line) => alerts.push(line) });
  await service.apply({ appliedBy: 'test' });
  const runs = await service.runAll({ trigger: 'test' });
  assert.ok(runs.every((run) => run.state === 'succeeded'));
});

after(async () => {
  await service?.close();
  await mesh?.remove();
});

async function readOrders(): Promise<{ rowCount: number; checksum: string }> {
  const result = await service.query(READ, ADMIN);
  const [row] = result.rows;
  assert.ok(row);
  return { rowCount: Number(row[0]), checksum: String(row[1]) };
}

test('a blocked publish leaves the previous snapshot fully readable under concurrent reads', async () => {
  const previous = await service.store.getCurrentSnapshot(ORDERS);
  assert.ok(previous);
  const expected = await readOrders();
  assert.equal(expected.rowCount, previous.rowCount);
  // A late file repeating orders already delivered: duplicate order ids fail an error clause.
  const landing = path.join(mesh.root, 'landing', 'sales', 'orders');
  const first = mesh.landing.orders.files[0];
  assert.ok(first);
  const lines = (await readFile(first.path, 'utf8')).split('\n');
  await writeFile(path.join(landing, 'orders-late.csv'), `${lines.slice(0, 21).join('\n')}\n`);

  let run: RunRecord | undefined;
  const running = service.run('sales/orders', { trigger: 'test' }).then((ended) => {
    run = ended;
  });
  const reads: { rowCount: number; checksum: string }[] = [];
  const failures: unknown[] = [];
  const readLoop = async () => {
    // Keep reading while the run works, and at least a few times whatever its speed.
    while (run === undefined || reads.length < 8) {
      try {
        reads.push(await readOrders());
      } catch (error) {
        failures.push(error);
      }
    }
  };
  await Promise.all([running, readLoop(), readLoop()]);

  assert.equal(run?.state, 'blocked');
  assert.match(run?.error?.message ?? '', /duplicateValues|order_id/);
  assert.deepEqual(failures, []);
  assert.ok(reads.length >= 8);
  for (const read of reads) assert.deepEqual(read, expected);
  assert.deepEqual(await service.store.getCurrentSnapshot(ORDERS), previous);
  assert.deepEqual(await readOrders(), expected);

  const [incident] = await service.incidents.listIncidents({ port: ORDERS, state: 'open' });
  assert.ok(incident, 'the blocked run opens an incident for the port');
  assert.equal(incident.severity, 'critical');
  assert.ok(
    incident.findings.some(
      (found) => found.runId === run?.id && /publication blocked: .*order_id/.test(found.message),
    ),
    JSON.stringify(incident.findings),
  );
  assert.ok(alerts.some((line) => line.includes(incident.id) && line.includes('opened')));
});
