import assert from 'node:assert/strict';
import { test } from 'node:test';
import { QuantaError } from '@quanta/model';
import { formatContract } from './format-contract.ts';

test('orders known keys canonically, keeps unknown keys after them, quotes date-like strings', () => {
  const text = `schema:
  - properties:
      - tags: [a, b]
        name: id
        x-vendor: kept
    name: orders
version: 1.0.0
zeta: unknown first
id: sales.orders.orders
alpha: unknown second
apiVersion: v3.1.0
kind: DataContract
contractCreatedTs: 2024-01-02
`;
  assert.equal(
    formatContract(text),
    `apiVersion: v3.1.0
kind: DataContract
id: sales.orders.orders
version: 1.0.0
schema:
  - name: orders
    properties:
      - name: id
        tags:
          - a
          - b
        x-vendor: kept
contractCreatedTs: "2024-01-02"
zeta: unknown first
alpha: unknown second
`,
  );
});

test('malformed YAML throws QUANTA_YAML_MALFORMED with the position', () => {
  assert.throws(
    () => formatContract('id: [unclosed\n'),
    (error: unknown) =>
      error instanceof QuantaError &&
      error.code === 'QUANTA_YAML_MALFORMED' &&
      error.details.location?.line === 2,
  );
});
