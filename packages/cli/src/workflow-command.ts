import { ERROR_TABLE, type JsonValue, QuantaError } from '@quanta/model';
import { runWorkflowFile } from '@quanta/workflow';
import type { Command } from 'commander';
import pc from 'picocolors';
import { outputOf } from './command-context.ts';

/** `quanta workflow run <file>`: runs any Cloud Workflows file standalone, with no mesh. */
export function addWorkflowCommands(program: Command): void {
  const workflow = program.command('workflow').description('work with Cloud Workflows files on their own');
  workflow
    .command('run <file>')
    .description(
      'run a workflow file standalone (standard library and http.*; quanta.* blocks need a product)',
    )
    .option('--args <json>', 'runtime arguments, as JSON (bound to the parameter of main)')
    .option('--env <name=value...>', 'a variable sys.get_env can read (repeatable)')
    .action(async (file: string, options: { args?: string; env?: string[] }, command: Command) => {
      const output = outputOf(command);
      const run = await runWorkflowFile(file, {
        args: parseArgs(options.args),
        env: parseEnv(options.env ?? []),
        log: (entry) =>
          process.stderr.write(
            `${pc.dim(`[${entry.severity}]`)} ${typeof entry.data === 'string' ? entry.data : JSON.stringify(entry.data)}\n`,
          ),
      });
      const summary =
        run.state === 'SUCCEEDED'
          ? { state: run.state, result: run.result, error: null }
          : { state: run.state, result: null, error: run.error };
      output.result(summary, () =>
        run.state === 'SUCCEEDED'
          ? `${pc.green('SUCCEEDED')}\n${JSON.stringify(run.result, null, 2)}`
          : `${pc.red('FAILED')} at step '${run.step}'${run.failure.location ? ` (${run.failure.location})` : ''}\n${JSON.stringify(run.error, null, 2)}`,
      );
      if (run.state === 'FAILED') process.exitCode = ERROR_TABLE.QUANTA_WORKFLOW_FAILED.exitCode;
    });
}

function parseArgs(text: string | undefined): JsonValue {
  if (text === undefined) return null;
  try {
    return JSON.parse(text) as JsonValue;
  } catch (error) {
    throw new QuantaError('QUANTA_USAGE', `--args is not JSON: ${(error as Error).message}`, {
      fix: `quote the JSON for the shell: --args '{"k": 1}'`,
    });
  }
}

function parseEnv(pairs: readonly string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const pair of pairs) {
    const equals = pair.indexOf('=');
    if (equals <= 0)
      throw new QuantaError('QUANTA_USAGE', `--env '${pair}' is not name=value`, { fix: '--env REGION=eu' });
    env[pair.slice(0, equals)] = pair.slice(equals + 1);
  }
  return env;
}
