import { type DomainKeyView, listDomainKeys, rotateMasterKey } from '@quanta/services';
import type { Command } from 'commander';
import { outputOf, withMesh } from './command-context.ts';
import { renderTable } from './output.ts';

/** `quanta keys list|rotate-master`: each domain's own data key, wrapped under the master key. */
export function addKeysCommands(program: Command): void {
  const keys = program
    .command('keys')
    .description("each domain's own data key, wrapped under the mesh's master key");
  keys
    .command('list')
    .description('the key of every domain: its id and the master key that wraps it (never the key)')
    .action(async (_options: unknown, command: Command) => {
      const listed = await withMesh(command, (service) => listDomainKeys(service.keys));
      outputOf(command).result({ keys: listed }, () => renderKeys(listed));
    });
  keys
    .command('rotate-master')
    .description(
      'rotate the master key: re-wrap every domain key under a new one, in one transaction, without rewriting data',
    )
    .action(async (_options: unknown, command: Command) => {
      const rotated = await withMesh(command, (service) => rotateMasterKey(service.keys));
      outputOf(command).result(
        rotated,
        () => `Re-wrapped ${rotated.rewrapped} domain key(s) under master key ${rotated.masterKeyId}.`,
      );
    });
}

function renderKeys(keys: readonly DomainKeyView[]): string {
  if (keys.length === 0) return 'No domain has a key yet: run `quanta apply`.';
  return renderTable(
    ['domain', 'key', 'wrapped under', 'created'],
    keys.map((key) => [key.domain, key.keyId, key.masterKeyId, key.createdAt]),
  );
}
