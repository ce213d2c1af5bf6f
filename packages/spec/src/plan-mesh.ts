import type { CatalogState, ContractSpec, Finding, MeshSpec, PortRecord, ProductSpec } from '@quanta/model';
import { catalogStateOf } from './catalog-state-of.ts';
import { type ContractDiff, change, levelRank } from './contract-change.ts';
import { diffContracts } from './diff-contracts.ts';
import { fileStart, finding } from './finding.ts';
import { readContract } from './read-contract.ts';
import { nextVersion, versionBump } from './version-bump.ts';

/** What `quanta apply` would do to one asset. */
export interface PlanItem {
  readonly kind: 'domain' | 'product' | 'port';
  readonly address: string;
  readonly action: 'create' | 'update' | 'remove' | 'unchanged';
  /** For ports already deployed: the contract diff against the deployed one. */
  readonly diff?: ContractDiff;
  /** For ports already deployed: the bump between the deployed and the declared contract version. */
  readonly declaredBump?: string;
  /** Products (in the files or deployed) whose inputs read this port. */
  readonly affectedConsumers: string[];
}

/** A workflow template version the mesh uses: its hash and the products calling it. */
export interface TemplateUse {
  readonly ref: string;
  readonly file: string;
  readonly hash: string;
  readonly products: string[];
  /** Those of `products` that the plan updates or creates (a changed template shows here). */
  readonly affectedProducts: string[];
}

/** The changes `quanta apply` would make, and what stops it (a version bump too small). */
export interface MeshPlan {
  readonly items: PlanItem[];
  readonly findings: Finding[];
  /** Every workflow template version called, with the products it affects in this plan. */
  readonly templates: TemplateUse[];
}

const KIND_ORDER = { domain: 0, product: 1, port: 2 } as const;

/**
 * Diffs the mesh files against the deployed catalog: create, update, remove or leave each
 * domain, product and port. Ports carry their contract diff and the consumers it affects; a
 * declared contract version bump smaller than the diff's verdict is a
 * QUANTA_VERSION_BUMP_TOO_SMALL finding at the contract's `version`.
 */
export function planMesh(mesh: MeshSpec, deployed: CatalogState): MeshPlan {
  const desired = catalogStateOf(mesh);
  const consumers = consumersByPort(mesh.products, deployed);
  const findings: Finding[] = [];
  const items: PlanItem[] = [
    ...planRecords(desired.domains, deployed.domains, {
      kind: 'domain',
      addressOf: (domain) => `quanta://${domain.name}`,
    }),
    ...planRecords(desired.products, deployed.products, {
      kind: 'product',
      addressOf: (product) => product.address,
    }),
  ];
  const deployedPorts = new Map(deployed.ports.map((port) => [port.address, port]));
  const contracts = new Map(
    mesh.products.flatMap((product) =>
      product.outputPorts.flatMap((port) => (port.contract ? [[port.address, port.contract] as const] : [])),
    ),
  );
  for (const record of desired.ports) {
    const affectedConsumers = consumers.get(record.address) ?? [];
    const before = deployedPorts.get(record.address);
    const contract = contracts.get(record.address);
    if (!before || !contract) {
      items.push({ kind: 'port', address: record.address, action: 'create', affectedConsumers });
      continue;
    }
    const diff = diffContracts(contractOfRecord(before), contract);
    const declaredBump = versionBump(before.contractVersion, contract.version);
    const tooSmall = bumpTooSmall({ before, contract, diff, consumers: affectedConsumers });
    if (tooSmall) findings.push(tooSmall);
    items.push({
      kind: 'port',
      address: record.address,
      action: before.hash === record.hash ? 'unchanged' : 'update',
      diff,
      declaredBump,
      affectedConsumers,
    });
  }
  const desiredPorts = new Set(desired.ports.map((port) => port.address));
  for (const record of deployed.ports.filter((port) => !desiredPorts.has(port.address))) {
    items.push(removedPort(record, consumers.get(record.address) ?? []));
  }
  return { items: items.sort(byKindThenAddress), findings, templates: templateUses(mesh, items) };
}

