import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** Writes files (paths relative to a fresh temporary folder, `/`-separated) and returns the folder. */
export async function writeMesh(files: Record<string, string>): Promise<string> {
  const root = await mkdtemp(path.join(tmpdir(), 'quanta-spec-'));
  await Promise.all(
    Object.entries(files).map(async ([relative, text]) => {
      const file = path.join(root, relative);
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, text);
    }),
  );
  return root;
}

/** quanta.yaml with the full metadata template, the completeness gate and a PII rule. */
export const MESH_YAML = `apiVersion: quanta/v1
kind: Mesh
name: acme
heritage:
  requiredMetadata: [owner, description, purpose, classification, quality, retention]
  requiredQualityGates: [completeness]
  maxRetentionDays: 3650
  piiClassification: restricted
`;

/** A domain.yaml. */
export function domainYaml(name: string): string {
  return `apiVersion: quanta/v1
kind: Domain
name: ${name}
owner: owner@example.com
description: The ${name} domain.
`;
}

/** What a product reads and publishes. */
export interface ProductShape {
  readonly domain: string;
  readonly name: string;
  readonly port: string;
  readonly inputs?: readonly string[];
  readonly version?: string;
}

/** A product.odps.yaml with one output port (contract `<domain>.<name>.<port>`) and inputs. */
export function productYaml(shape: ProductShape): string {
  const inputs = (shape.inputs ?? [])
    .map((contractId, index) => `  - name: in${index}\n    version: 1.0.0\n    contractId: ${contractId}\n`)
    .join('');
  return `apiVersion: v1.0.0
kind: DataProduct
id: ${shape.domain}.${shape.name}
name: ${shape.name}
domain: ${shape.domain}
status: active
version: 1.0.0
description:
  purpose: Test product.
team:
  members:
    - username: owner@example.com
      role: owner
${inputs ? `inputPorts:\n${inputs}` : ''}outputPorts:
  - name: ${shape.port}
    version: 1.0.0
    contractId: ${shape.domain}.${shape.name}.${shape.port}
`;
}

/** A complete, valid contract for a port, with `id` and `email` columns. */
export function contractYaml(shape: ProductShape): string {
  return `apiVersion: v3.1.0
kind: DataContract
id: ${shape.domain}.${shape.name}.${shape.port}
version: ${shape.version ?? '1.0.0'}
status: active
description:
  purpose: Test contract.
team:
  members:
    - username: owner@example.com
      role: owner
schema:
  - name: ${shape.port}
    quality:
      - metric: rowCount
        mustBeGreaterThan: 0
        dimension: completeness
    properties:
      - name: id
        logicalType: integer
        physicalType: bigint
        required: true
        classification: internal
      - name: email
        logicalType: string
        physicalType: varchar
        classification: restricted
        tags: [pii]
slaProperties:
  - property: retention
    value: 1
    unit: y
`;
}

/** The files of one product under `domains/<d>/products/<p>/`, with a workflow. */
export function productFiles(shape: ProductShape): Record<string, string> {
  const dir = `domains/${shape.domain}/products/${shape.name}`;
  return {
    [`${dir}/product.odps.yaml`]: productYaml(shape),
    [`${dir}/${shape.port}.odcs.yaml`]: contractYaml(shape),
    [`${dir}/workflow.yaml`]: `main:\n  steps:\n    - publish:\n        call: quanta.publish\n        args:\n          port: ${shape.port}\n`,
  };
}

/** A valid two-domain mesh: sales/orders feeds customers/customer-profile across domains. */
export function twoDomainMesh(): Record<string, string> {
  return {
    'quanta.yaml': MESH_YAML,
    'domains/sales/domain.yaml': domainYaml('sales'),
    'domains/customers/domain.yaml': domainYaml('customers'),
    ...productFiles({ domain: 'sales', name: 'orders', port: 'orders' }),
    ...productFiles({
      domain: 'customers',
      name: 'customer-profile',
      port: 'profiles',
      inputs: ['sales.orders.orders'],
    }),
  };
}
