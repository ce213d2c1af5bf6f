/**
 * A child process for crash tests: opens the catalog store given as a JSON argument, then either
 * only migrates it or applies a large generated catalog. It reports each stage on stdout
 * (`opened`, `applying`, `applied <ms>`) so the parent can SIGKILL it at a chosen moment.
 *
 * Usage: node apply-child.ts '{"location":{"embeddedPath":"…"},"mode":"apply","generation":1,"products":3000}'
 */
import { openCatalogStore } from '../open-catalog-store.ts';
import { type ApplyChildRequest, parseApplyChildRequest } from './apply-child-request.ts';
import { catalogFingerprint, largeCatalog } from './catalog-fixtures.ts';

const request: ApplyChildRequest = parseApplyChildRequest(process.argv[2]);
const store = await openCatalogStore(request.location);
try {
  process.stdout.write('opened\n');
  if (request.mode === 'apply') {
    const state = largeCatalog({ generation: request.generation, products: request.products });
    const started = performance.now();
    process.stdout.write('applying\n');
    await store.applyCatalog(state, { appliedBy: `crash-test-${process.pid}` });
    process.stdout.write(
      `applied ${Math.round(performance.now() - started)} ${catalogFingerprint(state).size}\n`,
    );
  }
} finally {
  await store.close();
}
