import type { AccessRequestStore } from './access-request-store.ts';
import type { GrantStore } from './grant-store.ts';
import type { SessionStore } from './session-store.ts';
import type { TokenStore } from './token-store.ts';

/** Tokens, their browser sessions, access requests and grants, over one database connection that it owns. */
export interface AccessStore {
  readonly kind: 'embedded' | 'postgres';
  readonly tokens: TokenStore;
  readonly sessions: SessionStore;
  readonly requests: AccessRequestStore;
  readonly grants: GrantStore;
  close(): Promise<void>;
}
