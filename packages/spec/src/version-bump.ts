/** The bump between two declared versions. */
export type VersionBump = 'major' | 'minor' | 'patch' | 'none' | 'downgrade';

const SEMVER = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?/;

/**
 * The semantic-version bump from `before` to `after` (a leading `v` and missing parts are
 * allowed; pre-release and build suffixes are ignored). Text that is not a version at all
 * compares as 0.0.0, so changing it never counts as a bump.
 */
export function versionBump(before: string, after: string): VersionBump {
  const from = parts(before);
  const to = parts(after);
  for (const [index, level] of (['major', 'minor', 'patch'] as const).entries()) {
    const [a, b] = [from[index] ?? 0, to[index] ?? 0];
    if (b > a) return level;
    if (b < a) return 'downgrade';
  }
  return 'none';
}

/** The smallest version that makes the given bump from `version`. */
export function nextVersion(version: string, bump: 'major' | 'minor' | 'patch'): string {
  const [major = 0, minor = 0, patch = 0] = parts(version);
  if (bump === 'major') return `${major + 1}.0.0`;
  if (bump === 'minor') return `${major}.${minor + 1}.0`;
  return `${major}.${minor}.${patch + 1}`;
}

function parts(version: string): number[] {
  const match = SEMVER.exec(version.trim());
  if (!match) return [0, 0, 0];
  return [match[1], match[2], match[3]].map((part) => (part === undefined ? 0 : Number(part)));
}
