import type { ColumnSpec, ContractSpec, JsonValue } from '@quanta/model';
import {
  baseType,
  compareBaseTypes,
  compareDecimals,
  comparedType,
  compareLengths,
} from './compare-column-types.ts';
import { compareSla } from './compare-sla.ts';
import { type ContractChange, type ContractDiff, change, verdictOf } from './contract-change.ts';
import { classificationRank } from './heritage.ts';
import { arrayField, canonicalJson } from './json-access.ts';

/**
 * Diffs two versions of a contract from the consumers' side. Major (breaking): a column
 * removed or added as required, a type narrowed, a column made required/unique/primary key,
 * an enum value dropped, a classification weakened, retention shortened, an SLA weakened or
 * dropped. Minor: the reverse moves (optional column added, type widened, enum value added,
 * constraint relaxed, classification or SLA tightened, retention lengthened). Patch: anything
 * else that changed (descriptions, tags, quality rules, other metadata). The contract's own
 * `version` is not a change.
 */
export function diffContracts(before: ContractSpec, after: ContractSpec): ContractDiff {
  const changes = [
    ...diffColumns(before.table.columns, after.table.columns),
    ...diffRetention(before, after),
  ];
  changes.push(
    ...compareSla(arrayField(before.odcs, 'slaProperties'), arrayField(after.odcs, 'slaProperties')),
  );
  changes.push(...diffMetadata(before, after, changes));
  return { verdict: verdictOf(changes), changes };
}

function diffColumns(before: readonly ColumnSpec[], after: readonly ColumnSpec[]): ContractChange[] {
  const afterByName = new Map(after.map((column) => [column.name, column]));
  const beforeNames = new Set(before.map((column) => column.name));
  const changes: ContractChange[] = [];
  for (const column of before) {
    const next = afterByName.get(column.name);
    if (next) changes.push(...diffColumn(column, next));
    else changes.push(change('major', `column '${column.name}' is removed`, column.name));
  }
  for (const column of after.filter((candidate) => !beforeNames.has(candidate.name))) {
    changes.push(
      column.required
        ? change('major', `column '${column.name}' is added as required`, column.name)
        : change('minor', `optional column '${column.name}' is added`, column.name),
    );
  }
  return changes;
}

function diffColumn(before: ColumnSpec, after: ColumnSpec): ContractChange[] {
  const name = before.name;
  const changes = diffType(before, after);
  for (const flag of ['required', 'unique', 'primaryKey'] as const) {
    if (before[flag] === after[flag]) continue;
    changes.push(
      after[flag]
        ? change('major', `column '${name}' becomes ${flagText(flag)}`, name)
        : change('minor', `column '${name}' is no longer ${flagText(flag)}`, name),
    );
  }
  changes.push(...diffEnum(before, after), ...diffClassification(before, after));
  if ((before.description ?? '') !== (after.description ?? '')) {
    changes.push(change('patch', `column '${name}' description changes`, name));
  }
  if (canonicalJson([...before.tags].sort()) !== canonicalJson([...after.tags].sort())) {
    changes.push(change('patch', `column '${name}' tags change`, name));
  }
  return changes;
}

function flagText(flag: 'required' | 'unique' | 'primaryKey'): string {
  return flag === 'primaryKey' ? 'part of the primary key' : flag;
}

function typeText(column: ColumnSpec): string {
  return column.physicalType ?? column.logicalType;
}

function diffType(before: ColumnSpec, after: ColumnSpec): ContractChange[] {
  const name = before.name;
  const base = compareBaseTypes(before, after);
  if (base !== 'same') {
    const types = comparedType(before, after);
    const verb = base === 'narrower' ? 'narrows' : 'widens';
    return [
      change(
        base === 'narrower' ? 'major' : 'minor',
        `column '${name}' ${verb} its type from ${types.before} to ${types.after}`,
        name,
      ),
    ];
  }
  const changes: ContractChange[] = [];
  if (baseType(typeText(before)) === 'decimal' && baseType(typeText(after)) === 'decimal') {
    const decimals = compareDecimals(before, after);
    if (decimals !== 'same') {
      const text = `decimal(${before.precision ?? 18},${before.scale ?? 3}) to decimal(${after.precision ?? 18},${after.scale ?? 3})`;
      const verb = decimals === 'narrower' ? 'narrows' : 'widens';
      changes.push(
        change(
          decimals === 'narrower' ? 'major' : 'minor',
          `column '${name}' ${verb} its type from ${text}`,
          name,
        ),
      );
    }
  }
  const lengths = compareLengths(before.maxLength, after.maxLength);
  if (lengths !== 'same') {
    const text = `${before.maxLength ?? 'unlimited'} to ${after.maxLength ?? 'unlimited'}`;
    const verb = lengths === 'narrower' ? 'lowers' : 'raises';
    changes.push(
      change(
        lengths === 'narrower' ? 'major' : 'minor',
        `column '${name}' ${verb} its maxLength from ${text}`,
        name,
      ),
    );
  }
  return changes;
}

