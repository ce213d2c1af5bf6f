import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseUserReferential } from './user-referential.ts';
import { applyUsersImport, diffUsersImport, isEmptyImport, parseHrExport } from './users-import.ts';

const USERS = `apiVersion: quanta/v1
kind: Users
# People come from the HR export (quanta users import).
users:
  - id: ada@acme.example
    name: Ada
    domain: customers
    country: FR
    role: owner
    clearance: 3
  - id: bob@acme.example # keeps this comment
    name: Bob
    domain: sales
    country: FR
    role: analyst
    clearance: 1
services:
  - id: svc-bi
    domain: marketing
`;

const EXPORT = `email,Name,Department,Country,Role,Clearance,Employment Status
ada@acme.example,Ada,customers,fr,owner,3,active
"cy@acme.example","Cy, the ""new"" one",marketing,DE,analyst,2,
`;

test('an HR export diffs against users.yaml: added, changed attributes, left', () => {
  const people = parseHrExport(EXPORT, 'csv');
  assert.deepEqual(people[1], {
    id: 'cy@acme.example',
    name: 'Cy, the "new" one',
    domain: 'marketing',
    country: 'DE',
    role: 'analyst',
    clearance: 2,
    status: 'active',
  });
  const { referential } = parseUserReferential(USERS, 'governance/users.yaml');
  const diff = diffUsersImport(referential, people);
  assert.deepEqual(diff, { added: [people[1]], changed: [], left: ['bob@acme.example'] });
  const promoted = parseHrExport(
    JSON.stringify([
      {
        id: 'ada@acme.example',
        name: 'Ada',
        department: 'customers',
        country: 'FR',
        role: 'admin',
        clearance: 4,
      },
    ]),
    'json',
  );
  assert.deepEqual(diffUsersImport(referential, promoted).changed, [
    {
      id: 'ada@acme.example',
      changes: [
        { attribute: 'role', from: 'owner', to: 'admin' },
        { attribute: 'clearance', from: 3, to: 4 },
      ],
    },
  ]);
});

test('writing an import keeps comments, and re-importing shows no change', () => {
  const people = parseHrExport(EXPORT, 'csv');
  const { referential } = parseUserReferential(USERS, 'governance/users.yaml');
  const written = applyUsersImport(USERS, diffUsersImport(referential, people));
  assert.ok(written.includes('# People come from the HR export'));
  assert.ok(written.includes('# keeps this comment'));
  const reread = parseUserReferential(written, 'governance/users.yaml');
  assert.deepEqual(reread.findings, []);
  assert.equal(
    reread.referential.principals.find((principal) => principal.id === 'bob@acme.example')?.status,
    'left',
  );
  assert.equal(
    reread.referential.principals.find((principal) => principal.id === 'svc-bi')?.status,
    'active',
  );
  assert.ok(isEmptyImport(diffUsersImport(reread.referential, people)));
});

test('a row without id, with a bad clearance or status names its record', () => {
  for (const [csv, message] of [
    ['id,name\n,x\n', /record 1 of the export has no id/],
    ['id,clearance\na,9\n', /record 1 .* clearance '9'/],
    ['id,status\na,ok\nb,fired\n', /record 1 .* status 'ok'/],
  ] as const) {
    assert.throws(() => parseHrExport(csv, 'csv'), message);
  }
});
