import {
  type DetailedError,
  policySetTextToParts,
  policyToJson,
  validate,
} from '@cedar-policy/cedar-wasm/nodejs';
import type { Finding, PolicyFile, SourceLocation } from '@quanta/model';

/** A Cedar policy file and whose it is: the governance team's (global) or one domain's. */
export interface ScopedPolicyFile extends PolicyFile {
  /** `global`, or the domain whose resources the file's permits may open. */
  readonly scope: string;
}

/** One policy of the set, with where it is written and its Quanta annotations. */
export interface PolicyEntry {
  /** Its `@id` annotation, or `<file>#<n>` (1-based position in the file). */
  readonly id: string;
  readonly effect: 'permit' | 'forbid';
  readonly text: string;
  readonly scope: string;
  readonly location: SourceLocation;
  /** Offset of the policy's text in its file, to place Cedar's diagnostics. */
  readonly offset: number;
  readonly fileText: string;
  readonly annotations: Readonly<Record<string, string>>;
}

/** Every policy of the mesh, and what is wrong with the files. */
export interface LoadedPolicySet {
  readonly policies: readonly PolicyEntry[];
  readonly findings: readonly Finding[];
}

/** Splits each file into its policies, giving each a stable id; parse errors become findings. */
export function loadPolicySet(files: readonly ScopedPolicyFile[]): LoadedPolicySet {
  const policies: PolicyEntry[] = [];
  const findings: Finding[] = [];
  for (const file of files) {
    const parts = policySetTextToParts(file.text);
    if (parts.type === 'failure') {
      findings.push(
        ...parts.errors.map((error) => cedarFinding(error, { file: file.file, text: file.text, offset: 0 })),
      );
      continue;
    }
    let cursor = 0;
    for (const [index, text] of parts.policies.entries()) {
      const found = file.text.indexOf(text, cursor);
      const offset = found < 0 ? cursor : found;
      cursor = found < 0 ? cursor : found + text.length;
      const json = policyToJson(text);
      const annotations = json.type === 'success' ? (json.json.annotations ?? {}) : {};
      policies.push({
        id: annotations.id ?? `${file.file}#${index + 1}`,
        effect: json.type === 'success' ? json.json.effect : 'forbid',
        text,
        scope: file.scope,
        location: locationAt(file.text, { file: file.file, offset }),
        offset,
        fileText: file.text,
        annotations,
      });
    }
  }
  findings.push(...duplicateIds(policies));
  return { policies, findings };
}

/** Validates every policy against the schema (Cedar's strict mode), findings at `file:line:col`. */
export function validatePolicies(policies: readonly PolicyEntry[], schema: string): Finding[] {
  const byId = new Map(policies.map((policy) => [policy.id, policy]));
  const answer = validate({ schema, policies: { staticPolicies: policyRecord(policies) } });
  if (answer.type === 'failure') {
    return answer.errors.map((error) => ({
      code: 'QUANTA_SPEC_INVALID',
      severity: 'error',
      message: `the policies cannot be validated: ${error.message}`,
    }));
  }
  const findings: Finding[] = [];
  for (const { policyId, error } of answer.validationErrors) {
    const policy = byId.get(policyId);
    const where = policy
      ? { file: policy.location.file, text: policy.fileText, offset: policy.offset }
      : undefined;
    findings.push(
      where
        ? cedarFinding(error, where)
        : { code: 'QUANTA_SPEC_INVALID', severity: 'error', message: error.message },
    );
  }
  // Cedar reports policies in no useful order: sort them as a reader goes through the files.
  return findings.sort(byLocation);
}

function byLocation(a: Finding, b: Finding): number {
  const [left, right] = [a.location, b.location];
  if (!left || !right) return left ? -1 : right ? 1 : 0;
  return left.file.localeCompare(right.file) || left.line - right.line || left.col - right.col;
}

/** The policies as Cedar's static policy set, keyed by id. */
export function policyRecord(policies: readonly PolicyEntry[]): Record<string, string> {
  return Object.fromEntries(policies.map((policy) => [policy.id, policy.text]));
}

function duplicateIds(policies: readonly PolicyEntry[]): Finding[] {
  const seen = new Set<string>();
  return policies.flatMap((policy) => {
    const isDuplicate = seen.has(policy.id);
    seen.add(policy.id);
    return isDuplicate
      ? [
          {
            code: 'QUANTA_DUPLICATE_ADDRESS' as const,
            severity: 'error' as const,
            message: `policy id ${policy.id} is used twice`,
            fix: 'give each policy a unique @id("...")',
            location: policy.location,
          },
        ]
      : [];
  });
}

function cedarFinding(error: DetailedError, where: { file: string; text: string; offset: number }): Finding {
  const start = error.sourceLocations?.[0]?.start ?? 0;
  return {
    code: 'QUANTA_SPEC_INVALID',
    severity: 'error',
    message: `Cedar: ${error.message.replace(/^for policy `[^`]*`[,:] /, '')}`,
    ...(error.help ? { fix: error.help } : {}),
    location: locationAt(where.text, { file: where.file, offset: where.offset + start }),
  };
}

/** The 1-based line and column of an offset of a text. */
export function locationAt(text: string, at: { file: string; offset: number }): SourceLocation {
  const before = text.slice(0, at.offset).split('\n');
  return { file: at.file, line: before.length, col: (before.at(-1)?.length ?? 0) + 1 };
}
