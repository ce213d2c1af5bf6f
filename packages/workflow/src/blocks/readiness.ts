import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';

/**
 * When a delivery counts as complete. Every condition given must hold: a marker file present,
 * every expected file present, at least `rows` data rows across the files, and no file changed
 * (size or modification time) for `quietSeconds`.
 */
export interface ReadinessRule {
  readonly marker?: string;
  readonly files?: readonly string[];
  readonly rows?: number;
  readonly quietSeconds?: number;
}

/** One file of a delivery as a poll saw it. */
export interface ObservedFile {
  readonly path: string;
  readonly size: number;
  readonly mtimeMs: number;
}

/** What the previous polls saw: each file's size and mtime, and when that state was first seen. */
export type ReadinessObservations = Map<string, { size: number; mtimeMs: number; since: number }>;

/** A readiness verdict with the reason, for the journal and `quanta triggers why`. */
export type Readiness =
  | { readonly kind: 'ready'; readonly reason: string; readonly files: readonly ObservedFile[] }
  | { readonly kind: 'waiting'; readonly reason: string; readonly files: readonly ObservedFile[] };

/**
 * Polls a landing folder once and says whether the delivery is complete. Stability is judged
 * on the poller's own observations (size and mtime unchanged since `since`, measured on the
 * injected clock's `now`), never on `fs.watch`, which misses events on many file systems.
 */
export async function checkReadiness(
  folder: string,
  options: { rule: ReadinessRule; now: number; observations: ReadinessObservations },
): Promise<Readiness> {
  const { rule, now, observations } = options;
  const files = await listFiles(folder);
  const data = files.filter((file) => path.basename(file.path) !== rule.marker);
  const stableFor = observe(observations, { files, now });
  if (rule.marker !== undefined && data.length === files.length) {
    return { kind: 'waiting', reason: `marker file ${rule.marker} not there yet`, files: data };
  }
  const names = new Set(data.map((file) => path.basename(file.path)));
  const missing = (rule.files ?? []).filter((name) => !names.has(name));
  if (missing.length > 0) {
    return { kind: 'waiting', reason: `expected file(s) missing: ${missing.join(', ')}`, files: data };
  }
  if (rule.quietSeconds !== undefined && stableFor < rule.quietSeconds * 1000) {
    const seconds = Math.round(stableFor / 1000);
    return {
      kind: 'waiting',
      reason: `files changed ${seconds} s ago, quiet period is ${rule.quietSeconds} s`,
      files: data,
    };
  }
  if (rule.rows !== undefined) {
    const rows = await countRows(data);
    if (rows < rule.rows)
      return { kind: 'waiting', reason: `${rows} of ${rule.rows} expected rows`, files: data };
  }
  if (data.length === 0) return { kind: 'waiting', reason: 'no file yet', files: data };
  return { kind: 'ready', reason: `${data.length} file(s) complete`, files: data };
}

/** The files directly in a folder (none when it does not exist), sorted by path. */
export async function listFiles(folder: string): Promise<ObservedFile[]> {
  const entries = await readdir(folder, { withFileTypes: true }).catch(() => []);
  const files = await Promise.all(
    entries
      .filter((entry) => entry.isFile() && !entry.name.startsWith('.'))
      .map(async (entry) => {
        const file = path.join(folder, entry.name);
        const info = await stat(file).catch(() => undefined);
        return info ? [{ path: file, size: info.size, mtimeMs: info.mtimeMs }] : [];
      }),
  );
  return files.flat().sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** Records this poll; returns for how long (ms) no file has changed. */
function observe(
  observations: ReadinessObservations,
  at: { files: readonly ObservedFile[]; now: number },
): number {
  let quietSince = Number.NEGATIVE_INFINITY;
  const seen = new Set<string>();
  for (const file of at.files) {
    seen.add(file.path);
    const before = observations.get(file.path);
    const isSame = before && before.size === file.size && before.mtimeMs === file.mtimeMs;
    const since = isSame ? before.since : at.now;
    observations.set(file.path, { size: file.size, mtimeMs: file.mtimeMs, since });
    quietSince = Math.max(quietSince, since);
  }
  for (const known of observations.keys()) if (!seen.has(known)) observations.delete(known);
  return at.files.length === 0 ? 0 : at.now - quietSince;
}

/** Data rows of CSV (header excluded) and NDJSON files; other formats count one row per line. */
async function countRows(files: readonly ObservedFile[]): Promise<number> {
  let rows = 0;
  for (const file of files) {
    const text = await readFile(file.path, 'utf8');
    const lines = text.split('\n').filter((line) => line.trim() !== '').length;
    rows += file.path.toLowerCase().endsWith('.csv') ? Math.max(0, lines - 1) : lines;
  }
  return rows;
}
