import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { NAME_PATTERN, PORT_NAME_PATTERN, QuantaError } from '@quanta/model';
import { defaultPortName, meshFiles, productFiles, sampleLandingFile } from './scaffold-templates.ts';

/** Files written by a scaffold command, relative to the mesh root. */
export interface ScaffoldResult {
  readonly root: string;
  readonly files: readonly string[];
}

/** `quanta init <dir>`: a new mesh with global heritage and a domain template. */
export async function initMesh(target: string, options: { name?: string } = {}): Promise<ScaffoldResult> {
  const root = path.resolve(target);
  if (existsSync(root) && (await readdir(root)).length > 0) {
    throw new QuantaError('QUANTA_CONFLICT', `${root} exists and is not empty`, {
      fix: 'choose a new folder name',
    });
  }
  const name = options.name ?? path.basename(root);
  requireName(name, 'mesh');
  return writeFiles(root, meshFiles(name));
}

/** `quanta domain create`: instantiates the mesh's domain template (its security heritage). */
export async function createDomain(
  root: string,
  options: { name: string; owner: string },
): Promise<ScaffoldResult> {
  requireName(options.name, 'domain');
  const domainDir = path.join('domains', options.name);
  if (existsSync(path.join(root, domainDir))) {
    throw new QuantaError('QUANTA_CONFLICT', `domain '${options.name}' already exists`, {
      fix: 'choose another name',
    });
  }
  const templateDir = path.join(root, 'governance', 'templates', 'domain');
  if (!existsSync(templateDir)) {
    throw new QuantaError('QUANTA_SPEC_INVALID', 'the mesh has no domain template', {
      fix: 'add governance/templates/domain/domain.yaml (see docs/mesh-files.md)',
    });
  }
  const files: Record<string, string> = {};
  for (const file of await listFiles(templateDir)) {
    const text = await readFile(path.join(templateDir, file), 'utf8');
    files[path.join(domainDir, file)] = text
      .replaceAll('{{domain}}', options.name)
      .replaceAll('{{owner}}', options.owner);
  }
  await mkdir(path.join(root, 'landing', options.name), { recursive: true });
  return writeFiles(root, files);
}

/** `quanta product create <domain>/<product>`: a product ingesting CSV, with contract and workflow. */
export async function createProduct(
  root: string,
  options: { name: string; port?: string; owner?: string },
): Promise<ScaffoldResult> {
  const [domain = '', product = '', ...rest] = options.name.split('/');
  if (rest.length > 0 || !domain || !product) {
    throw new QuantaError('QUANTA_USAGE', `'${options.name}' is not <domain>/<product>`, {
      fix: 'e.g. customers/customer-profile',
    });
  }
  requireName(product, 'product');
  const domainFile = path.join(root, 'domains', domain, 'domain.yaml');
  if (!existsSync(domainFile)) {
    throw new QuantaError('QUANTA_NOT_FOUND', `domain '${domain}' does not exist`, {
      fix: `create it first: quanta domain create ${domain} --owner <email>`,
    });
  }
  const productDir = path.join('domains', domain, 'products', product);
  if (existsSync(path.join(root, productDir))) {
    throw new QuantaError('QUANTA_CONFLICT', `product '${options.name}' already exists`, {
      fix: 'choose another name',
    });
  }
  const port = options.port ?? defaultPortName(product);
  if (!PORT_NAME_PATTERN.test(port))
    throw new QuantaError('QUANTA_USAGE', `'${port}' is not a valid port name`);
  const owner = options.owner ?? (await domainOwner(domainFile));
  const files: Record<string, string> = {};
  for (const [file, text] of Object.entries(productFiles({ domain, product, port, owner }))) {
    files[path.join(productDir, file)] = text;
  }
  files[path.join('landing', domain, product, 'sample.csv')] = sampleLandingFile();
  return writeFiles(root, files);
}

async function domainOwner(domainFile: string): Promise<string> {
  const match = /^owner:\s*(\S+)/m.exec(await readFile(domainFile, 'utf8'));
  return match?.[1] ?? 'owner@example.com';
}

function requireName(name: string, what: string): void {
  if (!NAME_PATTERN.test(name)) {
    throw new QuantaError('QUANTA_USAGE', `'${name}' is not a valid ${what} name`, {
      fix: 'use lower-case letters, digits and dashes, starting with a letter',
    });
  }
}

async function listFiles(dir: string, prefix = ''): Promise<string[]> {
  const entries = await readdir(path.join(dir, prefix), { withFileTypes: true });
  const files: string[] = [];
  for (const entry of entries) {
    const relative = path.join(prefix, entry.name);
    if (entry.isDirectory()) files.push(...(await listFiles(dir, relative)));
    else files.push(relative);
  }
  return files.sort();
}

async function writeFiles(root: string, files: Record<string, string>): Promise<ScaffoldResult> {
  for (const [file, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(root, file)), { recursive: true });
    await writeFile(path.join(root, file), text, { flag: 'wx' });
  }
  return { root, files: Object.keys(files).sort() };
}
