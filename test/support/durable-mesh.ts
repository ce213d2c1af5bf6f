import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { StepEvent } from '@quanta/model';
import { createDomain, createProduct, initMesh } from '@quanta/services';

const BIN = path.resolve(import.meta.dirname, '../../packages/cli/src/bin.ts');

/** Steps of the slow loop in {@link createDurableMesh}'s workflow. */
export const NAPS = 30;

/**
 * A mesh with one product whose workflow ingests, naps `NAPS` times (so that a worker can be
 * killed mid-run) and publishes.
 */
export async function createDurableMesh(prefix: string): Promise<string> {
  const root = path.join(await mkdtemp(path.join(os.tmpdir(), prefix)), 'mesh');
  await initMesh(root, { name: 'durable' });
  await createDomain(root, { name: 'sales', owner: 'sam@example.com' });
  await createProduct(root, { name: 'sales/orders' });
  await writeFile(
    path.join(root, 'domains/sales/products/orders/workflow.yaml'),
    `main:
  steps:
    - ingest:
        call: quanta.ingest
        args:
          source: landing/sales/orders/*.csv
          port: orders
        result: staged
    - wait:
        for:
          value: i
          range: [1, ${NAPS}]
          steps:
            - nap:
                call: sys.sleep
                args:
                  seconds: 0.05
    - publish:
        call: quanta.publish
        args:
          port: orders
          from: \${staged}
        result: published
    - done:
        return: \${published}
`,
  );
  return root;
}

/** A `quanta` process left running (a worker), to be waited for or killed. */
export function spawnCli(
  args: readonly string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv },
): ChildProcess {
  return spawn(process.execPath, [BIN, ...args], {
    cwd: options.cwd,
    env: { ...process.env, NO_COLOR: '1', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Resolves with the exit code (or signal) of a child process. */
export function exitOf(child: ChildProcess): Promise<number | NodeJS.Signals> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve(child.exitCode);
    child.once('exit', (code, signal) => resolve(code ?? signal ?? -1));
  });
}

/** Polls `check` until it returns a value (every 50 ms, for at most `limitMs`). */
export async function waitFor<T>(check: () => Promise<T | undefined>, limitMs = 60_000): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() - started > limitMs) throw new Error('timed out waiting for a condition');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Paths journaled as succeeded more than once: a step that completed twice. */
export function completedTwice(events: readonly StepEvent[]): string[] {
  const counts = new Map<string, number>();
  for (const event of events) {
    if (event.kind !== 'succeeded' || event.path === undefined) continue;
    counts.set(event.path, (counts.get(event.path) ?? 0) + 1);
  }
  return [...counts].filter(([, count]) => count > 1).map(([path]) => path);
}
