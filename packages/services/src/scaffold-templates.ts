/** Files `quanta init` writes: a minimal mesh with global heritage and a domain template. */
export function meshFiles(name: string): Record<string, string> {
  return {
    'quanta.yaml': `apiVersion: quanta/v1
kind: Mesh
name: ${name}
description: The ${name} data mesh.
heritage:
  requiredMetadata: [owner, description, purpose, classification, quality, retention]
  requiredQualityGates: [completeness]
  maxRetentionDays: 3650
  piiClassification: restricted
  retentionClass: standard
`,
    'governance/policies/guardrails.cedar': `// Global guardrails: domains cannot override a forbid.
forbid (principal, action, resource)
when { resource has classification && resource.classification == "restricted" && principal.clearance < 3 };
`,
    'governance/templates/domain/domain.yaml': `apiVersion: quanta/v1
kind: Domain
name: '{{domain}}'
owner: '{{owner}}'
team: '{{domain}}-team'
description: The {{domain}} domain.
subdomains: []
# The security heritage every new domain starts from: it may tighten these, never weaken them.
heritage:
  requiredMetadata: [owner, description, purpose, classification, quality, retention]
  requiredQualityGates: [completeness]
  retentionClass: standard
`,
    'governance/templates/domain/policies/default.cedar': `// Members of the owning domain read its products.
permit (principal, action, resource)
when { principal has domain && resource has domain && principal.domain == resource.domain };
`,
    'governance/users.yaml': `apiVersion: quanta/v1
kind: Users
users: []
`,
    '.gitignore': '.quanta/\nlanding/\n',
  };
}

/** The default output port of a new product: its last name part, pluralised (customer-profile: profiles). */
export function defaultPortName(product: string): string {
  const last = product.split('-').at(-1) ?? product;
  return last.endsWith('s') ? last : `${last}s`;
}

/** Files `quanta product create` writes for a source-aligned product ingesting CSV. */
export function productFiles(options: {
  domain: string;
  product: string;
  port: string;
  owner: string;
}): Record<string, string> {
  const { domain, product, port, owner } = options;
  const contractId = `${domain}.${product}.${port}`;
  return {
    'product.odps.yaml': `apiVersion: v1.0.0
kind: DataProduct
id: ${domain}.${product}
name: ${product}
domain: ${domain}
status: draft
version: 0.1.0
description:
  purpose: Describe why ${product} exists and who it serves.
  limitations: None known yet.
  usage: Query ${domain}.${product.replaceAll('-', '_')}.${port}.
team:
  name: ${domain}-team
  members:
    - username: ${owner}
      role: owner
outputPorts:
  - name: ${port}
    version: 0.1.0
    contractId: ${contractId}
`,
    [`${port}.odcs.yaml`]: `apiVersion: v3.1.0
kind: DataContract
id: ${contractId}
name: ${product} ${port}
version: 0.1.0
status: draft
domain: ${domain}
dataProduct: ${product}
description:
  purpose: Describe what one row of ${port} means.
  usage: Read it with quanta query.
team:
  name: ${domain}-team
  members:
    - username: ${owner}
      role: owner
schema:
  - name: ${port}
    physicalType: table
    description: One row per ${port.replace(/s$/, '')}.
    quality:
      - metric: rowCount
        mustBeGreaterThan: 0
        dimension: completeness
        severity: error
    properties:
      - name: id
        logicalType: string
        physicalType: varchar
        required: true
        unique: true
        primaryKey: true
        classification: internal
        description: Identifier.
      - name: name
        logicalType: string
        physicalType: varchar
        required: false
        classification: internal
        description: Display name.
slaProperties:
  - property: retention
    value: 1
    unit: y
`,
    'workflow.yaml': `main:
  steps:
    - ingest:
        call: quanta.ingest
        args:
          source: landing/${domain}/${product}/*.csv
          port: ${port}
        result: staged
    - publish:
        call: quanta.publish
        args:
          port: ${port}
          from: \${staged}
`,
  };
}

/** A small sample file so that a new product runs end to end at once. */
export function sampleLandingFile(): string {
  return 'id,name\n1,first\n2,second\n3,third\n';
}
