import { createHash, timingSafeEqual } from 'node:crypto';
import type { PgWireBackend, PgWireServer } from '@quanta/pgwire';
import type { MeshService } from '@quanta/services';

/** The environment variable holding the shared password of the PostgreSQL front door. */
export const PG_PASSWORD_VARIABLE = 'QUANTA_PG_PASSWORD';

/** Default port of the PostgreSQL front door (5432 is left to a real PostgreSQL). */
export const DEFAULT_PG_PORT = 5433;

function isSamePassword(given: string, expected: string): boolean {
  const digest = (text: string): Buffer => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/**
 * The PostgreSQL front door's backend over the mesh services. Until tokens exist, a login is
 * accepted when its password equals `QUANTA_PG_PASSWORD`, and the user name is the principal
 * (a principal id of governance/users.yaml, whose policies then apply). Without the variable,
 * every login is refused. Per-user tokens (shown once, stored hashed) will replace this.
 */
export function createPgBackend(service: MeshService, env: NodeJS.ProcessEnv = process.env): PgWireBackend {
  const password = env[PG_PASSWORD_VARIABLE];
  return {
    authenticate: async (credentials) =>
      password && isSamePassword(credentials.password, password) ? credentials.user : undefined,
    query: (sql, { principal }) => service.query(sql, { principal }),
  };
}

/** What `quanta serve` prints about the PostgreSQL front door. */
export function describePgWire(server: PgWireServer, env: NodeJS.ProcessEnv = process.env): string {
  const login = env[PG_PASSWORD_VARIABLE]
    ? `psql "postgres://<principal>@${server.url.slice('postgres://'.length)}" (password: $${PG_PASSWORD_VARIABLE})`
    : `every login is refused until ${PG_PASSWORD_VARIABLE} is set (export ${PG_PASSWORD_VARIABLE}=<shared secret>)`;
  return `PostgreSQL front door on ${server.url}: ${login}`;
}

/** Starts the PostgreSQL front door over the services. */
export async function startPgWire(
  service: MeshService,
  options: { host: string; port: number },
): Promise<PgWireServer> {
  const { PgWireServer } = await import('@quanta/pgwire');
  return PgWireServer.create({ backend: createPgBackend(service), host: options.host, port: options.port });
}
