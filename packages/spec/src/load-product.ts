import {
  type ContractSpec,
  type Finding,
  type Heritage,
  type JsonValue,
  NAME_PATTERN,
  type OutputPortSpec,
  type ProductSpec,
  type SqlFile,
  type WorkflowSpec,
} from '@quanta/model';
import { checkContract } from './check-contract.ts';
import { checkWorkflowPaths } from './check-workflow-paths.ts';
import { fileStart, finding } from './finding.ts';
import { arrayField, stringField } from './json-access.ts';
import { loadWorkflowTemplates } from './load-workflow-templates.ts';
import type { MeshEntry, MeshFiles } from './mesh-files.ts';
import { type ProductFolder, readProduct } from './read-product.ts';
import { validateStandard } from './schema-validator.ts';
import { parseYaml, type YamlSource } from './yaml-source.ts';

/** A product as loaded, with its parsed ODPS file kept for mesh-wide findings. */
export interface LoadedProduct {
  readonly spec: ProductSpec;
  readonly source: YamlSource;
}

/** The outcome of loading one product folder. */
export interface LoadProductResult {
  readonly product?: LoadedProduct;
  readonly findings: Finding[];
}

/** What loading a product needs beyond its folder. */
export interface LoadProductOptions {
  readonly folder: ProductFolder;
  /** The heritage of its domain (global rules tightened by the domain). */
  readonly heritage: Heritage;
}

const PRODUCT_FILE = 'product.odps.yaml';
const TRIGGERS_FILE = 'triggers.yaml';
const CONTRACT_SUFFIX = '.odcs.yaml';

/**
 * Loads `domains/<d>/products/<p>/`: the ODPS file, the contract of each output port, the
 * workflow and the SQL files, checking each file and the rules that bind them together.
 */
export async function loadProduct(files: MeshFiles, options: LoadProductOptions): Promise<LoadProductResult> {
  const { folder, heritage } = options;
  const entries = await files.list(folder.dir);
  const productFile = `${folder.dir}/${PRODUCT_FILE}`;
  const text = entries.some((entry) => entry.name === PRODUCT_FILE)
    ? await files.read(productFile)
    : undefined;
  if (text === undefined) {
    return {
      findings: [
        finding('QUANTA_SPEC_NOT_FOUND', fileStart(productFile), {
          message: `product folder '${folder.dir}' has no ${PRODUCT_FILE}`,
          fix: `add ${PRODUCT_FILE} (ODPS v1.0.0), or remove the folder`,
        }),
      ],
    };
  }
  const parsed = parseYaml(text, productFile);
  if (!parsed.source) return { findings: parsed.findings };
  const source = parsed.source;
  const findings = [...validateStandard(source, 'odps'), ...checkNames(source, folder)];
  const product = readProduct(source, folder);
  const [contracts, workflow, sqlFiles] = await Promise.all([
    loadContracts(files, { product, source, entries, heritage }),
    entries.some((entry) => entry.name === 'workflow.yaml')
      ? loadWorkflow(files, folder.dir)
      : Promise.resolve<LoadedWorkflow>({ findings: [] }),
    loadSqlFiles(files, entries),
  ]);
  findings.push(...contracts.findings, ...workflow.findings);
  if (workflow.source) {
    const sqlNames = new Set(sqlFiles.map((file) => file.name));
    findings.push(...checkWorkflowPaths(workflow.source, { files, productDir: folder.dir, sqlNames }));
  }
  const triggers = entries.some((entry) => entry.name === TRIGGERS_FILE)
    ? parseYaml((await files.read(`${folder.dir}/${TRIGGERS_FILE}`)) ?? '', `${folder.dir}/${TRIGGERS_FILE}`)
    : undefined;
  if (triggers) findings.push(...triggers.findings);
  const spec: ProductSpec = {
    ...product,
    outputPorts: contracts.outputPorts,
    ...(workflow.spec ? { workflow: workflow.spec } : {}),
    ...(triggers?.source ? { triggers: triggers.source.data as JsonValue } : {}),
    sqlFiles,
  };
  return { product: { spec, source }, findings };
}

function checkNames(source: YamlSource, folder: ProductFolder): Finding[] {
  const findings: Finding[] = [];
  const expected = [
    { key: 'name', want: folder.name, what: 'product folder' },
    { key: 'domain', want: folder.domain, what: 'domain folder' },
  ];
  for (const { key, want, what } of expected) {
    const actual = stringField(source.data, key);
    if (actual !== undefined && actual !== want) {
      findings.push(
        finding('QUANTA_SPEC_INVALID', source.locate([key]), {
          message: `${key} '${actual}' does not match the ${what} '${want}'`,
          fix: `write \`${key}: ${want}\`, or rename the folder to '${actual}'`,
        }),
      );
    }
  }
  if (!NAME_PATTERN.test(folder.name)) {
    findings.push(
      finding('QUANTA_SPEC_INVALID', source.locate(['name']), {
        message: `product name '${folder.name}' is not lower-case kebab`,
        fix: 'rename the product folder (and `name`) to lower-case kebab, e.g. customer-profile',
      }),
    );
  }
  return findings;
}

interface ContractsInput {
  readonly product: ProductSpec;
  readonly source: YamlSource;
  readonly entries: readonly MeshEntry[];
  readonly heritage: Heritage;
}

