import {
  type DomainSpec,
  type DomainTemplate,
  type Finding,
  type Heritage,
  isJsonObject,
  type MeshConfig,
  type MeshSpec,
  type PolicyFile,
  type SourceLocation,
} from '@quanta/model';
import { checkMeshReferences } from './check-mesh-references.ts';
import { checkForeignKeyTargets } from './check-quality-rules.ts';
import { fileStart, finding } from './finding.ts';
import { checkHeritageWeakened, mergeHeritage, readGlobalHeritage, readPartialHeritage } from './heritage.ts';
import { stringField, stringsField } from './json-access.ts';
import { type LoadedProduct, loadProduct } from './load-product.ts';
import { type MeshEntry, MeshFiles } from './mesh-files.ts';
import { validateQuantaSchema } from './schema-validator.ts';
import { parseYaml, type YamlSource } from './yaml-source.ts';

/** The loaded mesh (present whenever quanta.yaml parses) and every finding. */
export interface LoadMeshResult {
  readonly mesh?: MeshSpec;
  readonly findings: Finding[];
}

const TEMPLATE_DIR = 'governance/templates/domain';

/**
 * Loads a mesh root: quanta.yaml, the global policies and domain template, every domain and
 * every product with its contracts, workflow and SQL. Files are read concurrently; each is
 * validated against its schema and Quanta's rules. Any error finding makes the mesh invalid,
 * but the mesh is returned whenever quanta.yaml parses, so callers can show everything.
 */
export async function loadMesh(root: string): Promise<LoadMeshResult> {
  const findings: Finding[] = [];
  const files = await MeshFiles.create(root, findings);
  const configText = files ? await files.read('quanta.yaml') : undefined;
  if (!files || configText === undefined) {
    findings.push(
      finding('QUANTA_SPEC_NOT_FOUND', fileStart('quanta.yaml'), {
        message: `no quanta.yaml in '${root}'`,
        fix: 'run quanta from the mesh root (the folder holding quanta.yaml), or create one with `quanta init`',
      }),
    );
    return { findings: sortFindings(findings) };
  }
  const parsed = parseYaml(configText, 'quanta.yaml');
  if (!parsed.source) return { findings: sortFindings([...findings, ...parsed.findings]) };
  findings.push(...validateQuantaSchema(parsed.source, 'quanta-mesh'));
  const config = readConfig(parsed.source);
  const rootEntries = await files.list('');
  const governance = await files.listChild(rootEntries, 'governance');
  const [globalPolicies, domainTemplate, domains] = await Promise.all([
    files.listChild(governance, 'policies').then((entries) => readPolicies(files, entries)),
    files.listChild(governance, 'templates').then((entries) => readTemplate(files, entries)),
    files
      .listChild(rootEntries, 'domains')
      .then((entries) => loadDomains(files, { entries, global: config.heritage })),
  ]);
  findings.push(...domains.findings);
  const resolved = checkMeshReferences(domains.products);
  findings.push(...resolved.findings);
  findings.push(...checkForeignKeyTargets(resolved.products));
  const mesh: MeshSpec = {
    root: files.root,
    config,
    domains: domains.specs,
    products: resolved.products,
    globalPolicies,
    ...(domainTemplate ? { domainTemplate } : {}),
  };
  return { mesh, findings: sortFindings(findings) };
}

function readConfig(source: YamlSource): MeshConfig {
  const raw = isJsonObject(source.data) ? source.data : {};
  const description = stringField(raw, 'description');
  const webhook = isJsonObject(raw.alerts) ? stringField(raw.alerts, 'webhook') : undefined;
  return {
    file: source.file,
    name: stringField(raw, 'name') ?? '',
    ...(description === undefined ? {} : { description }),
    heritage: readGlobalHeritage(raw.heritage),
    ...(webhook === undefined ? {} : { alerts: { webhook } }),
    raw,
  };
}

async function readPolicies(files: MeshFiles, listed: readonly MeshEntry[]): Promise<PolicyFile[]> {
  const entries = listed.filter((entry) => entry.kind === 'file' && entry.name.endsWith('.cedar'));
  const texts = await Promise.all(entries.map((entry) => files.read(entry.path)));
  return entries.flatMap((entry, index) => {
    const text = texts[index];
    return text === undefined ? [] : [{ file: entry.path, text }];
  });
}

