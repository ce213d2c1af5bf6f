import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { isValidCardNumber, isValidIban, nameHints } from './column-classification.ts';
import type { ColumnClassification } from './data-engine.ts';
import { createEngineFixture, type EngineFixture } from './test-fixtures.ts';

let fixture: EngineFixture;
let classified: ColumnClassification[];

/** 2,000 generated rows: each text column holds one kind of value, a few rows of noise in some. */
const GENERATED = `
  SELECT
    'C' || lpad(i::VARCHAR, 7, '0') AS customer_id,
    'user' || i || '@example.org' AS contact,
    CASE WHEN i % 10 = 0 THEN 'unknown' ELSE '+3361234' || lpad(i::VARCHAR, 4, '0') END AS phone,
    CASE i % 3 WHEN 0 THEN 'DE89370400440532013000' WHEN 1 THEN 'FR1420041010050500013M02606'
      ELSE 'GB82 WEST 1234 5698 7654 32' END AS bank_account,
    CASE i % 2 WHEN 0 THEN '4111111111111111' ELSE '5500-0000-0000-0004' END AS card,
    CASE WHEN i % 2 = 0 THEN '10.0.' || (i % 250) || '.' || (i % 200) ELSE '2001:db8::' || (i % 999) END AS client_ip,
    'Campaign ' || i AS name,
    DATE '1980-01-01' + (i % 9000)::INTEGER AS birth_date,
    i * 1.5 AS amount,
    CASE WHEN i < 10 THEN NULL ELSE '4111111111111112' END AS not_a_card
  FROM range(2000) AS t(i)`;

before(async () => {
  fixture = await createEngineFixture();
  const staged = await fixture.engine.transform({
    sql: GENERATED,
    inputs: {},
    target: { domain: 'd', runId: 'r', name: 'classify' },
  });
  classified = await fixture.engine.classifyColumns(staged, { sampleSize: 1000 });
});
after(() => fixture.dispose());

function kindsOf(column: string): string[] {
  const found = classified.find((candidate) => candidate.column === column);
  assert.ok(found, column);
  return found.detections.map((detection) =>
    detection.evidence === 'values'
      ? `${detection.kind} ${Math.round(detection.ratio * 100)}%`
      : `${detection.kind} (name)`,
  );
}

test('samples at most sampleSize non-null values of each text column, none of other columns', () => {
  assert.deepEqual(
    classified.map((column) => [column.column, column.sampled]),
    [
      ['customer_id', 1000],
      ['contact', 1000],
      ['phone', 1000],
      ['bank_account', 1000],
      ['card', 1000],
      ['client_ip', 1000],
      ['name', 1000],
      ['birth_date', 0],
      ['amount', 0],
      ['not_a_card', 1000],
    ],
  );
});

test('detects each kind in values, validated by checksum where there is one', () => {
  assert.deepEqual(kindsOf('customer_id'), []);
  assert.deepEqual(kindsOf('contact'), ['email 100%']);
  assert.equal(kindsOf('phone')[0], 'phone 90%');
  assert.deepEqual(kindsOf('bank_account'), ['iban 100%']);
  assert.deepEqual(kindsOf('card'), ['payment-card 100%']);
  assert.deepEqual(kindsOf('client_ip'), ['ip-address 100%']);
  assert.deepEqual(kindsOf('not_a_card'), [], 'a Luhn failure is not a card');
});

test('name hints flag what values cannot tell, and not every column called name', () => {
  assert.deepEqual(kindsOf('birth_date'), ['birth-date (name)']);
  assert.deepEqual(kindsOf('name'), []);
  assert.deepEqual(nameHints('firstName'), ['person-name']);
  assert.deepEqual(nameHints('last_name'), ['person-name']);
  assert.deepEqual(nameHints('street'), ['street-address']);
  assert.deepEqual(nameHints('address_line_1'), ['street-address']);
  assert.deepEqual(nameHints('date_of_birth'), ['birth-date']);
  assert.deepEqual(nameHints('campaign_name'), []);
  assert.deepEqual(nameHints('city'), []);
});

test('the sample is deterministic', async () => {
  const staged = await fixture.engine.transform({
    sql: 'SELECT * FROM range(50000) AS t(i)',
    inputs: {},
    target: { domain: 'd', runId: 'r', name: 'same' },
  });
  assert.equal((await fixture.engine.classifyColumns(staged)).length, 1);
  const again = await fixture.engine.classifyColumns(
    {
      path: (
        await fixture.engine.transform({
          sql: GENERATED,
          inputs: {},
          target: { domain: 'd', runId: 'r', name: 'again' },
        })
      ).path,
    },
    { sampleSize: 1000 },
  );
  assert.deepEqual(again, classified);
});

test('checksums: IBAN mod-97 and Luhn', () => {
  assert.equal(isValidIban('DE89 3704 0044 0532 0130 00'), true);
  assert.equal(isValidIban('DE88370400440532013000'), false);
  assert.equal(isValidCardNumber('4111 1111 1111 1111'), true);
  assert.equal(isValidCardNumber('4111111111111112'), false);
});

test('the sample is spread over the whole table, the same on every run, without reading it all in order', async () => {
  // Emails only in the second half: a sample of the first rows would find none.
  const staged = await fixture.engine.transform({
    sql: `SELECT CASE WHEN i < 100000 THEN 'n/a' ELSE 'user' || i || '@example.org' END AS contact FROM range(200000) AS t(i)`,
    inputs: {},
    target: { domain: 'd', runId: 'r', name: 'spread' },
  });
  const [first] = await fixture.engine.classifyColumns(staged, { sampleSize: 2000 });
  const [again] = await fixture.engine.classifyColumns(staged, { sampleSize: 2000 });
  assert.equal(first?.sampled, 2000);
  const email = first?.detections.find((detection) => detection.kind === 'email');
  const ratio = email?.evidence === 'values' ? email.ratio : 0;
  assert.ok(ratio > 0.4 && ratio < 0.6, `about half the sampled values are emails, not ${ratio}`);
  assert.deepEqual(again, first, 'the same sample every time');
});
