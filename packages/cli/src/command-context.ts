import path from 'node:path';
import { findMeshRoot, MeshService } from '@quanta/services';
import type { Command } from 'commander';
import { createOutput, type Output } from './output.ts';
import { TerminalProgress } from './progress.ts';

/** Global options every command accepts. */
export interface GlobalOptions {
  readonly json?: boolean;
  readonly root?: string;
  readonly quiet?: boolean;
}

/** The global options as seen from any (sub)command. */
export function globals(command: Command): GlobalOptions {
  return command.optsWithGlobals<GlobalOptions>();
}

/** Where a command prints its result: JSON with --json, the human rendering otherwise. */
export function outputOf(command: Command): Output {
  return createOutput({ isJson: Boolean(globals(command).json) });
}

/** The mesh root: --root, or the nearest folder at or above the working directory holding quanta.yaml. */
export function rootOf(command: Command): string {
  const { root } = globals(command);
  return root ? path.resolve(root) : findMeshRoot(process.cwd());
}

/** Progress on stderr, silent with --json or --quiet. */
export function progressOf(command: Command): TerminalProgress {
  const options = globals(command);
  return new TerminalProgress({ isEnabled: !options.json && !options.quiet });
}

/** The database URL of a shared metadata store, when QUANTA_DATABASE_URL is set. */
export function databaseUrlOption(): { databaseUrl?: string } {
  const databaseUrl = process.env.QUANTA_DATABASE_URL;
  return databaseUrl ? { databaseUrl } : {};
}

/** Opens the mesh's services for the length of `work`, then closes them. */
export async function withMesh<T>(
  command: Command,
  work: (service: MeshService, progress: TerminalProgress) => Promise<T>,
): Promise<T> {
  const progress = progressOf(command);
  const service = await MeshService.create({ root: rootOf(command), progress, ...databaseUrlOption() });
  try {
    return await work(service, progress);
  } finally {
    progress.done();
    await service.close();
  }
}
