import type { ContractSpec, Finding, ProductSpec, QualityRule } from '@quanta/model';
import { closestNames } from './closest-names.ts';
import { fileStart, finding } from './finding.ts';

/**
 * Spec-time checks of a contract's quality clauses: every column a clause names must be a
 * property of the contract, reported at the clause's `file:line:col`. (SQL rules are parsed by
 * the services with the engine's parser: spec has no SQL engine.)
 */
export function checkQualityColumns(contract: ContractSpec): Finding[] {
  const known = contract.table.columns.map((column) => column.name);
  const present = new Set(known);
  return contract.quality.flatMap((rule) =>
    namedColumns(rule)
      .filter((column) => !present.has(column))
      .map((column) => {
        const candidates = closestNames(column, known);
        return finding('QUANTA_REFERENCE_UNRESOLVED', rule.location ?? fileStart(contract.file), {
          message: `quality clause '${rule.name}' names column '${column}', which the contract does not declare`,
          fix:
            candidates.length > 0
              ? `name an existing property, e.g. ${candidates.join(', ')}`
              : `declare '${column}' under schema[0].properties, or fix the clause`,
        });
      }),
  );
}

/**
 * Mesh-wide: every foreign key points to the contract of some output port in the mesh, at a
 * column that contract declares.
 */
export function checkForeignKeyTargets(products: readonly ProductSpec[]): Finding[] {
  const contracts = new Map<string, ContractSpec>();
  for (const product of products) {
    for (const port of product.outputPorts)
      if (port.contract) contracts.set(port.contract.file, port.contract);
  }
  const findings: Finding[] = [];
  for (const contract of contracts.values()) {
    for (const rule of contract.quality) {
      if (rule.kind !== 'foreignKey') continue;
      const target = contracts.get(rule.target.file);
      const where = rule.location ?? fileStart(contract.file);
      if (!target) {
        findings.push(
          finding('QUANTA_REFERENCE_UNRESOLVED', where, {
            message: `foreign key '${rule.name}' points to ${rule.target.file}, which is no output port's contract`,
            fix: "write the path of another product's contract file, relative to this one, then #/schema/<table>/properties/<column>",
          }),
        );
      } else if (!target.table.columns.some((column) => column.name === rule.target.column)) {
        findings.push(
          finding('QUANTA_REFERENCE_UNRESOLVED', where, {
            message: `foreign key '${rule.name}' points to column '${rule.target.column}', which ${rule.target.file} does not declare`,
            fix: `name one of: ${target.table.columns.map((column) => column.name).join(', ')}`,
          }),
        );
      }
    }
  }
  return findings;
}

/** The columns a clause reads. */
export function namedColumns(rule: QualityRule): readonly string[] {
  switch (rule.kind) {
    case 'metric':
      return rule.columns;
    case 'sql':
      return rule.column === undefined ? [] : [rule.column];
    case 'foreignKey':
      return [rule.column];
    case 'sla':
      return rule.column === undefined ? [] : [rule.column];
    case 'unenforceable':
      return [];
  }
}
