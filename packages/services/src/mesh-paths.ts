import { existsSync } from 'node:fs';
import path from 'node:path';
import { QuantaError } from '@quanta/model';

/** Where a mesh keeps its local state: the embedded catalog and the domains' storage. */
export interface MeshPaths {
  readonly root: string;
  readonly stateDir: string;
  readonly catalogFile: string;
  readonly storageRoot: string;
}

/** The local-state layout of a mesh root (`.quanta/`, git-ignored). */
export function meshPaths(root: string): MeshPaths {
  const stateDir = path.join(root, '.quanta');
  return {
    root,
    stateDir,
    catalogFile: path.join(stateDir, 'catalog.sqlite'),
    storageRoot: path.join(stateDir, 'storage'),
  };
}

/** Finds the mesh root: the nearest folder at or above `start` holding quanta.yaml. */
export function findMeshRoot(start: string): string {
  let current = path.resolve(start);
  for (;;) {
    if (existsSync(path.join(current, 'quanta.yaml'))) return current;
    const parent = path.dirname(current);
    if (parent === current) {
      throw new QuantaError('QUANTA_SPEC_NOT_FOUND', `no quanta.yaml at or above ${path.resolve(start)}`, {
        fix: 'run `quanta init <name>` to create a mesh, or pass --root <mesh folder>',
      });
    }
    current = parent;
  }
}
