import type { DatabaseSettings, DuckDbDatabase } from './duckdb-database.ts';
import { openSandbox, type SandboxContents } from './duckdb-read-session.ts';

/** Sandboxes kept open at most; the least recently used idle one is closed beyond that. */
const MAX_SANDBOXES = 16;
/** An idle sandbox is closed after this long, so that deleted snapshot files are let go. */
const IDLE_MS = 60_000;

interface PooledSandbox {
  readonly database: Promise<DuckDbDatabase>;
  users: number;
  lastUsed: number;
  /** Evicted while in use: closed when its last session ends, never handed out again. */
  isEvicted: boolean;
}

/**
 * Keeps sandboxes open between queries. Opening a DuckDB instance and attaching the snapshot
 * files costs about 10 ms, most of a small query; snapshot files are immutable, so a sandbox over
 * the same files and macros is reused, each session on its own connection. Sandboxes holding
 * session tables (the catalog, which changes) are never pooled. Retention and erasure must call
 * `evict` before they delete or rewrite a snapshot file.
 */
export class SandboxPool {
  readonly #settings: DatabaseSettings;
  readonly #sandboxes = new Map<string, PooledSandbox>();
  readonly #now: () => number;
  /** Sessions on sandboxes that are not pooled (they hold session tables). */
  #unpooledInUse = 0;

  constructor(settings: DatabaseSettings, options: { now?: () => number } = {}) {
    this.#settings = settings;
    this.#now = options.now ?? Date.now;
  }

  /** A sandbox with these contents and a release function to call when the session ends. */
  async acquire(contents: SandboxContents): Promise<{ database: DuckDbDatabase; release: () => void }> {
    if (contents.tables.length > 0) {
      const database = await openSandbox(this.#settings, contents);
      this.#unpooledInUse += 1;
      let isReleased = false;
      const release = (): void => {
        if (isReleased) return;
        isReleased = true;
        this.#unpooledInUse -= 1;
        database.close();
      };
      return { database, release };
    }
    const key = JSON.stringify([contents.attachments, contents.macros]);
    let pooled = this.#sandboxes.get(key);
    if (!pooled) {
      pooled = {
        database: openSandbox(this.#settings, contents),
        users: 0,
        lastUsed: this.#now(),
        isEvicted: false,
      };
      this.#sandboxes.set(key, pooled);
      pooled.database.catch(() => this.#sandboxes.delete(key));
    }
    pooled.users += 1;
    const entry = pooled;
    try {
      const database = await entry.database;
      return { database, release: () => this.#release(entry) };
    } catch (error) {
      entry.users -= 1;
      throw error;
    }
  }

  /**
   * Read sessions holding a sandbox now, pooled or not: what tests and health checks count to
   * see that every session ended releases its sandbox.
   */
  get sessionsInUse(): number {
    let inUse = this.#unpooledInUse;
    for (const pooled of this.#sandboxes.values()) inUse += pooled.users;
    return inUse;
  }

  /**
   * Stops handing out the sandboxes attaching `path` (before retention or erasure touches the
   * file): idle ones close now, busy ones when their last session ends.
   */
  async evict(path: string): Promise<void> {
    for (const [key, pooled] of [...this.#sandboxes]) {
      if (!key.includes(JSON.stringify(path).slice(1, -1))) continue;
      this.#sandboxes.delete(key);
      pooled.isEvicted = true;
      if (pooled.users === 0) await closePooled(pooled);
    }
  }

  /** Closes every sandbox. */
  async close(): Promise<void> {
    for (const key of [...this.#sandboxes.keys()]) await this.#close(key);
  }

  #release(entry: PooledSandbox): void {
    entry.users -= 1;
    entry.lastUsed = this.#now();
    if (entry.isEvicted && entry.users === 0) void closePooled(entry);
    void this.#trim();
  }

  async #trim(): Promise<void> {
    const now = this.#now();
    const idle = [...this.#sandboxes].filter(([, pooled]) => pooled.users === 0);
    for (const [key, pooled] of idle) if (now - pooled.lastUsed > IDLE_MS) await this.#close(key);
    const excess = this.#sandboxes.size - MAX_SANDBOXES;
    const oldest = idle.sort(([, a], [, b]) => a.lastUsed - b.lastUsed).slice(0, Math.max(0, excess));
    for (const [key] of oldest) await this.#close(key);
  }

  async #close(key: string): Promise<void> {
    const pooled = this.#sandboxes.get(key);
    if (!pooled) return;
    this.#sandboxes.delete(key);
    await closePooled(pooled);
  }
}

async function closePooled(pooled: PooledSandbox): Promise<void> {
  const database = await pooled.database.catch(() => undefined);
  database?.close();
}
