import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { type CatalogState, type Finding, isJsonObject } from '@quanta/model';
import { parseYaml } from '@quanta/spec';
import { AccessPolicy } from './access-policy.ts';
import { generateCedarSchema } from './cedar-schema.ts';
import { checkAnnotations } from './check-access-files.ts';
import { loadPolicySet, type ScopedPolicyFile, validatePolicies } from './policy-set.ts';
import { LOCAL_ADMINISTRATOR, loadUserReferential } from './user-referential.ts';

/**
 * The one built-in policy: the local administrator (the CLI's default principal on the mesh
 * owner's own machine, who can read the storage files anyway) may do anything no forbid
 * prevents. Global forbids still apply to it.
 */
export const LOCAL_ADMINISTRATOR_POLICY: ScopedPolicyFile = {
  file: '<built-in>',
  scope: 'global',
  text: `@id("quanta-local-administrator")\npermit (principal == User::"${LOCAL_ADMINISTRATOR.id}", action, resource);\n`,
};

/**
 * The second built-in policy: any principal may ask for access to a port (`request-access`).
 * Asking opens nothing: the owning domain's owner, a delegate or an approver decides, and
 * only an approved request becomes a grant (ADR 011). A mesh narrows who may ask with a
 * `forbid` of `request-access`; the global guardrails (principals not active) still apply.
 */
export const REQUEST_ACCESS_POLICY: ScopedPolicyFile = {
  file: '<built-in>',
  scope: 'global',
  text: '@id("quanta-anyone-requests-access")\npermit (principal, action == Action::"request-access", resource is Port);\n',
};

/**
 * The third built-in policy: any principal may run SQL (`query`) on any port, through any front
 * door (CLI, HTTP, PostgreSQL). A port is queryable when its `read` is allowed too, so this opens
 * nothing by itself; a mesh stops a principal from running SQL on ports it may read (the catalog
 * still lists them) with a `forbid` of `query` (ADR 006).
 */
export const QUERY_POLICY: ScopedPolicyFile = {
  file: '<built-in>',
  scope: 'global',
  text: '@id("quanta-anyone-queries")\npermit (principal, action == Action::"query", resource is Port);\n',
};

/**
 * The fourth built-in policy: any principal may export (take rows out in bulk files: CSV,
 * Arrow, Parquet) what it may query. A mesh stops file formats with a `forbid` of `export`,
 * while JSON answers and the CLI's table still work (ADR 006).
 */
export const EXPORT_POLICY: ScopedPolicyFile = {
  file: '<built-in>',
  scope: 'global',
  text: '@id("quanta-anyone-exports")\npermit (principal, action == Action::"export", resource is Port);\n',
};

/**
 * The built-in policies open to every principal: {@link REQUEST_ACCESS_POLICY},
 * {@link QUERY_POLICY}, {@link EXPORT_POLICY}. Each only makes an action enforceable by
 * `forbid`s; none opens a port's rows (that takes `read`).
 */
export const CONSUMER_POLICIES: readonly ScopedPolicyFile[] = [
  REQUEST_ACCESS_POLICY,
  QUERY_POLICY,
  EXPORT_POLICY,
];

/** The policies every mesh has before its own files: {@link LOCAL_ADMINISTRATOR_POLICY}, then {@link CONSUMER_POLICIES}. */
export const BUILT_IN_POLICIES: readonly ScopedPolicyFile[] = [
  LOCAL_ADMINISTRATOR_POLICY,
  ...CONSUMER_POLICIES,
];

/**
 * The access policy the gateway enforces: the referential and the policy files of the mesh
 * root, over the deployed catalog's domains, ports and columns. Any error in them (parse,
 * schema validation, annotations) makes every decision deny (fail closed); `quanta validate`
 * shows the findings.
 */
export async function loadAccessPolicy(root: string, catalog: CatalogState): Promise<AccessPolicy> {
  const domains = catalog.domains.map((domain) => domain.name);
  const [users, files, meshName] = await Promise.all([
    loadUserReferential(root),
    readPolicyFiles(root, domains),
    readMeshName(root),
  ]);
  const loaded = loadPolicySet([...BUILT_IN_POLICIES, ...files]);
  const isParsed = !loaded.findings.some((finding) => finding.severity === 'error');
  const findings: Finding[] = [
    ...users.findings,
    ...loaded.findings,
    ...(isParsed ? validatePolicies(loaded.policies, generateCedarSchema(domains)) : []),
    ...loaded.policies.flatMap(checkAnnotations),
  ];
  return AccessPolicy.create({
    meshName,
    referential: users.referential,
    policies: loaded.policies,
    findings,
    ports: catalog.ports,
  });
}

async function readPolicyFiles(root: string, domains: readonly string[]): Promise<ScopedPolicyFile[]> {
  const folders = [
    { dir: 'governance/policies', scope: 'global' },
    ...domains.map((domain) => ({ dir: `domains/${domain}/policies`, scope: domain })),
  ];
  const files = await Promise.all(folders.map((folder) => readCedarFolder(root, folder)));
  return files.flat();
}

async function readCedarFolder(
  root: string,
  folder: { dir: string; scope: string },
): Promise<ScopedPolicyFile[]> {
  const names = await readdir(path.join(root, folder.dir)).catch(() => [] as string[]);
  const cedar = names.filter((name) => name.endsWith('.cedar')).sort();
  return Promise.all(
    cedar.map(async (name) => {
      const file = `${folder.dir}/${name}`;
      return { file, text: await readFile(path.join(root, file), 'utf8'), scope: folder.scope };
    }),
  );
}

async function readMeshName(root: string): Promise<string> {
  const text = await readFile(path.join(root, 'quanta.yaml'), 'utf8').catch(() => '');
  const data = parseYaml(text, 'quanta.yaml').source?.data;
  return isJsonObject(data) && typeof data.name === 'string' ? data.name : path.basename(root);
}
