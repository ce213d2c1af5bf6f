import { isJsonObject, type JsonValue, QuantaError } from '@quanta/model';
import { editYaml, parseYaml, type YamlEdit } from '@quanta/spec';
import { type EmploymentStatus, LOCAL_ADMINISTRATOR, type UserReferential } from './user-referential.ts';

/** One person of an HR or identity export, mapped onto the referential's attributes. */
export interface ImportedPerson {
  readonly id: string;
  readonly name: string;
  readonly domain: string;
  readonly country: string;
  readonly role: string;
  readonly clearance: number;
  readonly status: EmploymentStatus;
}

/** The attributes an import may change. */
export const IMPORTED_ATTRIBUTES = ['name', 'domain', 'country', 'role', 'clearance', 'status'] as const;

/** One attribute that changes. */
export interface AttributeChange {
  readonly attribute: (typeof IMPORTED_ATTRIBUTES)[number];
  readonly from: string | number;
  readonly to: string | number;
}

/** What an import would do to `governance/users.yaml`. */
export interface UsersImportDiff {
  readonly added: readonly ImportedPerson[];
  readonly changed: readonly { readonly id: string; readonly changes: readonly AttributeChange[] }[];
  /** People of the referential absent from the export: they become `status: left`. */
  readonly left: readonly string[];
}

const COLUMN_ALIASES: Readonly<Record<string, keyof ImportedPerson>> = {
  id: 'id',
  email: 'id',
  mail: 'id',
  name: 'name',
  display_name: 'name',
  full_name: 'name',
  department: 'domain',
  domain: 'domain',
  country: 'country',
  role: 'role',
  title: 'role',
  clearance: 'clearance',
  status: 'status',
  employment_status: 'status',
};

const STATUS_ALIASES: Readonly<Record<string, EmploymentStatus>> = {
  active: 'active',
  employed: 'active',
  leave: 'leave',
  'on-leave': 'leave',
  on_leave: 'leave',
  left: 'left',
  terminated: 'left',
  inactive: 'left',
};

/**
 * Reads an HR export (CSV with a header row, or a JSON array of objects) with columns id or
 * email, name, department or domain, country, role, clearance and status. A row without an id,
 * with a clearance outside 0-4 or an unknown status is an error naming its row.
 */
export function parseHrExport(text: string, format: 'csv' | 'json'): ImportedPerson[] {
  const records = format === 'json' ? jsonRecords(text) : csvRecords(text);
  return records.map((record, index) => personOf(record, index + 1));
}

/** What importing `people` changes in the referential; services and the local administrator are left alone. */
export function diffUsersImport(
  referential: UserReferential,
  people: readonly ImportedPerson[],
): UsersImportDiff {
  const current = new Map(
    referential.principals
      .filter((principal) => principal.kind === 'person' && principal.id !== LOCAL_ADMINISTRATOR.id)
      .map((principal) => [principal.id, principal]),
  );
  const imported = new Set(people.map((person) => person.id));
  const added: ImportedPerson[] = [];
  const changed: { id: string; changes: AttributeChange[] }[] = [];
  for (const person of people) {
    const existing = current.get(person.id);
    if (!existing) {
      added.push(person);
      continue;
    }
    const changes = IMPORTED_ATTRIBUTES.filter((attribute) => existing[attribute] !== person[attribute]).map(
      (attribute) => ({ attribute, from: existing[attribute], to: person[attribute] }),
    );
    if (changes.length > 0) changed.push({ id: person.id, changes });
  }
  const left = [...current.values()]
    .filter((principal) => !imported.has(principal.id) && principal.status !== 'left')
    .map((principal) => principal.id);
  return { added, changed, left };
}

/** Whether an import changes nothing. */
export function isEmptyImport(diff: UsersImportDiff): boolean {
  return diff.added.length === 0 && diff.changed.length === 0 && diff.left.length === 0;
}

/**
 * The users.yaml text after an import: changed attributes set in place, new people appended
 * under `users`, missing ones marked `status: left` (never deleted: the audit still names them).
 */
