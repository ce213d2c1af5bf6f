import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatAddress, parseAddress, portSqlName } from './address.ts';
import { QuantaError } from './errors.ts';

test('parses and formats a full port address', () => {
  const address = parseAddress('quanta://customers/customer-profile/profiles@3#email');
  assert.deepEqual(address, {
    domain: 'customers',
    product: 'customer-profile',
    port: 'profiles',
    version: 3,
    column: 'email',
  });
  assert.equal(formatAddress(address), 'quanta://customers/customer-profile/profiles@3#email');
});

test('parses domain and product addresses', () => {
  assert.deepEqual(parseAddress('quanta://sales'), { domain: 'sales' });
  assert.deepEqual(parseAddress('quanta://sales/orders'), { domain: 'sales', product: 'orders' });
});

test('rejects malformed addresses with the expected form', () => {
  assert.throws(
    () => parseAddress('http://sales/orders'),
    (error: unknown) => error instanceof QuantaError && error.code === 'QUANTA_ADDRESS_INVALID',
  );
  assert.throws(() => parseAddress('quanta://Sales'), QuantaError);
});

test('port SQL names turn kebab-case into snake_case', () => {
  assert.equal(
    portSqlName('customers', 'customer-profile', 'profiles'),
    'customers.customer_profile.profiles',
  );
});
