/** A source read chunk by chunk: `next` answers undefined at the end; `close` stops it early. */
export interface ChunkSource<T> {
  next(): Promise<T | undefined>;
  close(): Promise<void>;
}

/**
 * The async iterator of a chunked source, so that `for await` reads it and a `break` out of
 * the loop closes it: every row stream iterates this way.
 */
export function chunkIterator<T>(source: ChunkSource<T>): AsyncIterator<T> {
  return {
    next: async () => {
      const chunk = await source.next();
      return chunk === undefined ? { done: true, value: undefined } : { done: false, value: chunk };
    },
    return: async () => {
      await source.close();
      return { done: true, value: undefined };
    },
  };
}
