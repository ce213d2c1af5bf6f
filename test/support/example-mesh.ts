import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
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

/** A seeded batch of generated orders: the orders CSV's header line and its data rows. */
export interface OrderRows {
  readonly header: string;
  readonly rows: string[];
}

/**
 * Generates a batch of orders the way the example mesh's landing data is generated (in a
 * scratch folder, removed after), for a test to rewrite into a later delivery.
 */
export async function generateOrderRows(options: {
  readonly seed: number;
  readonly orders: number;
  readonly customers: number;
  readonly badRows?: Partial<BadRowCounts>;
}): Promise<OrderRows> {
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'quanta-batch-'));
  try {
    const generated = await generateLandingData(scratch, {
      seed: options.seed,
      orders: options.orders,
      customers: options.customers,
      campaigns: 12,
      ...(options.badRows ? { badRows: options.badRows } : {}),
    });
    const [header = '', ...rows] = (await readFile(generated.orders.files[0]?.path ?? '', 'utf8'))
      .trimEnd()
      .split('\n');
    return { header, rows };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** The text of a CSV file: its header line, then its rows. */
export function csvText(header: string, rows: readonly string[]): string {
  return `${[header, ...rows].join('\n')}\n`;
}
