import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { MeshService } from '@quanta/services';
import { type BenchResult, median, timeMs } from './bench-result.ts';
import { generateMesh } from './generate-mesh.ts';

const PRODUCTS = 1_000;
const BIN = path.resolve(import.meta.dirname, '../packages/cli/src/bin.ts');

/** `validate` + `plan` on a generated mesh of 1,000 products (target under 2 s). */
export async function benchValidatePlan(): Promise<BenchResult> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'quanta-bench-mesh-'));
  try {
    await generateMesh(root, { products: PRODUCTS, domains: 10 });
    const cold = median(
      [1, 2, 3].map(() =>
        timeSync(() =>
          execFileSync(process.execPath, [BIN, '--root', root, '--json', 'plan'], { stdio: 'pipe' }),
        ),
      ),
    );
    const service = await MeshService.create({ root });
    try {
      const warm = median(await sequence(3, () => timeMs(() => service.plan())));
      return {
        name: `validate + plan, ${PRODUCTS} products`,
        figures: [
          { label: 'cold `quanta plan` process (validate + plan), median of 3', value: cold, unit: 'ms' },
          { label: 'in-process validate + plan, median of 3', value: warm, unit: 'ms' },
        ],
        ratio: { label: 'cold plan / 2 s target', value: cold / 2000, target: '< 1.00' },
      };
    } finally {
      await service.close();
    }
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

function timeSync(run: () => unknown): number {
  const started = performance.now();
  run();
  return performance.now() - started;
}

async function sequence(count: number, run: () => Promise<number>): Promise<number[]> {
  const values: number[] = [];
  for (let index = 0; index < count; index += 1) values.push(await run());
  return values;
}
