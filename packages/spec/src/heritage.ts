import {
  CLASSIFICATIONS,
  type Classification,
  type Finding,
  type Heritage,
  isJsonObject,
  type JsonValue,
  type RequiredMetadata,
  type SourceLocation,
} from '@quanta/model';
import { finding } from './finding.ts';
import { numberField, stringField, stringsField } from './json-access.ts';
import type { YamlSource } from './yaml-source.ts';

/** The metadata template when quanta.yaml declares none: everything the brief asks for. */
export const DEFAULT_REQUIRED_METADATA: readonly RequiredMetadata[] = [
  'owner',
  'description',
  'purpose',
  'classification',
  'quality',
  'retention',
];

/** The heritage of a mesh whose quanta.yaml says nothing: the full metadata template, no gates. */
export const DEFAULT_HERITAGE: Heritage = {
  requiredMetadata: DEFAULT_REQUIRED_METADATA,
  requiredQualityGates: [],
};

/** The rank of a classification (public 0 ... restricted 3), or -1 when unknown. */
export function classificationRank(value: string | undefined): number {
  return CLASSIFICATIONS.indexOf((value ?? '') as Classification);
}

/** Reads the global heritage of quanta.yaml; an absent metadata template means the full one. */
export function readGlobalHeritage(raw: JsonValue | undefined): Heritage {
  const declared = readPartialHeritage(raw);
  return {
    ...declared,
    requiredMetadata: declared.requiredMetadata ?? DEFAULT_REQUIRED_METADATA,
    requiredQualityGates: declared.requiredQualityGates ?? [],
  };
}

/** Reads a `heritage:` block, keeping only what it declares. */
export function readPartialHeritage(raw: JsonValue | undefined): Partial<Heritage> {
  if (!isJsonObject(raw)) return {};
  const maxRetentionDays = numberField(raw, 'maxRetentionDays');
  const pii = stringField(raw, 'piiClassification');
  const retentionClass = stringField(raw, 'retentionClass');
  return {
    ...(maxRetentionDays === undefined ? {} : { maxRetentionDays }),
    ...(classificationRank(pii) >= 0 ? { piiClassification: pii as Classification } : {}),
    ...(Array.isArray(raw.requiredQualityGates)
      ? { requiredQualityGates: stringsField(raw, 'requiredQualityGates') }
      : {}),
    ...(Array.isArray(raw.requiredMetadata)
      ? { requiredMetadata: stringsField(raw, 'requiredMetadata') as RequiredMetadata[] }
      : {}),
    ...(retentionClass === undefined ? {} : { retentionClass }),
  };
}

/** The heritage a domain's contracts follow: the global rules, tightened by the domain's. */
export function mergeHeritage(global: Heritage, domain: Partial<Heritage>): Heritage {
  const maxRetention = [global.maxRetentionDays, domain.maxRetentionDays].filter(
    (days) => days !== undefined,
  );
  const pii = [global.piiClassification, domain.piiClassification].filter((level) => level !== undefined);
  const retentionClass = domain.retentionClass ?? global.retentionClass;
  return {
    requiredMetadata: union(global.requiredMetadata, domain.requiredMetadata ?? []),
    requiredQualityGates: union(global.requiredQualityGates, domain.requiredQualityGates ?? []),
    ...(maxRetention.length > 0 ? { maxRetentionDays: Math.min(...maxRetention) } : {}),
    ...(pii.length > 0
      ? { piiClassification: pii.reduce((a, b) => (classificationRank(a) >= classificationRank(b) ? a : b)) }
      : {}),
    ...(retentionClass === undefined ? {} : { retentionClass }),
  };
}

function union<T>(first: readonly T[], second: readonly T[]): T[] {
  return [...new Set([...first, ...second])];
}

/**
 * Findings for every place a domain's heritage weakens the global one: a longer maximum
 * retention, a lower PII classification, or a dropped metadata or quality-gate entry.
 */
export function checkHeritageWeakened(global: Heritage, domain: YamlSource): Finding[] {
  const own = readPartialHeritage(isJsonObject(domain.data) ? domain.data.heritage : undefined);
  const findings: Finding[] = [];
  const at = (key: string) => domain.locate(['heritage', key], { key: true });
  if (own.maxRetentionDays !== undefined && global.maxRetentionDays !== undefined) {
    if (own.maxRetentionDays > global.maxRetentionDays) {
      findings.push(
        weakened(at('maxRetentionDays'), {
          message: `maxRetentionDays ${own.maxRetentionDays} is longer than the global ${global.maxRetentionDays} days`,
          fix: `set maxRetentionDays to ${global.maxRetentionDays} or less, or remove it to inherit the global value`,
        }),
      );
    }
  }
  if (own.piiClassification && global.piiClassification) {
    if (classificationRank(own.piiClassification) < classificationRank(global.piiClassification)) {
      findings.push(
        weakened(at('piiClassification'), {
          message: `piiClassification '${own.piiClassification}' is less strict than the global '${global.piiClassification}'`,
          fix: `set piiClassification to '${global.piiClassification}' or stricter, or remove it`,
        }),
      );
    }
  }
  for (const key of ['requiredMetadata', 'requiredQualityGates'] as const) {
    findings.push(...droppedEntries(global[key], own[key], { location: at(key), key }));
  }
  return findings;
}

function droppedEntries(
  global: readonly string[],
  own: readonly string[] | undefined,
  { location, key }: { location: SourceLocation; key: string },
): Finding[] {
  if (own === undefined) return [];
  const dropped = global.filter((entry) => !own.includes(entry));
  if (dropped.length === 0) return [];
  return [
    weakened(location, {
      message: `${key} drops ${dropped.map((entry) => `'${entry}'`).join(', ')}, required globally`,
      fix: `add ${dropped.join(', ')} back to ${key} (a domain may add entries, never remove them)`,
    }),
  ];
}

function weakened(location: SourceLocation, text: { message: string; fix: string }): Finding {
  return finding('QUANTA_HERITAGE_WEAKENED', location, text);
}
