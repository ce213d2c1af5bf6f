import { localPrincipal } from '@quanta/governance';
import { parseDurationDays } from '@quanta/services';
import type { TokenRecord } from '@quanta/store';
import type { Command } from 'commander';
import pc from 'picocolors';
import { outputOf, withMesh } from './command-context.ts';
import { renderTable } from './output.ts';

/**
 * `quanta token create|list|revoke`: tokens for people and services, used by the HTTP API
 * (`Authorization: Bearer`) and the PostgreSQL endpoint (as the password). The CLI itself needs
 * none: on the mesh's own machine it acts as the local principal (QUANTA_PRINCIPAL or local-admin).
 */
export function addTokenCommands(program: Command): void {
  const token = program
    .command('token')
    .description('API tokens of people and services (shown once, stored hashed)');
  token
    .command('create <principal>')
    .description('issue a token for a principal of governance/users.yaml; it is shown once')
    .option('--expires <duration>', 'lifetime: 30d, 12h, 1y (default: never)')
    .option('--name <name>', 'what the token is for (laptop, bi-dashboard)', 'token')
    .action(async (principal: string, options: { expires?: string; name: string }, command: Command) => {
      const expiresInDays = options.expires === undefined ? undefined : parseDurationDays(options.expires);
      const created = await withMesh(command, (service) =>
        service.tokens.create({
          principal,
          actor: localPrincipal(),
          name: options.name,
          ...(expiresInDays === undefined ? {} : { expiresInDays }),
        }),
      );
      outputOf(command).result(created, () =>
        [
          created.token,
          pc.dim(
            `token ${created.record.id} for ${principal}, ${created.record.expiresAt ? `expires ${created.record.expiresAt}` : 'never expires'}. Copy it now: it is not shown again.`,
          ),
        ].join('\n'),
      );
    });
  token
    .command('list')
    .description("tokens (yours, or everyone's for administrators), without their secret")
    .option('--principal <id>', 'only this principal')
    .action(async (options: { principal?: string }, command: Command) => {
      const tokens = await withMesh(command, (service) =>
        service.tokens.list({
          actor: localPrincipal(),
          ...(options.principal ? { principal: options.principal } : {}),
        }),
      );
      outputOf(command).result({ tokens }, () => renderTokens(tokens));
    });
  token
    .command('revoke <id>')
    .description('revoke a token now: its next use is refused and the portal sessions opened with it end')
    .action(async (id: string, _options: unknown, command: Command) => {
      const revoked = await withMesh(command, (service) =>
        service.tokens.revoke({ id, actor: localPrincipal() }),
      );
      outputOf(command).result(revoked, () => `Revoked token ${revoked.id} of ${revoked.principal}.`);
    });
}

/** One row per token: id, principal, name, created, expiry and state. */
export function renderTokens(tokens: readonly TokenRecord[]): string {
  if (tokens.length === 0) return 'No tokens.';
  return renderTable(
    ['id', 'principal', 'name', 'created', 'expires', 'state'],
    tokens.map((token) => [
      token.id,
      token.principal,
      token.name,
      token.createdAt,
      token.expiresAt ?? 'never',
      token.revokedAt ? `revoked ${token.revokedAt}` : 'active',
    ]),
  );
}
