/** One measured figure of a benchmark. */
export interface Figure {
  readonly label: string;
  readonly value: number;
  readonly unit: string;
}

/** A benchmark's outcome: its figures, and a ratio against a baseline measured in the same run. */
export interface BenchResult {
  readonly name: string;
  readonly figures: readonly Figure[];
  readonly ratio?: { readonly label: string; readonly value: number; readonly target?: string };
  readonly notes?: string;
}

/** Median of a list of numbers. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? 0)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

/** Times an async function once, in milliseconds. */
export async function timeMs(work: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}