function diffEnum(before: ColumnSpec, after: ColumnSpec): ContractChange[] {
  const name = before.name;
  if (!before.enumValues && !after.enumValues) return [];
  if (!after.enumValues) return [change('minor', `column '${name}' no longer restricts its values`, name)];
  if (!before.enumValues) {
    return [
      change('major', `column '${name}' now restricts its values to ${after.enumValues.join(', ')}`, name),
    ];
  }
  const dropped = before.enumValues.filter((value) => !after.enumValues?.includes(value));
  const added = after.enumValues.filter((value) => !before.enumValues?.includes(value));
  const changes: ContractChange[] = [];
  if (dropped.length > 0)
    changes.push(change('major', `column '${name}' drops allowed value(s) ${dropped.join(', ')}`, name));
  if (added.length > 0)
    changes.push(change('minor', `column '${name}' allows new value(s) ${added.join(', ')}`, name));
  return changes;
}

function diffClassification(before: ColumnSpec, after: ColumnSpec): ContractChange[] {
  const name = before.name;
  const from = before.classification;
  const to = after.classification;
  if (from === to) return [];
  const text = `column '${name}' classification goes from ${from ?? 'none'} to ${to ?? 'none'}`;
  const [fromRank, toRank] = [classificationRank(from), classificationRank(to)];
  if (to === undefined) return [change('major', `${text} (weakened)`, name)];
  if (fromRank >= 0 && toRank >= 0) {
    return [
      toRank < fromRank
        ? change('major', `${text} (weakened)`, name)
        : change('minor', `${text} (tightened)`, name),
    ];
  }
  return [change('minor', text, name)];
}

function diffRetention(before: ContractSpec, after: ContractSpec): ContractChange[] {
  const from = before.retentionDays;
  const to = after.retentionDays;
  if (from === to) return [];
  const text = `retention goes from ${daysText(from)} to ${daysText(to)}`;
  if (to === undefined) return [change('minor', `${text} (no longer limited)`)];
  if (from === undefined || to < from) return [change('major', `${text} (shortened)`)];
  return [change('minor', `${text} (lengthened)`)];
}

function daysText(days: number | undefined): string {
  return days === undefined ? 'unlimited' : `${Math.round(days)} days`;
}

/** Changes none of the rules above explain: documentation and other metadata, a patch. */
function diffMetadata(
  before: ContractSpec,
  after: ContractSpec,
  found: readonly ContractChange[],
): ContractChange[] {
  const keys = [...new Set([...Object.keys(before.odcs), ...Object.keys(after.odcs)])].filter(
    (key) => key !== 'version' && key !== 'schema' && key !== 'slaProperties',
  );
  const changed = keys.filter((key) => canonicalJson(before.odcs[key]) !== canonicalJson(after.odcs[key]));
  const changes = changed.length > 0 ? [change('patch', `contract ${changed.join(', ')} change(s)`)] : [];
  const explained = (prefix: string) =>
    found.some((item) => item.message.startsWith(prefix) || item.column !== undefined);
  if (differs(before.odcs.schema, after.odcs.schema) && !explained('column')) {
    changes.push(change('patch', 'schema documentation or quality rules change'));
  }
  if (
    differs(before.odcs.slaProperties, after.odcs.slaProperties) &&
    !found.some((item) => /SLA|retention/.test(item.message))
  ) {
    changes.push(change('patch', 'SLA details change'));
  }
  return changes;
}

function differs(before: JsonValue | undefined, after: JsonValue | undefined): boolean {
  return canonicalJson(before) !== canonicalJson(after);
}
