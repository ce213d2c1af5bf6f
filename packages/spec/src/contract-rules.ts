import type { ContractSpec, Finding, Heritage, JsonValue, RequiredMetadata } from '@quanta/model';
import { finding } from './finding.ts';
import { classificationRank } from './heritage.ts';
import { arrayField, objectField, stringField } from './json-access.ts';
import { teamMembers } from './team-owner.ts';
import type { YamlSource } from './yaml-source.ts';

/** A quality rule and where it is written. */
interface QualityRule {
  readonly rule: JsonValue;
  readonly path: (string | number)[];
}

/**
 * Quanta's contract rules: the metadata template (`requiredMetadata`), the quality gates,
 * the maximum retention and the classification of PII columns, for the contract's heritage.
 */
export function checkContractRules(
  source: YamlSource,
  contract: ContractSpec,
  heritage: Heritage,
): Finding[] {
  const findings = heritage.requiredMetadata.flatMap((field) => checkMetadata(source, contract, field));
  findings.push(...checkQualityGates(source, heritage.requiredQualityGates));
  findings.push(...checkRetention(source, contract, heritage.maxRetentionDays));
  findings.push(...checkPii(source, contract, heritage));
  return findings;
}

function incomplete(
  source: YamlSource,
  path: (string | number)[],
  text: { message: string; fix: string },
): Finding {
  return finding('QUANTA_METADATA_INCOMPLETE', source.locate(path), text);
}

function checkMetadata(source: YamlSource, contract: ContractSpec, field: RequiredMetadata): Finding[] {
  const odcs = contract.odcs;
  const description = objectField(odcs, 'description');
  switch (field) {
    case 'owner': {
      if (contract.owner) return [];
      return [
        incomplete(source, teamMembers(odcs).path, {
          message: 'the contract has no owner',
          fix: 'add a team member with `role: owner` under team.members',
        }),
      ];
    }
    case 'description': {
      const table = arrayField(odcs, 'schema')[0];
      if (
        stringField(description, 'usage') ||
        stringField(description, 'purpose') ||
        stringField(table, 'description')
      ) {
        return [];
      }
      return [
        incomplete(source, ['description'], {
          message: 'the contract has no description',
          fix: 'write description.usage or description.purpose, or a description on the schema object',
        }),
      ];
    }
    case 'purpose': {
      if (stringField(description, 'purpose')) return [];
      return [
        incomplete(source, ['description', 'purpose'], {
          message: 'the contract states no purpose',
          fix: 'write description.purpose: why this data exists and what it may be used for',
        }),
      ];
    }
    case 'classification':
      return contract.table.columns
        .map((column, index) => ({ column, index }))
        .filter(({ column }) => !column.classification)
        .map(({ column, index }) =>
          incomplete(source, ['schema', 0, 'properties', index], {
            message: `column '${column.name}' has no classification`,
            fix: 'add `classification:` (public, internal, confidential or restricted) to the property',
          }),
        );
    case 'quality': {
      if (qualityRules(odcs).length > 0) return [];
      return [
        incomplete(source, ['schema', 0], {
          message: 'the contract has no quality rule',
          fix: 'add at least one rule under `quality:` on the schema object or on a property',
        }),
      ];
    }
    case 'retention': {
      if (contract.retentionDays !== undefined) return [];
      return [
        incomplete(source, ['slaProperties'], {
          message: 'the contract declares no retention',
          fix: 'add an slaProperties entry `{property: retention, value: <n>, unit: d|m|y}`',
        }),
      ];
    }
  }
}

/** Every quality rule of the contract, at contract, schema-object and property level. */
function qualityRules(odcs: JsonValue): QualityRule[] {
  const rules: QualityRule[] = arrayField(odcs, 'quality').map((rule, index) => ({
    rule,
    path: ['quality', index],
  }));
  for (const [objectIndex, object] of arrayField(odcs, 'schema').entries()) {
    const objectPath = ['schema', objectIndex];
    rules.push(
      ...arrayField(object, 'quality').map((rule, index) => ({
        rule,
        path: [...objectPath, 'quality', index],
      })),
    );
    for (const [propertyIndex, property] of arrayField(object, 'properties').entries()) {
      const propertyPath = [...objectPath, 'properties', propertyIndex, 'quality'];
      rules.push(
        ...arrayField(property, 'quality').map((rule, index) => ({ rule, path: [...propertyPath, index] })),
      );
    }
  }
  return rules;
}

function checkQualityGates(source: YamlSource, gates: readonly string[]): Finding[] {
  if (gates.length === 0 || typeof source.data !== 'object') return [];
  const covered = new Set(
    qualityRules(source.data).map(({ rule }) => stringField(rule, 'dimension')?.toLowerCase()),
  );
  const missing = gates.filter((gate) => !covered.has(gate));
  if (missing.length === 0) return [];
  return [
    incomplete(source, ['schema', 0], {
      message: `no quality rule covers the required dimension(s) ${missing.join(', ')}`,
      fix: `add quality rules with \`dimension: ${missing[0]}\`${missing.length > 1 ? ' (and the others)' : ''}`,
    }),
  ];
}

function checkRetention(source: YamlSource, contract: ContractSpec, maxDays: number | undefined): Finding[] {
  if (maxDays === undefined || contract.retentionDays === undefined || contract.retentionDays <= maxDays)
    return [];
  const index = arrayField(contract.odcs, 'slaProperties').findIndex(
    (entry) => stringField(entry, 'property')?.toLowerCase() === 'retention',
  );
  return [
    finding('QUANTA_SPEC_INVALID', source.locate(['slaProperties', index, 'value']), {
      message: `retention of ${Math.round(contract.retentionDays)} days exceeds the maximum of ${maxDays} days set by the heritage`,
      fix: `declare a retention of at most ${maxDays} days`,
    }),
  ];
}

function checkPii(source: YamlSource, contract: ContractSpec, heritage: Heritage): Finding[] {
  const required = heritage.piiClassification;
  if (!required) return [];
  return contract.table.columns
    .map((column, index) => ({ column, index }))
    .filter(({ column }) => column.tags.some((tag) => tag.toLowerCase() === 'pii'))
    .filter(({ column }) => classificationRank(column.classification) < classificationRank(required))
    .map(({ column, index }) =>
      finding('QUANTA_SPEC_INVALID', source.locate(['schema', 0, 'properties', index, 'classification']), {
        message: `column '${column.name}' is tagged pii but classified '${column.classification ?? 'nothing'}'`,
        fix: `classify it '${required}' or stricter (PII must be at least ${required})`,
      }),
    );
}
