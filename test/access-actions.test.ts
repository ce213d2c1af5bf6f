import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { toQuantaError } from '@quanta/model';
import { MeshService } from '@quanta/services';
import { copyExampleMesh, type ExampleMeshCopy } from './support/example-mesh.ts';
import { runCli } from './support/run-cli.ts';

const PROFILES = 'quanta://customers/customer-profile/profiles';
const ORDERS = 'quanta://sales/orders/orders';

/** A global forbid of `request-access`: Mia may not even ask for the customers' ports. */
const FORBID_MIA = `@id("mia-asks-nothing-of-customers")
forbid (principal == User::"mia@acme.example", action == Action::"request-access", resource in Domain::"customers");
`;

describe('the Cedar action request-access', () => {
  let mesh: ExampleMeshCopy;
  let service: MeshService;

  before(async () => {
    mesh = await copyExampleMesh({ orders: 50, customers: 20 });
    await writeFile(path.join(mesh.root, 'governance/policies/requests.cedar'), FORBID_MIA);
    service = await MeshService.create({ root: mesh.root });
    const validation = await service.validate();
    assert.ok(validation.isValid, JSON.stringify(validation.findings));
    await service.apply({ appliedBy: 'test' });
  });

  after(async () => {
    await service?.close();
    await mesh?.remove();
  });

  test('by default any active principal may ask, and the allow names the built-in permit', async () => {
    const request = await service.requests.request({
      principal: 'sam@acme.example',
      address: PROFILES,
      purpose: 'churn study',
      durationDays: 30,
    });
    assert.equal(request.state, 'pending');
    const [event] = await service.audit.listAuditEvents({ principal: 'sam@acme.example' });
    assert.deepEqual(
      [event?.action, event?.decision, event?.policies],
      ['request-access', 'allow', ['quanta-anyone-requests-access']],
    );
  });

  test('a principal a policy forbids to request-access a port is denied, audited as a deny, and nothing is filed', async () => {
    const error = await service.requests
      .request({
        principal: 'mia@acme.example',
        address: PROFILES,
        purpose: 'campaign targeting',
        durationDays: 7,
      })
      .then(
        () => undefined,
        (thrown: unknown) => toQuantaError(thrown),
      );
    assert.equal(error?.code, 'QUANTA_POLICY_DENIED');
    assert.match(
      error?.message ?? '',
      /mia@acme\.example may not request access to .*mia-asks-nothing-of-customers/,
    );
    const [event] = await service.audit.listAuditEvents({ principal: 'mia@acme.example' });
    assert.deepEqual(
      [event?.action, event?.decision, event?.policies, event?.ports, event?.reason],
      ['request-access', 'deny', ['mia-asks-nothing-of-customers'], [PROFILES], 'forbidden by policy'],
    );
    const filed = await service.requests.list({ address: PROFILES });
    assert.deepEqual(
      filed.map((request) => request.principal),
      ['sam@acme.example'],
    );
  });

  test('the forbid covers only the ports it names: the same principal still asks for another domain', async () => {
    const request = await service.requests.request({
      principal: 'mia@acme.example',
      address: ORDERS,
      purpose: 'attribution',
      durationDays: 7,
    });
    assert.equal(request.port, ORDERS);
  });

  test('quanta access request exits with the policy-denied code for a forbidden principal', async () => {
    const denied = await runCli(['access', 'request', PROFILES, '--purpose', 'x'], {
      cwd: mesh.root,
      env: { QUANTA_PRINCIPAL: 'mia@acme.example' },
    });
    assert.equal(denied.code, 6, denied.stderr);
    assert.match(denied.stderr, /QUANTA_POLICY_DENIED/);
  });
});
