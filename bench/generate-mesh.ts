import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createDomain, createProduct, initMesh } from '@quanta/services';

/**
 * Writes a mesh of `products` products over `domains` domains with the scaffolding commands,
 * each product after the first few reading an upstream product of another domain (acyclic).
 */
export async function generateMesh(
  root: string,
  options: { products: number; domains: number },
): Promise<void> {
  await initMesh(root, { name: 'bench' });
  const perDomain = Math.ceil(options.products / options.domains);
  for (let domain = 0; domain < options.domains; domain += 1) {
    await createDomain(root, { name: domainName(domain), owner: `owner${domain}@example.com` });
  }
  for (let index = 0; index < options.products; index += 1) {
    const domain = index % options.domains;
    const rank = Math.floor(index / options.domains);
    const name = `${domainName(domain)}/product-${rank}`;
    await createProduct(root, { name, port: 'items' });
    if (rank > 0 && rank < perDomain) await addUpstream(root, { domain, rank, domains: options.domains });
  }
}

function domainName(index: number): string {
  return `domain-${String.fromCharCode(97 + (index % 26))}${Math.floor(index / 26) || ''}`;
}

async function addUpstream(
  root: string,
  options: { domain: number; rank: number; domains: number },
): Promise<void> {
  const upstreamDomain = domainName((options.domain + 1) % options.domains);
  const productDir = path.join(
    root,
    'domains',
    domainName(options.domain),
    'products',
    `product-${options.rank}`,
  );
  const contractId = `${upstreamDomain}.product-${options.rank - 1}.items`;
  await appendFile(
    path.join(productDir, 'product.odps.yaml'),
    `inputPorts:\n  - name: upstream\n    version: 0.1.0\n    contractId: ${contractId}\n`,
  );
  await mkdir(path.join(productDir, 'sql'), { recursive: true });
  await writeFile(
    path.join(productDir, 'sql', 'derived.sql'),
    'select id, name from upstream where id is not null\n',
  );
}
