import { LOCAL_ADMINISTRATOR } from '@quanta/governance';
import { QuantaError } from '@quanta/model';

/** The header naming the principal of an HTTP request, until tokens replace it. */
export const PRINCIPAL_HEADER = 'x-quanta-principal';

/**
 * The principal of an HTTP request, from the `x-quanta-principal` header. Known gap: the header
 * is trusted as sent (tokens come next). A missing header is refused, and so is the built-in
 * local administrator, which exists only for the CLI on the mesh owner's machine.
 */
export function httpPrincipal(header: string | undefined): string {
  const principal = header?.trim();
  if (!principal) {
    throw new QuantaError('QUANTA_POLICY_DENIED', `no principal: send the ${PRINCIPAL_HEADER} header`, {
      fix: `add the header ${PRINCIPAL_HEADER}: <principal id of governance/users.yaml>`,
    });
  }
  if (principal === LOCAL_ADMINISTRATOR.id) {
    throw new QuantaError('QUANTA_POLICY_DENIED', `${principal} is only available to the local CLI`);
  }
  return principal;
}
