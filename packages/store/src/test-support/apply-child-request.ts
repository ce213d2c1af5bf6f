import type { CatalogStoreLocation } from '../open-catalog-store.ts';

/** What the crash-test child process is asked to do. */
export interface ApplyChildRequest {
  readonly location: CatalogStoreLocation;
  /** `migrate` only opens (and so migrates) the store; `apply` also applies a large catalog. */
  readonly mode: 'migrate' | 'apply';
  /** Which generation of `largeCatalog` to apply. */
  readonly generation: number;
  readonly products: number;
}

/** Reads the child's JSON argument, failing loudly on anything unexpected. */
export function parseApplyChildRequest(argument: string | undefined): ApplyChildRequest {
  if (argument === undefined) throw new Error('apply-child: missing JSON request argument');
  const request = JSON.parse(argument) as ApplyChildRequest;
  if (request.mode !== 'migrate' && request.mode !== 'apply') {
    throw new Error(`apply-child: unknown mode ${String(request.mode)}`);
  }
  return request;
}
