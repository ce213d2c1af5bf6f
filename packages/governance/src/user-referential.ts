import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { type Finding, isJsonObject, type JsonValue, type SourceLocation } from '@quanta/model';
import { type JsonPath, parseYaml, type YamlSource } from '@quanta/spec';

/** Whether a principal is a person or a service (a pipeline, a BI tool). */
export type PrincipalKind = 'person' | 'service';

/** Employment status: `left` principals cannot authenticate at all; the others are up to policies. */
export type EmploymentStatus = 'active' | 'leave' | 'left';

/** A person or service account of the referential, with the attributes policies read. */
export interface Principal {
  readonly id: string;
  readonly name: string;
  readonly kind: PrincipalKind;
  /** The domain (department) the principal belongs to; empty when none. */
  readonly domain: string;
  readonly country: string;
  readonly role: string;
  /** 0 (none) to 4; restricted data needs 3 in the example guardrails. */
  readonly clearance: number;
  readonly status: EmploymentStatus;
  readonly groups: readonly string[];
  /**
   * Port addresses of the principal's active access grants; not from users.yaml but from the
   * store, at the time of each request (Cedar sees them as `principal.grants`).
   */
  readonly grants?: readonly string[];
}

/** A group of principals; policies test membership with `principal in Group::"id"`. */
export interface Group {
  readonly id: string;
  readonly description: string;
}

/** The user referential: `governance/users.yaml`. */
export interface UserReferential {
  readonly principals: readonly Principal[];
  readonly groups: readonly Group[];
}

/** The referential parsed from a file, with what is wrong in it. */
export interface LoadedReferential {
  readonly referential: UserReferential;
  readonly findings: readonly Finding[];
}

/** Where the referential lives, relative to the mesh root. */
export const USERS_FILE = 'governance/users.yaml';

/**
 * The built-in local administrator: the principal of the local CLI when neither `--as` nor
 * `QUANTA_PRINCIPAL` names one. It exists in every mesh (a users.yaml entry with the same id
 * replaces it) and is refused by the HTTP front door.
 */
export const LOCAL_ADMINISTRATOR: Principal = {
  id: 'local-admin',
  name: 'Local mesh administrator',
  kind: 'person',
  domain: '',
  country: '',
  role: 'admin',
  clearance: 4,
  status: 'active',
  groups: [],
};

const STATUSES: readonly EmploymentStatus[] = ['active', 'leave', 'left'];
const KINDS: readonly PrincipalKind[] = ['person', 'service'];

/** Reads `governance/users.yaml` of a mesh; a mesh without one has only the local administrator. */
export async function loadUserReferential(root: string): Promise<LoadedReferential> {
  const text = await readFile(path.join(root, USERS_FILE), 'utf8').catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  });
  if (text === undefined)
    return { referential: withLocalAdministrator({ principals: [], groups: [] }), findings: [] };
  return parseUserReferential(text, USERS_FILE);
}

/** Parses a users.yaml text; every problem is a finding at its `file:line:col`. */
export function parseUserReferential(text: string, file: string): LoadedReferential {
  const parsed = parseYaml(text, file);
  if (!parsed.source)
    return { referential: withLocalAdministrator({ principals: [], groups: [] }), findings: parsed.findings };
  const reader = new ReferentialReader(parsed.source);
  const referential = reader.read();
  return { referential: withLocalAdministrator(referential), findings: reader.findings };
}

function withLocalAdministrator(referential: UserReferential): UserReferential {
  if (referential.principals.some((principal) => principal.id === LOCAL_ADMINISTRATOR.id)) return referential;
  return { ...referential, principals: [...referential.principals, LOCAL_ADMINISTRATOR] };
}

/** Reads the document field by field, collecting findings instead of stopping at the first. */
class ReferentialReader {
  readonly findings: Finding[] = [];
  readonly #source: YamlSource;

  constructor(source: YamlSource) {
    this.#source = source;
  }

