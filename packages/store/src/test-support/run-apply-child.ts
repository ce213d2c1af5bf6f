import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ApplyChildRequest } from './apply-child-request.ts';

const CHILD_SCRIPT = fileURLToPath(new URL('./apply-child.ts', import.meta.url));

/** When to SIGKILL the child: `delayMs` after it printed `afterLine` (or after spawning it). */
export interface KillPlan {
  readonly afterLine: 'spawn' | 'opened' | 'applying';
  readonly delayMs: number;
}

/** How the child ended. */
export interface ChildOutcome {
  /** The lines it printed on stdout. */
  readonly lines: readonly string[];
  readonly stderr: string;
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
}

/**
 * Runs `apply-child.ts` with this very Node binary (Node 24: type stripping and node:sqlite),
 * optionally killing it with SIGKILL as `kill` plans.
 */
export function runApplyChild(request: ApplyChildRequest, kill?: KillPlan): Promise<ChildOutcome> {
  const child = spawn(process.execPath, [CHILD_SCRIPT, JSON.stringify(request)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let pending = '';
  let stderr = '';
  const killLater = () => setTimeout(() => child.kill('SIGKILL'), kill?.delayMs ?? 0);
  if (kill?.afterLine === 'spawn') killLater();
  child.stdout.setEncoding('utf8').on('data', (text: string) => {
    pending += text;
    const complete = pending.split('\n');
    pending = complete.pop() ?? '';
    for (const line of complete) {
      lines.push(line);
      if (kill && line === kill.afterLine) killLater();
    }
  });
  child.stderr.setEncoding('utf8').on('data', (text: string) => {
    stderr += text;
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (exitCode, signal) => resolve({ lines, stderr, exitCode, signal }));
  });
}

/** Fails with the child's stderr unless it ran to completion. */
export function assertCompleted(outcome: ChildOutcome): void {
  if (outcome.exitCode !== 0) {
    throw new Error(
      `apply-child ended with ${outcome.signal ?? `exit code ${outcome.exitCode}`}:\n${outcome.stderr}`,
    );
  }
}

/** Fails unless the child either completed or was killed by the test's SIGKILL. */
export function assertCompletedOrKilled(outcome: ChildOutcome): void {
  if (outcome.signal !== 'SIGKILL') assertCompleted(outcome);
}
