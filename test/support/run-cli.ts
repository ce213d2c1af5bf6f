import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';

const BIN = path.resolve(import.meta.dirname, '../../packages/cli/src/bin.ts');

/** What one `quanta` invocation printed and how it exited. */
export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the real `quanta` command (on this Node) in `cwd`, as a user would. */
export function runCli(
  args: readonly string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv },
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: options.cwd,
      env: { ...process.env, NO_COLOR: '1', ...options.env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** Parses the JSON a `--json` command printed on stdout. */
export function jsonOf<T>(result: CliResult): T {
  try {
    return JSON.parse(result.stdout) as T;
  } catch {
    throw new Error(`not JSON (exit ${result.code}):\n${result.stdout}\n${result.stderr}`);
  }
}

/** Runs commands one after another (a test's setup), failing with the stderr of the first that does not exit 0. */
export async function runCliSteps(
  commands: readonly (readonly string[])[],
  options: { cwd: string; env?: NodeJS.ProcessEnv },
): Promise<void> {
  for (const args of commands) {
    const result = await runCli(args, options);
    assert.equal(result.code, 0, `quanta ${args.join(' ')}: ${result.stderr}`);
  }
}