  read(): UserReferential {
    const data = this.#source.data;
    if (!isJsonObject(data)) {
      this.#error([], 'users.yaml must be a mapping with `users`, `groups` and `services`');
      return { principals: [], groups: [] };
    }
    const groups = this.#list(data.groups, ['groups']).flatMap((entry, index) =>
      this.#group(entry, ['groups', index]),
    );
    const people = this.#list(data.users, ['users']).flatMap((entry, index) =>
      this.#principal(entry, { path: ['users', index], kind: 'person', groups }),
    );
    const services = this.#list(data.services, ['services']).flatMap((entry, index) =>
      this.#principal(entry, { path: ['services', index], kind: 'service', groups }),
    );
    const principals = [...people, ...services];
    this.#checkUnique(principals);
    return { principals, groups };
  }

  #list(value: JsonValue | undefined, at: JsonPath): JsonValue[] {
    if (value === undefined || value === null) return [];
    if (Array.isArray(value)) return value;
    this.#error(at, `\`${at.join('.')}\` must be a list`);
    return [];
  }

  #group(entry: JsonValue, at: JsonPath): Group[] {
    if (!isJsonObject(entry) || typeof entry.id !== 'string' || entry.id === '') {
      this.#error(at, 'a group needs an `id`');
      return [];
    }
    return [{ id: entry.id, description: typeof entry.description === 'string' ? entry.description : '' }];
  }

  #principal(
    entry: JsonValue,
    options: { path: JsonPath; kind: PrincipalKind; groups: readonly Group[] },
  ): Principal[] {
    const at = options.path;
    if (!isJsonObject(entry) || typeof entry.id !== 'string' || entry.id === '') {
      this.#error(at, 'a user or service account needs an `id`');
      return [];
    }
    const clearance = entry.clearance ?? 0;
    if (typeof clearance !== 'number' || !Number.isInteger(clearance) || clearance < 0 || clearance > 4) {
      this.#error([...at, 'clearance'], 'clearance must be an integer from 0 to 4');
    }
    const status = entry.status ?? 'active';
    if (typeof status !== 'string' || !(STATUSES as readonly string[]).includes(status)) {
      this.#error([...at, 'status'], `status must be one of ${STATUSES.join(', ')}`);
    }
    const kind = entry.kind ?? options.kind;
    if (typeof kind !== 'string' || !(KINDS as readonly string[]).includes(kind)) {
      this.#error([...at, 'kind'], `kind must be one of ${KINDS.join(', ')}`);
    }
    const groups = this.#memberships(entry.groups, { at: [...at, 'groups'], known: options.groups });
    return [
      {
        id: entry.id,
        name: this.#text(entry.name, [...at, 'name']) || entry.id,
        kind: kind === 'service' ? 'service' : 'person',
        domain: this.#text(entry.domain, [...at, 'domain']),
        country: this.#text(entry.country, [...at, 'country']),
        role: this.#text(entry.role, [...at, 'role']),
        clearance: typeof clearance === 'number' ? clearance : 0,
        status: (STATUSES as readonly string[]).includes(String(status))
          ? (status as EmploymentStatus)
          : 'left',
        groups,
      },
    ];
  }

  #memberships(value: JsonValue | undefined, options: { at: JsonPath; known: readonly Group[] }): string[] {
    const ids = this.#list(value, options.at);
    return ids.flatMap((id, index) => {
      if (typeof id === 'string' && options.known.some((group) => group.id === id)) return [id];
      this.#error([...options.at, index], `unknown group ${JSON.stringify(id)}`, 'declare it under `groups`');
      return [];
    });
  }

  #text(value: JsonValue | undefined, at: JsonPath): string {
    if (value === undefined || value === null) return '';
    if (typeof value === 'string') return value;
    this.#error(at, `\`${String(at.at(-1))}\` must be a string`);
    return '';
  }

  #checkUnique(principals: readonly Principal[]): void {
    const seen = new Set<string>();
    for (const [index, principal] of principals.entries()) {
      if (seen.has(principal.id))
        this.#error([], `principal ${principal.id} is declared twice (entry ${index + 1})`);
      seen.add(principal.id);
    }
  }

  #error(at: JsonPath, message: string, fix?: string): void {
    const location: SourceLocation = this.#source.locate(at);
    this.findings.push({
      code: 'QUANTA_SCHEMA_VIOLATION',
      severity: 'error',
      message,
      location,
      ...(fix ? { fix } : {}),
    });
  }
}

/**
 * The principal a local front door (the CLI) acts as: `QUANTA_PRINCIPAL`, or the built-in local
 * administrator. The HTTP front door never uses it: it names its principal per request.
 */
export function localPrincipal(env: NodeJS.ProcessEnv = process.env): string {
  const named = env.QUANTA_PRINCIPAL?.trim();
  return named ? named : LOCAL_ADMINISTRATOR.id;
}
