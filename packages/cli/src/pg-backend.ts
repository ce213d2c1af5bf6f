import type { PgWireBackend, PgWireCredentials, PgWireServer } from '@quanta/pgwire';
import type { MeshService } from '@quanta/services';

/** Default port of the PostgreSQL front door (5432 is left to a real PostgreSQL). */
export const DEFAULT_PG_PORT = 5433;

/**
 * The PostgreSQL front door's backend over the mesh services. The password is a Quanta token
 * (`quanta token create <principal>`); the login is accepted when the token is valid (not
 * expired, not revoked) and belongs to the user name given, which becomes the principal whose
 * policies apply. Everything else is refused, with no hint of which part was wrong. The token is
 * checked again before each request of the session, so revoking it or its expiry ends the session.
 */
export function createPgBackend(service: MeshService): PgWireBackend {
  const principalOf = async (credentials: PgWireCredentials): Promise<string | undefined> => {
    const principal = await service.authenticateToken(credentials.password);
    return principal && principal.id === credentials.user ? principal.id : undefined;
  };
  return {
    authenticate: principalOf,
    // The same check as at login, before each request: one indexed lookup and one SHA-256, like
    // every HTTP request; a revoked or expired token ends the session at its next query.
    isLoginValid: async (credentials) => (await principalOf(credentials)) !== undefined,
    query: (sql, { principal }) => service.query(sql, { principal }),
    stream: (sql, { principal }) => service.gateway.stream(sql, { principal }),
  };
}

/** What `quanta serve` prints about the PostgreSQL front door. */
export function describePgWire(server: PgWireServer): string {
  const address = server.url.slice('postgres://'.length);
  return `PostgreSQL front door: psql "postgres://<principal>@${address}" with a token as password (quanta token create <principal>)`;
}

/** Starts the PostgreSQL front door over the services. */
export async function startPgWire(
  service: MeshService,
  options: { host: string; port: number },
): Promise<PgWireServer> {
  const { PgWireServer } = await import('@quanta/pgwire');
  return PgWireServer.create({ backend: createPgBackend(service), host: options.host, port: options.port });
}
