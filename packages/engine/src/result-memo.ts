import { stat } from 'node:fs/promises';

/** Results kept at most; the oldest goes first. */
const MAX_ENTRIES = 8;

/**
 * Remembers the last results computed over a table file, keyed by the file's identity (path,
 * size, modification time) and the request. A workflow that checks and profiles a staged table
 * before publishing it (the shared ingest template does) then pays each scan once: publish finds
 * the results of the same file, unchanged since. Any write to the file changes its identity.
 */
export class ResultMemo<T> {
  readonly #entries = new Map<string, Promise<T>>();

  /** The remembered result for this file and request, or the computed one (remembered on success). */
  async get(path: string, options: { request: string; compute: () => Promise<T> }): Promise<T> {
    const key = await this.#keyOf(path, options.request);
    const known = this.#entries.get(key);
    if (known) return known;
    const computed = options.compute();
    this.#entries.set(key, computed);
    computed.catch(() => this.#entries.delete(key));
    while (this.#entries.size > MAX_ENTRIES) {
      const oldest = this.#entries.keys().next().value;
      if (oldest === undefined) break;
      this.#entries.delete(oldest);
    }
    return computed;
  }

  async #keyOf(path: string, request: string): Promise<string> {
    const file = await stat(path);
    return JSON.stringify([path, file.size, file.mtimeMs, request]);
  }
}
