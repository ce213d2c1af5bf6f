/** The actions of Quanta's Cedar schema; `read` is what the gateway asks for ports and columns. */
export const ACCESS_ACTIONS = ['read', 'query', 'export', 'request-access', 'approve', 'administer'] as const;

/** One of {@link ACCESS_ACTIONS}. */
export type AccessAction = (typeof ACCESS_ACTIONS)[number];

/**
 * The Cedar schema of a mesh. Domains are an enumerated entity type made of the mesh's domain
 * names, so a policy naming a domain that does not exist fails validation. Products, ports and
 * columns form the hierarchy `Column in Port in Product in Domain`, so `resource in
 * Product::"quanta://sales/orders"` covers its ports and their columns. A user's `grants` are
 * the port addresses of its active access grants (approved, not expired, not revoked), so a
 * policy opens a granted port with `principal.grants.contains(resource.address)` and its columns
 * with `principal.grants.contains(resource.portAddress)` (ADR 011).
 */
export function generateCedarSchema(domains: readonly string[]): string {
  const domainType =
    domains.length === 0
      ? 'entity Domain;'
      : `entity Domain enum [${[...domains]
          .sort()
          .map((name) => JSON.stringify(name))
          .join(', ')}];`;
  return `${domainType}
entity Mesh;
entity Group;
entity User in [Group] {
  kind: String,
  domain: String,
  country: String,
  role: String,
  clearance: Long,
  status: String,
  grants: Set<String>,
};
entity Product in [Domain] { domain: String, name: String };
entity Port in [Product] { domain: String, product: String, name: String, address: String };
entity Column in [Port] {
  domain: String,
  product: String,
  port: String,
  name: String,
  portAddress: String,
  classification: String,
  tags: Set<String>,
};
action read appliesTo { principal: [User], resource: [Port, Column] };
action query appliesTo { principal: [User], resource: [Port] };
action export appliesTo { principal: [User], resource: [Port] };
action "request-access" appliesTo { principal: [User], resource: [Port] };
action approve appliesTo { principal: [User], resource: [Port, Domain] };
action administer appliesTo { principal: [User], resource: [Mesh, Domain] };
`;
}
