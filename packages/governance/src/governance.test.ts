import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { test } from 'node:test';
import { issueToken, isTokenSecret, parseToken } from './api-token.ts';
import { hashMaskMacro, maskExpression } from './column-masks.ts';
import { compileRowFilter } from './row-filter.ts';
import { LOCAL_ADMINISTRATOR, parseUserReferential } from './user-referential.ts';

const principal = { ...LOCAL_ADMINISTRATOR, id: 'sam', country: "F'R", clearance: 2 };

test('a row filter compiles to SQL with the principal attributes as literals', () => {
  assert.deepEqual(
    compileRowFilter(
      "country = principal.country AND (Segment IN ('a', 'b') OR clearance_min <= principal.clearance)",
      {
        principal,
        columns: ['country', 'segment', 'clearance_min'],
      },
    ),
    {
      kind: 'compiled',
      sql: `("country" = 'F''R' AND ( "segment" IN ( 'a' , 'b' ) OR "clearance_min" <= 2 ))`,
    },
  );
});

test('a row filter that reads a function, an unknown column or an empty attribute does not compile', () => {
  const columns = ['country'];
  for (const [expression, reason] of [
    ['lower(country) = principal.country', 'function calls are not allowed (lower)'],
    ['nope = 1', 'unknown column nope'],
    ['country = principal.domain', 'principal sam has no domain'],
    ["country = 'x'; DROP TABLE t", 'unexpected ";'],
  ] as const) {
    const compiled = compileRowFilter(expression, { principal, columns });
    assert.equal(compiled.kind, 'invalid', expression);
    assert.ok(
      compiled.kind === 'invalid' && compiled.reason.startsWith(reason),
      `${expression}: ${JSON.stringify(compiled)}`,
    );
  }
});

test('masks compile to SQL expressions, and the hash macro is HMAC-SHA256', () => {
  assert.equal(maskExpression('null', { name: 'iban', type: 'VARCHAR' }), 'CAST(NULL AS VARCHAR)');
  assert.equal(
    maskExpression('hash', { name: 'e"mail', type: 'VARCHAR' }),
    'quanta_mask_hash(CAST("e""mail" AS VARCHAR))',
  );
  assert.equal(
    maskExpression('redact', { name: 'notes', type: 'VARCHAR' }),
    `CASE WHEN "notes" IS NULL THEN NULL ELSE '[REDACTED]' END`,
  );
  const key = Buffer.alloc(32, 1);
  const macro = hashMaskMacro(key);
  const ipad = Buffer.alloc(64, 0x36).map((byte, index) => byte ^ (key[index] ?? 0));
  assert.ok(macro.body.includes(Buffer.from(ipad).toString('hex')));
  assert.equal(createHmac('sha256', key).update('x').digest('hex').length, 64);
});

test('users.yaml findings point at file:line:col', () => {
  const { referential, findings } = parseUserReferential(
    'users:\n  - id: a\n    clearance: 9\n  - id: b\n    groups: [ghosts]\n',
    'governance/users.yaml',
  );
  assert.deepEqual(
    findings.map((finding) => `${finding.location?.line}:${finding.location?.col} ${finding.message}`),
    ['3:16 clearance must be an integer from 0 to 4', '5:14 unknown group "ghosts"'],
  );
  assert.deepEqual(
    referential.principals.map((entry) => entry.id),
    ['a', 'b', 'local-admin'],
  );
});

test('tokens are prefixed, high-entropy, verified against a salted hash only', () => {
  const issued = issueToken();
  assert.match(issued.token, /^qt_[A-Za-z0-9]{12}_[A-Za-z0-9_-]{43}$/);
  assert.ok(!issued.hash.includes(issued.token.slice(16)));
  const parts = parseToken(issued.token);
  assert.equal(parts?.id, issued.id);
  assert.ok(parts && isTokenSecret(parts.secret, issued));
  assert.ok(
    parts && !isTokenSecret(`${parts.secret.startsWith('A') ? 'B' : 'A'}${parts.secret.slice(1)}`, issued),
  );
  assert.ok(parts && !isTokenSecret(parts.secret, { ...issued, salt: '00' }));
  assert.notEqual(issueToken().token, issued.token);
  for (const text of ['', 'qt_short_x', `Bearer ${issued.token}`, issued.token.replace('qt_', 'qx_')]) {
    assert.equal(parseToken(text), undefined, text);
  }
});
