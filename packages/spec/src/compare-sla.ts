import type { JsonValue } from '@quanta/model';
import { type ContractChange, change } from './contract-change.ts';
import { durationDays } from './duration-days.ts';
import { stringField } from './json-access.ts';

/** Which way an SLA property gets better. */
type Direction = 'lower' | 'higher' | 'later';

/**
 * The SLA properties whose direction Quanta knows. Durations (latency, freshness, frequency
 * as "every N units", times to detect/notify/repair) are better when shorter; availability-
 * like ratios when higher; end-of-support and end-of-life dates when later.
 */
const DIRECTIONS: Readonly<Record<string, Direction>> = {
  latency: 'lower',
  freshness: 'lower',
  frequency: 'lower',
  timetodetect: 'lower',
  timetonotify: 'lower',
  timetorepair: 'lower',
  ttd: 'lower',
  ttn: 'lower',
  ttr: 'lower',
  mttr: 'lower',
  availability: 'higher',
  uptime: 'higher',
  throughput: 'higher',
  completeness: 'higher',
  endofsupport: 'later',
  endoflife: 'later',
};

interface SlaEntry {
  readonly key: string;
  readonly label: string;
  readonly property: string;
  readonly value: JsonValue | undefined;
  readonly unit?: string;
}

/**
 * Compares two `slaProperties` lists (retention is diffed on its own). Weakening a known
 * property or dropping an entry is major; tightening or adding one is minor; changing a
 * property whose direction is unknown is minor.
 */
export function compareSla(before: readonly JsonValue[], after: readonly JsonValue[]): ContractChange[] {
  const beforeEntries = entriesOf(before);
  const afterEntries = entriesOf(after);
  const changes: ContractChange[] = [];
  for (const [key, entry] of beforeEntries) {
    const next = afterEntries.get(key);
    if (!next) changes.push(change('major', `SLA ${entry.label} is dropped`));
    else changes.push(...compareEntry(entry, next));
  }
  for (const [key, entry] of afterEntries) {
    if (!beforeEntries.has(key))
      changes.push(change('minor', `SLA ${entry.label} is added (${valueText(entry)})`));
  }
  return changes;
}

function entriesOf(list: readonly JsonValue[]): Map<string, SlaEntry> {
  const entries = new Map<string, SlaEntry>();
  for (const item of list) {
    const property = stringField(item, 'property') ?? '';
    if (property.toLowerCase() === 'retention' || property === '') continue;
    const element = stringField(item, 'element');
    const driver = stringField(item, 'driver');
    const qualifiers = [element, driver].filter((part) => part !== undefined);
    const label = qualifiers.length > 0 ? `${property} (${qualifiers.join(', ')})` : property;
    const key = [property.toLowerCase(), element ?? '', driver ?? ''].join('|');
    const value = typeof item === 'object' && item !== null && !Array.isArray(item) ? item.value : undefined;
    const unit = stringField(item, 'unit');
    entries.set(key, { key, label, property: property.toLowerCase(), value, ...(unit ? { unit } : {}) });
  }
  return entries;
}

function valueText(entry: SlaEntry): string {
  return `${String(entry.value)}${entry.unit ? ` ${entry.unit}` : ''}`;
}

function compareEntry(before: SlaEntry, after: SlaEntry): ContractChange[] {
  if (valueText(before) === valueText(after)) return [];
  const text = `SLA ${before.label} goes from ${valueText(before)} to ${valueText(after)}`;
  const direction = DIRECTIONS[before.property];
  const from = comparable(before, direction);
  const to = comparable(after, direction);
  if (direction === undefined || from === undefined || to === undefined || from === to) {
    return [change('minor', text)];
  }
  const isBetter = direction === 'higher' || direction === 'later' ? to > from : to < from;
  return [isBetter ? change('minor', `${text} (tightened)`) : change('major', `${text} (weakened)`)];
}

/** A number to compare: days for durations, a ratio for percentages, a time for dates. */
function comparable(entry: SlaEntry, direction: Direction | undefined): number | undefined {
  const { value, unit } = entry;
  if (direction === 'later') {
    const time = typeof value === 'string' ? Date.parse(value) : Number.NaN;
    return Number.isNaN(time) ? undefined : time;
  }
  const number =
    typeof value === 'number' ? value : typeof value === 'string' ? Number.parseFloat(value) : Number.NaN;
  if (Number.isNaN(number)) return undefined;
  if (direction === 'lower' && unit !== undefined) return durationDays(number, unit);
  return number;
}
