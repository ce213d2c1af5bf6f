import { readFile } from 'node:fs/promises';
import { type Finding, isJsonObject, NAME_PATTERN, PORT_NAME_PATTERN } from '@quanta/model';
import { checkContract } from './check-contract.ts';
import { fileStart, finding } from './finding.ts';
import { DEFAULT_HERITAGE } from './heritage.ts';
import { arrayField, stringField } from './json-access.ts';
import { validateStandard } from './schema-validator.ts';
import { parseYaml, type YamlSource } from './yaml-source.ts';

/**
 * Checks one contract file without a mesh: the ODCS schema of its `apiVersion`, then Quanta's
 * contract rules with the default metadata template (owner, description, purpose,
 * classification of every column, at least one quality rule, retention). Empty means valid.
 */
export async function lintContractFile(path: string): Promise<Finding[]> {
  const source = await readSource(path);
  if (!('data' in source)) return source.findings;
  return checkContract(source, DEFAULT_HERITAGE).findings;
}

/**
 * Checks one product file without a mesh: the ODPS schema of its `apiVersion`, a kebab-case
 * name, and a name and contractId on every port. Empty means valid.
 */
export async function lintProductFile(path: string): Promise<Finding[]> {
  const source = await readSource(path);
  if (!('data' in source)) return source.findings;
  const findings = validateStandard(source, 'odps');
  const name = stringField(source.data, 'name');
  if (name !== undefined && !NAME_PATTERN.test(name)) {
    findings.push(
      finding('QUANTA_SPEC_INVALID', source.locate(['name']), {
        message: `product name '${name}' is not lower-case kebab`,
        fix: 'use a lower-case kebab name such as customer-profile (and the same folder name)',
      }),
    );
  }
  for (const side of ['inputPorts', 'outputPorts'] as const) {
    findings.push(...checkPorts(source, side));
  }
  return findings;
}

function checkPorts(source: YamlSource, side: 'inputPorts' | 'outputPorts'): Finding[] {
  return arrayField(source.data, side).flatMap((port, index) => {
    const name = stringField(port, 'name');
    const findings: Finding[] = [];
    if (name !== undefined && side === 'outputPorts' && !PORT_NAME_PATTERN.test(name)) {
      findings.push(
        finding('QUANTA_SPEC_INVALID', source.locate([side, index, 'name']), {
          message: `output port name '${name}' is not lower-case (letters, digits, '-' or '_')`,
          fix: 'rename the port, e.g. daily_orders, and its contract file <port>.odcs.yaml',
        }),
      );
    }
    if (isJsonObject(port) && stringField(port, 'contractId') === undefined) {
      findings.push(
        finding('QUANTA_SPEC_INVALID', source.locate([side, index]), {
          message: `${side === 'inputPorts' ? 'input' : 'output'} port '${name ?? index}' has no contractId`,
          fix: 'add `contractId:` naming the contract of the port (e.g. <domain>.<product>.<port>)',
        }),
      );
    }
    return findings;
  });
}

async function readSource(path: string): Promise<YamlSource | { findings: Finding[] }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    return {
      findings: [
        finding('QUANTA_SPEC_NOT_FOUND', fileStart(path), {
          message: `cannot read '${path}': ${error instanceof Error ? error.message : String(error)}`,
          fix: 'check the path',
        }),
      ],
    };
  }
  const parsed = parseYaml(text, path);
  return parsed.source ?? { findings: parsed.findings };
}
