import type { Dirent } from 'node:fs';
import { constants } from 'node:fs';
import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Finding } from '@quanta/model';
import { fileStart, finding } from './finding.ts';

/** An entry of a mesh folder; `path` is relative to the mesh root, with `/`. */
export interface MeshEntry {
  readonly name: string;
  readonly path: string;
  readonly kind: 'file' | 'dir';
}

/**
 * Reads files below one mesh root and refuses to leave it: a symlink whose target lies
 * outside the root is skipped with a QUANTA_PATH_ESCAPE finding.
 */
export class MeshFiles {
  /** Absolute path of the root, as given. */
  readonly root: string;
  readonly #realRoot: string;
  readonly #findings: Finding[];
  readonly #reported = new Set<string>();

  private constructor(options: { root: string; realRoot: string; findings: Finding[] }) {
    this.root = options.root;
    this.#realRoot = options.realRoot;
    this.#findings = options.findings;
  }

  /** Opens a root (resolving its own symlinks); escape findings go into `findings`. */
  static async create(root: string, findings: Finding[]): Promise<MeshFiles | undefined> {
    const absolute = path.resolve(root);
    try {
      return new MeshFiles({ root: absolute, realRoot: await realpath(absolute), findings });
    } catch {
      return undefined;
    }
  }

  /** True when an absolute path (already resolved) lies inside the root. */
  isInside(absolute: string): boolean {
    return isWithin(this.#realRoot, absolute) || isWithin(this.root, absolute);
  }

  /** The entries of a folder, sorted by name; a missing folder has none. */
  async list(relativeDir: string): Promise<MeshEntry[]> {
    let dirents: Dirent[];
    try {
      dirents = await readdir(path.join(this.root, relativeDir), { withFileTypes: true });
    } catch {
      return [];
    }
    const entries = await Promise.all(
      dirents.map((dirent) =>
        this.#entryOf(dirent, relativeDir === '' ? dirent.name : `${relativeDir}/${dirent.name}`),
      ),
    );
    return entries
      .filter((entry) => entry !== undefined)
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /**
   * The text of a file, or undefined when it does not exist. The common case costs one open:
   * only a file that is itself a symlink has its target resolved and checked. Folders are
   * checked by `list`, which every path below the root goes through.
   */
  async read(relativeFile: string): Promise<string | undefined> {
    const absolute = path.join(this.root, relativeFile);
    try {
      return await readFile(absolute, { encoding: 'utf8', flag: constants.O_RDONLY | NO_FOLLOW });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ELOOP') return undefined;
    }
    const target = await realpath(absolute).catch(() => undefined);
    if (target === undefined) return undefined;
    if (!isWithin(this.#realRoot, target)) {
      this.#reportEscape(relativeFile, target);
      return undefined;
    }
    return readFile(target, 'utf8').catch(() => undefined);
  }

  /** The entries of a sub-folder found in `entries` (already checked), or none. */
  async listChild(entries: readonly MeshEntry[], name: string): Promise<MeshEntry[]> {
    const child = entries.find((entry) => entry.name === name && entry.kind === 'dir');
    return child ? this.list(child.path) : [];
  }

  #reportEscape(relative: string, target: string): void {
    if (this.#reported.has(relative)) return;
    this.#reported.add(relative);
    this.#findings.push(
      finding('QUANTA_PATH_ESCAPE', fileStart(relative), {
        message: `'${relative}' is a symlink to '${target}', outside the mesh root`,
        fix: 'replace the symlink with a real file or folder inside the mesh, or point it inside the mesh',
      }),
    );
  }

  async #entryOf(dirent: Dirent, relative: string): Promise<MeshEntry | undefined> {
    if (dirent.isFile()) return { name: dirent.name, path: relative, kind: 'file' };
    if (dirent.isDirectory()) return { name: dirent.name, path: relative, kind: 'dir' };
    if (!dirent.isSymbolicLink()) return undefined;
    const target = await realpath(path.join(this.root, relative)).catch(() => undefined);
    if (target === undefined) return undefined;
    if (!isWithin(this.#realRoot, target)) {
      this.#reportEscape(relative, target);
      return undefined;
    }
    const info = await stat(target);
    return { name: dirent.name, path: relative, kind: info.isDirectory() ? 'dir' : 'file' };
  }
}

// O_NOFOLLOW makes opening a symlink fail with ELOOP (0 where the platform lacks it).
const NO_FOLLOW = constants.O_NOFOLLOW ?? 0;

function isWithin(root: string, candidate: string): boolean {
  const relative = path.relative(root, candidate);
  const isAbove = relative === '..' || relative.startsWith(`..${path.sep}`);
  return !isAbove && !path.isAbsolute(relative);
}