async function loadContracts(
  files: MeshFiles,
  input: ContractsInput,
): Promise<{ outputPorts: OutputPortSpec[]; findings: Finding[] }> {
  const { product, source, entries } = input;
  const present = new Set(entries.filter((entry) => entry.kind === 'file').map((entry) => entry.name));
  const results = await Promise.all(
    product.outputPorts.map((port, index) => loadPortContract(files, { input, port, index, present })),
  );
  const findings = results.flatMap((result) => result.findings);
  const claimed = new Set(product.outputPorts.map((port) => `${port.name}${CONTRACT_SUFFIX}`));
  for (const name of present) {
    if (name.endsWith(CONTRACT_SUFFIX) && !claimed.has(name)) {
      findings.push(
        finding('QUANTA_REFERENCE_UNRESOLVED', fileStart(`${product.dir}/${name}`), {
          severity: 'warning',
          message: `contract '${name}' belongs to no output port of ${product.address}`,
          fix: `declare an output port named '${name.slice(0, -CONTRACT_SUFFIX.length)}' in ${source.file}, or remove the file`,
        }),
      );
    }
  }
  return {
    outputPorts: product.outputPorts.map((port, index) => {
      const contract = results[index]?.contract;
      return contract ? { ...port, contract } : port;
    }),
    findings,
  };
}

async function loadPortContract(
  files: MeshFiles,
  options: { input: ContractsInput; port: OutputPortSpec; index: number; present: ReadonlySet<string> },
): Promise<{ contract?: ContractSpec; findings: Finding[] }> {
  const { input, port, index, present } = options;
  const fileName = `${port.name}${CONTRACT_SUFFIX}`;
  const file = `${input.product.dir}/${fileName}`;
  const text = present.has(fileName) ? await files.read(file) : undefined;
  if (text === undefined) {
    return {
      findings: [
        finding('QUANTA_REFERENCE_UNRESOLVED', input.source.locate(['outputPorts', index, 'name']), {
          message: `output port '${port.name}' has no contract file ${fileName}`,
          fix: `create ${file} (ODCS v3.1.0) whose id is '${port.contractId}'`,
        }),
      ],
    };
  }
  const parsed = parseYaml(text, file);
  if (!parsed.source) return { findings: parsed.findings };
  const checked = checkContract(parsed.source, input.heritage);
  const findings = [...checked.findings];
  if (checked.contract)
    findings.push(...checkPortBinding(parsed.source, { contract: checked.contract, port, input, index }));
  return { ...(checked.contract ? { contract: checked.contract } : {}), findings };
}

function checkPortBinding(
  contractSource: YamlSource,
  binding: { contract: ContractSpec; port: OutputPortSpec; input: ContractsInput; index: number },
): Finding[] {
  const { contract, port, input, index } = binding;
  const findings: Finding[] = [];
  if (port.contractId === '') {
    findings.push(
      finding('QUANTA_SPEC_INVALID', input.source.locate(['outputPorts', index]), {
        message: `output port '${port.name}' has no contractId`,
        fix: `add \`contractId: ${contract.id || `${input.product.domain}.${input.product.name}.${port.name}`}\``,
      }),
    );
  } else if (contract.id !== port.contractId) {
    findings.push(
      finding('QUANTA_REFERENCE_UNRESOLVED', contractSource.locate(['id']), {
        message: `contract id '${contract.id}' differs from the contractId '${port.contractId}' of output port '${port.name}'`,
        fix: `make them equal: write \`id: ${port.contractId}\` here, or change the port's contractId`,
      }),
    );
  }
  const objects = arrayField(contract.odcs, 'schema');
  if (objects.length !== 1) {
    findings.push(
      finding('QUANTA_SPEC_INVALID', contractSource.locate(['schema']), {
        message: `the contract of port '${port.name}' has ${objects.length} schema objects, Quanta needs exactly one`,
        fix: `keep one schema object, named '${port.name}' (one table per output port)`,
      }),
    );
  } else if (contract.table.name !== port.name) {
    findings.push(
      finding('QUANTA_SPEC_INVALID', contractSource.locate(['schema', 0, 'name']), {
        message: `schema object '${contract.table.name}' is not named after its port '${port.name}'`,
        fix: `write \`name: ${port.name}\` on the schema object`,
      }),
    );
  }
  return findings;
}

interface LoadedWorkflow {
  readonly spec?: WorkflowSpec;
  readonly source?: YamlSource;
  readonly findings: Finding[];
}

async function loadWorkflow(files: MeshFiles, dir: string): Promise<LoadedWorkflow> {
  const file = `${dir}/workflow.yaml`;
  const text = await files.read(file);
  if (text === undefined) return { findings: [] };
  const parsed = parseYaml(text, file);
  if (!parsed.source) return { findings: parsed.findings };
  const source = parsed.source;
  const { templates, findings } = await loadWorkflowTemplates(files, source);
  const spec: WorkflowSpec = {
    file,
    source: source.data,
    locate: (at) => source.locate(at),
    ...(templates.length > 0 ? { templates } : {}),
  };
  return { spec, source, findings };
}

async function loadSqlFiles(files: MeshFiles, productEntries: readonly MeshEntry[]): Promise<SqlFile[]> {
  const entries = await files.listChild(productEntries, 'sql');
  const sqlEntries = entries.filter((entry) => entry.kind === 'file' && entry.name.endsWith('.sql'));
  return Promise.all(
    sqlEntries.map(async (entry) => ({
      file: entry.path,
      name: `sql/${entry.name}`,
      text: (await files.read(entry.path)) ?? '',
    })),
  );
}
