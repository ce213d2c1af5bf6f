import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { CatalogStore } from './catalog-store.ts';
import { type CatalogStoreLocation, openCatalogStore } from './open-catalog-store.ts';
import { catalogFingerprint, largeCatalog } from './test-support/catalog-fixtures.ts';
import { describePostgres } from './test-support/postgres-test-server.ts';
import { assertCompleted, assertCompletedOrKilled, runApplyChild } from './test-support/run-apply-child.ts';

/** Big enough that the apply transaction takes a while to write (6,000+ rows). */
const PRODUCTS = 3_000;
/** Kills per backend. */
const ROUNDS = 8;

interface CrashBackend {
  /** A fresh, empty database. */
  createLocation(): CatalogStoreLocation;
  /** Waits until nothing a killed child started can still change the database. */
  settle(location: CatalogStoreLocation): Promise<void>;
}

describe('embedded catalog store under SIGKILL', async () => {
  const folder = await mkdtemp(join(tmpdir(), 'quanta-crash-'));
  after(() => rm(folder, { recursive: true, force: true }));
  let count = 0;
  registerCrashTests({
    createLocation: () => {
      count += 1;
      return { embeddedPath: join(folder, `catalog-${count}.db`) };
    },
    // A killed process holds nothing: its locks go with it, its uncommitted WAL frames are ignored.
    settle: async () => undefined,
  });
});

describePostgres('PostgreSQL catalog store under SIGKILL', (server) => {
  registerCrashTests({
    createLocation: () => {
      const url = new URL(server.createSchemaUrl());
      url.searchParams.set('application_name', `quanta_crash_${randomBytes(4).toString('hex')}`);
      return { databaseUrl: url.toString() };
    },
    // The server rolls back a killed client's transaction once it notices the closed socket.
    settle: async (location) => {
      const name =
        'databaseUrl' in location ? new URL(location.databaseUrl).searchParams.get('application_name') : null;
      for (let attempt = 0; attempt < 200; attempt += 1) {
        const [row] = await server.query(
          'SELECT count(*) AS sessions FROM pg_stat_activity WHERE application_name = ?',
          [name ?? ''],
        );
        if (row?.sessions === 0) return;
        await sleep(50);
      }
      throw new Error(`sessions of ${name} are still open 10 s after their process was killed`);
    },
  });
});

function registerCrashTests(backend: CrashBackend): void {
  test('an apply killed at any moment leaves the catalog before or after it, never in between', async (t) => {
    const location = backend.createLocation();
    const first = await runApplyChild({ location, mode: 'apply', generation: 0, products: PRODUCTS });
    assertCompleted(first);
    const applyMs = Number(first.lines.find((line) => line.startsWith('applied '))?.split(' ')[1]);
    let current = catalogFingerprint(largeCatalog({ generation: 0, products: PRODUCTS }));
    assert.deepEqual(await readFingerprint(location), current);

    const outcomes = { before: 0, after: 0 };
    let generation = 0;
    for (const delayMs of killDelays(applyMs)) {
      generation += 1;
      const next = catalogFingerprint(largeCatalog({ generation, products: PRODUCTS }));
      const afterLine = generation === 1 ? 'spawn' : 'applying';
      const outcome = await runApplyChild(
        { location, mode: 'apply', generation, products: PRODUCTS },
        { afterLine, delayMs },
      );
      assertCompletedOrKilled(outcome);
      await backend.settle(location);
      const found = await readFingerprint(location);
      if (sameSet(found, current)) {
        outcomes.before += 1;
      } else {
        assert.ok(
          sameSet(found, next),
          `after a kill ${delayMs} ms past '${afterLine}' the catalog is neither before nor after generation ${generation}`,
        );
        outcomes.after += 1;
        current = next;
      }
    }
    t.diagnostic(
      `apply of ${PRODUCTS} products took ${applyMs} ms; after kills: ${JSON.stringify(outcomes)}`,
    );
    assert.ok(outcomes.before > 0, 'no kill landed before the commit: the test proved nothing');

    const final = await runApplyChild({
      location,
      mode: 'apply',
      generation: generation + 1,
      products: PRODUCTS,
    });
    assertCompleted(final);
    assert.deepEqual(
      await readFingerprint(location),
      catalogFingerprint(largeCatalog({ generation: generation + 1, products: PRODUCTS })),
    );
  });

  test('a process killed while migrating a fresh database leaves one that opens', async () => {
    for (const delayMs of [0, 30, 60, 90, 120, 150]) {
      const location = backend.createLocation();
      assertCompletedOrKilled(
        await runApplyChild(
          { location, mode: 'migrate', generation: 0, products: 0 },
          { afterLine: 'spawn', delayMs },
        ),
      );
      await backend.settle(location);
      assert.deepEqual(await readFingerprint(location), new Set());
    }
  });

  test('processes migrating the same fresh database at once all succeed', async () => {
    for (let round = 0; round < 3; round += 1) {
      const location = backend.createLocation();
      const outcomes = await Promise.all(
        Array.from({ length: 3 }, () =>
          runApplyChild({ location, mode: 'migrate', generation: 0, products: 0 }),
        ),
      );
      for (const outcome of outcomes) assertCompleted(outcome);
      assert.deepEqual(await readFingerprint(location), new Set());
    }
  });
}

/** Delays after the `applying` line: from at once to past the end of a full apply. */
function killDelays(applyMs: number): number[] {
  const random = Array.from({ length: ROUNDS - 4 }, () => Math.round(Math.random() * applyMs * 1.2));
  return [Math.round(Math.random() * 400), 0, 1, ...random, Math.round(applyMs * 3)];
}

async function readFingerprint(location: CatalogStoreLocation): Promise<ReadonlySet<string>> {
  const store: CatalogStore = await openCatalogStore(location);
  try {
    return catalogFingerprint(await store.loadCatalog());
  } finally {
    await store.close();
  }
}

function sameSet(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  return a.size === b.size && [...a].every((item) => b.has(item));
}
