import { cp, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { type BadRowCounts, type GeneratedLanding, generateLandingData } from '@quanta/datagen';

/** The example mesh shipped in the repository. */
export const EXAMPLE_MESH = path.resolve(import.meta.dirname, '../../examples/mesh');

/** A private copy of the example mesh with seeded landing data. */
export interface ExampleMeshCopy {
  readonly root: string;
  readonly landing: GeneratedLanding;
  remove(): Promise<void>;
}

/** What to generate into the copy; small by default so tests stay quick. */
export interface ExampleMeshOptions {
  readonly orders?: number;
  readonly customers?: number;
  readonly badRows?: Partial<BadRowCounts>;
}

/** Copies the example mesh (without local state or landing files) into a temp folder and generates its data. */
export async function copyExampleMesh(options: ExampleMeshOptions = {}): Promise<ExampleMeshCopy> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'quanta-example-'));
  await cp(EXAMPLE_MESH, root, {
    recursive: true,
    filter: (source) => !/[/\\](landing|\.quanta)$/.test(source),
  });
  const landing = await generateLandingData(root, {
    seed: 11,
    orders: options.orders ?? 3_000,
    customers: options.customers ?? 500,
    campaigns: 12,
    ...(options.badRows ? { badRows: options.badRows } : {}),
  });
  return { root, landing, remove: () => rm(root, { recursive: true, force: true }) };
}
