import { type ContractSpec, type Finding, type Heritage, isJsonObject } from '@quanta/model';
import { checkQualityColumns } from './check-quality-rules.ts';
import { checkContractRules } from './contract-rules.ts';
import { fileStart, finding } from './finding.ts';
import { readContract } from './read-contract.ts';
import { validateStandard } from './schema-validator.ts';
import type { YamlSource } from './yaml-source.ts';

/** A contract read from its file, with everything wrong with it. */
export interface CheckedContract {
  readonly contract?: ContractSpec;
  readonly findings: Finding[];
}

/**
 * Checks one ODCS document on its own: the official schema of its `apiVersion`, then Quanta's
 * contract rules for the given heritage, then the columns its quality clauses name.
 */
export function checkContract(source: YamlSource, heritage: Heritage): CheckedContract {
  const findings = validateStandard(source, 'odcs');
  if (!isJsonObject(source.data)) {
    return {
      findings: [
        finding('QUANTA_SCHEMA_VIOLATION', fileStart(source.file), {
          message: 'a contract must be a YAML mapping',
          fix: 'write the ODCS fields (apiVersion, kind, id, version, schema, ...) as keys',
        }),
      ],
    };
  }
  const contract = readContract(source.data, { file: source.file, locate: source.locate });
  findings.push(...checkContractRules(source, contract, heritage));
  findings.push(...checkQualityColumns(contract));
  return { contract, findings };
}
