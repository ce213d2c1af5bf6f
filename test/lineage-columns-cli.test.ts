import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { MeshService } from '@quanta/services';
import { copyExampleMesh, type ExampleMeshCopy } from './support/example-mesh.ts';
import { jsonOf, runCli } from './support/run-cli.ts';

let mesh: ExampleMeshCopy;

before(async () => {
  mesh = await copyExampleMesh({ orders: 300, customers: 60 });
  const service = await MeshService.create({ root: mesh.root, progress: { update() {} } });
  try {
    await service.apply();
    for (const run of await service.runAll()) assert.equal(run.state, 'succeeded');
  } finally {
    await service.close();
  }
});

after(() => mesh.remove());

test('quanta lineage --columns: what each column of a port derives from', async () => {
  const address = 'quanta://sales/segment-revenue/revenue';
  const json = await runCli(['--json', 'lineage', '--columns', address], { cwd: mesh.root });
  assert.equal(json.code, 0, json.stderr);
  type Input = { name: string; field: string; transformations: { type: string; subtype: string }[] };
  const facet = jsonOf<{ fields: Record<string, { inputFields: Input[] }>; dataset?: Input[] }>(json);
  const from = (column: string) =>
    (facet.fields[column]?.inputFields ?? []).map(
      (input) => `${input.field} ${input.transformations.map((how) => how.subtype).join('+')}`,
    );
  assert.deepEqual(from('segment'), ['segment IDENTITY']);
  assert.deepEqual(from('revenue'), ['amount AGGREGATION']);
  assert.ok(
    (facet.dataset ?? []).some(
      (input) => input.field === 'status' && input.transformations[0]?.subtype === 'FILTER',
    ),
    'the status filter shapes every row',
  );

  const text = await runCli(['lineage', '--columns', address], { cwd: mesh.root, env: { NO_COLOR: '1' } });
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /^segment ◀── .*segment \(IDENTITY\)$/m);
  assert.match(text.stdout, /^rows shaped by .*status \(FILTER\)/m);

  const usage = await runCli(['lineage', '--columns', 'quanta://sales/segment-revenue'], { cwd: mesh.root });
  assert.equal(usage.code, 64, 'a product address is a usage error');
  const ingest = await runCli(['lineage', '--columns', 'quanta://sales/orders/orders'], { cwd: mesh.root });
  assert.match(ingest.stdout, /not built by a quanta\.sql transform/);
});
