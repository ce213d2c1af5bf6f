import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { type BenchResult, median } from './bench-result.ts';

const REPO = path.resolve(import.meta.dirname, '..');
const RUNS = 7;

/** Cold start of `quanta validate` on the example mesh, against a bare `node -e ''` start. */
export async function benchColdValidate(): Promise<BenchResult> {
  const bin = path.join(REPO, 'packages/cli/src/bin.ts');
  const example = path.join(REPO, 'examples/mesh');
  const validate = timeProcess(() =>
    execFileSync(process.execPath, [bin, '--root', example, '--json', 'validate'], { stdio: 'pipe' }),
  );
  const bare = timeProcess(() => execFileSync(process.execPath, ['-e', ''], { stdio: 'pipe' }));
  return {
    name: 'cold quanta validate (example mesh)',
    figures: [
      { label: 'quanta validate, median of 7 cold processes', value: validate, unit: 'ms' },
      { label: 'bare node start (baseline)', value: bare, unit: 'ms' },
    ],
    ratio: { label: 'validate / bare node start', value: validate / bare },
  };
}

function timeProcess(run: () => unknown): number {
  const times: number[] = [];
  for (let index = 0; index < RUNS; index += 1) {
    const started = performance.now();
    run();
    times.push(performance.now() - started);
  }
  return median(times);
}