function templateUses(mesh: MeshSpec, items: readonly PlanItem[]): TemplateUse[] {
  const changed = new Set(
    items
      .filter((item) => item.kind === 'product' && item.action !== 'unchanged')
      .map((item) => item.address),
  );
  const uses = new Map<string, TemplateUse>();
  for (const product of mesh.products) {
    for (const template of product.workflow?.templates ?? []) {
      const use = uses.get(template.ref) ?? {
        ref: template.ref,
        file: template.file,
        hash: template.hash,
        products: [],
        affectedProducts: [],
      };
      use.products.push(product.address);
      if (changed.has(product.address)) use.affectedProducts.push(product.address);
      uses.set(template.ref, use);
    }
  }
  return [...uses.values()].sort((a, b) => (a.ref < b.ref ? -1 : 1));
}

function planRecords<T extends { hash: string }>(
  desired: readonly T[],
  deployed: readonly T[],
  options: { kind: 'domain' | 'product'; addressOf: (record: T) => string },
): PlanItem[] {
  const { kind, addressOf } = options;
  const before = new Map(deployed.map((record) => [addressOf(record), record]));
  const wanted = new Set(desired.map(addressOf));
  const items = desired.map((record): PlanItem => {
    const previous = before.get(addressOf(record));
    const action = !previous ? 'create' : previous.hash === record.hash ? 'unchanged' : 'update';
    return { kind, address: addressOf(record), action, affectedConsumers: [] };
  });
  for (const record of deployed.filter((candidate) => !wanted.has(addressOf(candidate)))) {
    items.push({ kind, address: addressOf(record), action: 'remove', affectedConsumers: [] });
  }
  return items;
}

/** Port address → addresses of the products (in the files or deployed) reading it. */
function consumersByPort(products: readonly ProductSpec[], deployed: CatalogState): Map<string, string[]> {
  const readers = new Map<string, Set<string>>();
  const add = (port: string, product: string) =>
    readers.set(port, (readers.get(port) ?? new Set()).add(product));
  for (const product of products) {
    for (const input of product.inputPorts) if (input.source) add(input.source, product.address);
  }
  for (const product of deployed.products) {
    for (const input of product.inputs) add(input, product.address);
  }
  return new Map([...readers].map(([port, set]) => [port, [...set].sort()]));
}

/** The deployed contract as a ContractSpec; the deployed columns are authoritative. */
function contractOfRecord(record: PortRecord): ContractSpec {
  const contract = readContract(record.contract, { file: '' });
  return {
    ...contract,
    id: record.contractId,
    version: record.contractVersion,
    table: { name: contract.table.name || record.name, columns: record.columns },
  };
}

function bumpTooSmall(input: {
  before: PortRecord;
  contract: ContractSpec;
  diff: ContractDiff;
  consumers: readonly string[];
}): Finding | undefined {
  const { before, contract, diff, consumers } = input;
  if (diff.verdict === 'none') return undefined;
  const declared = versionBump(before.contractVersion, contract.version);
  const declaredRank = declared === 'downgrade' ? -1 : levelRank(declared);
  if (declaredRank >= levelRank(diff.verdict)) return undefined;
  const reasons = diff.changes.filter((item) => item.level === diff.verdict).map((item) => item.message);
  const readers = consumers.length > 0 ? consumers.join(', ') : 'none yet';
  const wanted = nextVersion(before.contractVersion, diff.verdict);
  return finding('QUANTA_VERSION_BUMP_TOO_SMALL', contract.versionLocation ?? fileStart(contract.file), {
    message:
      `contract '${contract.id}' goes from ${before.contractVersion} to ${contract.version} (${declared}) ` +
      `but its changes are ${diff.verdict}: ${reasons.join('; ')}. Consumers affected: ${readers}`,
    fix: `declare \`version: ${wanted}\` (a ${diff.verdict} bump)${consumers.length > 0 ? ' and tell the consumers' : ''}`,
    address: before.address,
  });
}

function removedPort(record: PortRecord, consumers: string[]): PlanItem {
  if (consumers.length === 0) {
    return { kind: 'port', address: record.address, action: 'remove', affectedConsumers: consumers };
  }
  const diff: ContractDiff = {
    verdict: 'major',
    changes: [change('major', `port is removed while ${consumers.length} product(s) read it`)],
  };
  return { kind: 'port', address: record.address, action: 'remove', diff, affectedConsumers: consumers };
}

function byKindThenAddress(a: PlanItem, b: PlanItem): number {
  return (
    KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || (a.address < b.address ? -1 : a.address > b.address ? 1 : 0)
  );
}
