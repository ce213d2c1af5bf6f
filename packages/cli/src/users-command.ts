import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  applyUsersImport,
  diffUsersImport,
  isEmptyImport,
  parseHrExport,
  parseUserReferential,
  USERS_FILE,
  type UsersImportDiff,
} from '@quanta/governance';
import { QuantaError } from '@quanta/model';
import type { Command } from 'commander';
import pc from 'picocolors';
import { outputOf, rootOf } from './command-context.ts';

/** `quanta users import`: the user referential from an HR or identity system's export. */
export function addUsersCommands(program: Command): void {
  const users = program.command('users').description('the user referential (governance/users.yaml)');
  users
    .command('import <file>')
    .description(
      'map an HR export (CSV or JSON: id/email, name, department/domain, country, role, clearance, status) onto users.yaml; shows the diff, writes with --write',
    )
    .option('--write', 'write governance/users.yaml')
    .option('--format <format>', 'csv or json (default: from the file extension)')
    .action(async (file: string, options: { write?: boolean; format?: string }, command: Command) => {
      const format = options.format ?? (file.toLowerCase().endsWith('.json') ? 'json' : 'csv');
      if (format !== 'csv' && format !== 'json') {
        throw new QuantaError('QUANTA_USAGE', `unknown format '${format}'`, { fix: 'use csv or json' });
      }
      const people = parseHrExport(await readFile(file, 'utf8'), format);
      const target = path.join(rootOf(command), USERS_FILE);
      const text = await readFile(target, 'utf8').catch(() => '');
      const loaded = parseUserReferential(text || 'users: []\n', USERS_FILE);
      if (loaded.findings.some((finding) => finding.severity === 'error')) {
        throw new QuantaError('QUANTA_SPEC_INVALID', `${USERS_FILE} is invalid: fix it before importing`, {
          findings: loaded.findings,
        });
      }
      const diff = diffUsersImport(loaded.referential, people);
      const isWritten = Boolean(options.write) && !isEmptyImport(diff);
      if (isWritten) await writeFile(target, applyUsersImport(text, diff));
      outputOf(command).result({ ...diff, isWritten }, () => renderImport(diff, isWritten));
    });
}

/** The diff an import makes: `+` added, `~` changed attributes, `-` left. */
export function renderImport(diff: UsersImportDiff, isWritten: boolean): string {
  if (isEmptyImport(diff)) return 'No changes: users.yaml already matches the export.';
  const lines = [
    ...diff.added.map((person) =>
      pc.green(
        `+ ${person.id} (${[person.domain, person.country, person.role, `clearance ${person.clearance}`].filter(Boolean).join(', ')})`,
      ),
    ),
    ...diff.changed.map(
      ({ id, changes }) =>
        `${pc.yellow(`~ ${id}`)} ${changes.map((change) => `${change.attribute}: ${change.from} → ${change.to}`).join(', ')}`,
    ),
    ...diff.left.map((id) => pc.red(`- ${id} (status: left)`)),
    '',
    `${diff.added.length} added, ${diff.changed.length} changed, ${diff.left.length} left. ${
      isWritten ? `Wrote ${USERS_FILE}.` : 'Nothing written: run again with --write.'
    }`,
  ];
  return lines.join('\n');
}