export function applyUsersImport(text: string, diff: UsersImportDiff): string {
  const data = parseYaml(text, 'users.yaml').source?.data;
  const users = isJsonObject(data) && Array.isArray(data.users) ? data.users : [];
  const indexOf = (id: string): number => users.findIndex((entry) => isJsonObject(entry) && entry.id === id);
  const edits: YamlEdit[] = [];
  for (const { id, changes } of diff.changed) {
    const index = indexOf(id);
    for (const change of changes)
      edits.push({ kind: 'set', path: ['users', index, change.attribute], value: change.to });
  }
  for (const id of diff.left)
    edits.push({ kind: 'set', path: ['users', indexOf(id), 'status'], value: 'left' });
  for (const person of diff.added)
    edits.push({ kind: 'append', path: ['users'], value: personEntry(person) });
  return editYaml(text.trim() === '' ? 'apiVersion: quanta/v1\nkind: Users\n' : text, edits);
}

function personEntry(person: ImportedPerson): JsonValue {
  const entry: Record<string, JsonValue> = { id: person.id, name: person.name };
  if (person.domain) entry.domain = person.domain;
  if (person.country) entry.country = person.country;
  if (person.role) entry.role = person.role;
  entry.clearance = person.clearance;
  if (person.status !== 'active') entry.status = person.status;
  return entry;
}

function personOf(record: Readonly<Record<string, string>>, row: number): ImportedPerson {
  const field = (name: keyof ImportedPerson): string => {
    const key = Object.keys(record).find((column) => COLUMN_ALIASES[normalize(column)] === name);
    return key === undefined ? '' : (record[key] ?? '').trim();
  };
  const id = field('id');
  if (id === '') throw importError(row, 'has no id or email');
  const clearanceText = field('clearance');
  const clearance = clearanceText === '' ? 0 : Number(clearanceText);
  if (!Number.isInteger(clearance) || clearance < 0 || clearance > 4) {
    throw importError(row, `has clearance '${clearanceText}' (expected 0 to 4)`);
  }
  const statusText = field('status').toLowerCase();
  const status = statusText === '' ? 'active' : STATUS_ALIASES[statusText];
  if (!status) throw importError(row, `has status '${statusText}' (expected active, leave or left)`);
  return {
    id,
    name: field('name') || id,
    domain: field('domain'),
    country: field('country').toUpperCase(),
    role: field('role'),
    clearance,
    status,
  };
}

function normalize(column: string): string {
  return column
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');
}

function importError(row: number, problem: string): QuantaError {
  return new QuantaError('QUANTA_SCHEMA_VIOLATION', `record ${row} of the export ${problem}`, {
    fix: 'export columns id (or email), name, department (or domain), country, role, clearance, status',
  });
}

function jsonRecords(text: string): Record<string, string>[] {
  const data: unknown = JSON.parse(text);
  const list = Array.isArray(data)
    ? data
    : isJsonObject(data as JsonValue)
      ? (data as { users?: unknown }).users
      : undefined;
  if (!Array.isArray(list))
    throw new QuantaError(
      'QUANTA_SCHEMA_VIOLATION',
      'a JSON export must be an array of people (or { "users": [...] })',
    );
  return list.map((entry: unknown) =>
    Object.fromEntries(
      Object.entries(typeof entry === 'object' && entry !== null ? entry : {}).map(([key, value]) => [
        key,
        value === null || value === undefined ? '' : String(value),
      ]),
    ),
  );
}

/** RFC 4180 CSV: quoted fields with doubled quotes and embedded separators or newlines. */
function csvRecords(text: string): Record<string, string>[] {
  const rows = csvRows(text.replace(/^\uFEFF/, '')).filter((row) => row.some((cell) => cell.trim() !== ''));
  const [header, ...body] = rows;
  if (!header) return [];
  return body.map((row) => Object.fromEntries(header.map((column, index) => [column, row[index] ?? ''])));
}

function csvRows(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let isQuoted = false;
  for (let index = 0; index < text.length; index += 1) {
    const char = text[index];
    if (isQuoted) {
      if (char === '"' && text[index + 1] === '"') {
        cell += '"';
        index += 1;
      } else if (char === '"') isQuoted = false;
      else cell += char;
    } else if (char === '"') isQuoted = true;
    else if (char === ',') {
      row.push(cell);
      cell = '';
    } else if (char === '\n' || char === '\r') {
      if (char === '\r' && text[index + 1] === '\n') index += 1;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += char;
  }
  if (cell !== '' || row.length > 0) rows.push([...row, cell]);
  return rows;
}