async function readTemplate(
  files: MeshFiles,
  templates: readonly MeshEntry[],
): Promise<DomainTemplate | undefined> {
  const collect = async (dir: string): Promise<string[]> => {
    const entries = await files.list(dir);
    const nested = await Promise.all(
      entries.map((entry) => (entry.kind === 'dir' ? collect(entry.path) : Promise.resolve([entry.path]))),
    );
    return nested.flat();
  };
  const found = (await files.listChild(templates, 'domain')).length > 0 ? await collect(TEMPLATE_DIR) : [];
  if (found.length === 0) return undefined;
  return { dir: TEMPLATE_DIR, files: found.map((file) => file.slice(TEMPLATE_DIR.length + 1)) };
}

interface LoadedDomains {
  readonly specs: DomainSpec[];
  readonly products: LoadedProduct[];
  readonly findings: Finding[];
}

async function loadDomains(
  files: MeshFiles,
  options: { entries: readonly MeshEntry[]; global: Heritage },
): Promise<LoadedDomains> {
  const { global } = options;
  const folders = options.entries.filter((entry) => entry.kind === 'dir');
  const loaded = await Promise.all(folders.map((folder) => loadDomain(files, { name: folder.name, global })));
  return {
    specs: loaded.flatMap((domain) => (domain.spec ? [domain.spec] : [])),
    products: loaded.flatMap((domain) => domain.products),
    findings: loaded.flatMap((domain) => domain.findings),
  };
}

async function loadDomain(
  files: MeshFiles,
  options: { name: string; global: Heritage },
): Promise<{ spec?: DomainSpec; products: LoadedProduct[]; findings: Finding[] }> {
  const { name, global } = options;
  const dir = `domains/${name}`;
  const file = `${dir}/domain.yaml`;
  const entries = await files.list(dir);
  const [text, policies, productFolders] = await Promise.all([
    entries.some((entry) => entry.name === 'domain.yaml') ? files.read(file) : Promise.resolve(undefined),
    files.listChild(entries, 'policies').then((listed) => readPolicies(files, listed)),
    files.listChild(entries, 'products'),
  ]);
  const findings: Finding[] = [];
  let spec: DomainSpec | undefined;
  let heritage = global;
  if (text === undefined) {
    findings.push(
      finding('QUANTA_SPEC_NOT_FOUND', fileStart(file), {
        message: `domain folder '${dir}' has no domain.yaml`,
        fix: 'create it from governance/templates/domain (quanta domain create), or remove the folder',
      }),
    );
  } else {
    const parsed = parseYaml(text, file);
    findings.push(...parsed.findings);
    if (parsed.source) {
      findings.push(...checkDomain(parsed.source, { name, global }));
      spec = readDomain(parsed.source, { policies, location: parsed.source.locate(['name']) });
      heritage = mergeHeritage(global, spec.heritage);
    }
  }
  const products = await Promise.all(
    productFolders
      .filter((entry) => entry.kind === 'dir')
      .map((entry) =>
        loadProduct(files, { folder: { domain: name, name: entry.name, dir: entry.path }, heritage }),
      ),
  );
  for (const product of products) findings.push(...product.findings);
  return {
    ...(spec ? { spec } : {}),
    products: products.flatMap((product) => (product.product ? [product.product] : [])),
    findings,
  };
}

function checkDomain(source: YamlSource, options: { name: string; global: Heritage }): Finding[] {
  const findings = validateQuantaSchema(source, 'quanta-domain');
  const declared = stringField(source.data, 'name');
  if (declared !== undefined && declared !== options.name) {
    findings.push(
      finding('QUANTA_SPEC_INVALID', source.locate(['name']), {
        message: `domain name '${declared}' does not match its folder '${options.name}'`,
        fix: `write \`name: ${options.name}\`, or rename the folder to '${declared}'`,
      }),
    );
  }
  findings.push(...checkHeritageWeakened(options.global, source));
  return findings;
}

function readDomain(
  source: YamlSource,
  options: { policies: PolicyFile[]; location: SourceLocation },
): DomainSpec {
  const raw = isJsonObject(source.data) ? source.data : {};
  const team = stringField(raw, 'team');
  const description = stringField(raw, 'description');
  return {
    file: source.file,
    location: options.location,
    name: stringField(raw, 'name') ?? '',
    owner: stringField(raw, 'owner') ?? '',
    ...(team === undefined ? {} : { team }),
    ...(description === undefined ? {} : { description }),
    subdomains: stringsField(raw, 'subdomains'),
    heritage: readPartialHeritage(raw.heritage),
    policies: options.policies,
    raw,
  };
}

/** Findings in file order (then line, then column), so output is stable across runs. */
function sortFindings(findings: Finding[]): Finding[] {
  const key = (item: Finding) => item.location ?? { file: '', line: 0, col: 0 };
  return findings.sort((a, b) => {
    const left = key(a);
    const right = key(b);
    if (left.file !== right.file) return left.file < right.file ? -1 : 1;
    return left.line - right.line || left.col - right.col;
  });
}
