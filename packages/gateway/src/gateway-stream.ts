import { chunkIterator, type RowStream } from '@quanta/engine';
import type { ColumnType, JsonValue } from '@quanta/model';

/** A port version a query read. */
export interface PortRead {
  readonly address: string;
  readonly version: number;
}

/**
 * The rows of a consumer query as they are read, chunk by chunk, with what it read. The
 * sandboxed session stays open until the last chunk is read or the stream is closed; either
 * way the query is audited once, with the rows handed out.
 */
export interface GatewayStream extends AsyncIterable<JsonValue[][]> {
  readonly columns: readonly ColumnType[];
  readonly reads: readonly PortRead[];
  /** Rows handed out so far. */
  readonly rowCount: number;
  /** Milliseconds since the query arrived. */
  readonly durationMs: number;
  /** The next chunk of rows, or undefined once the result is read (or the stream closed). */
  next(): Promise<JsonValue[][] | undefined>;
  /**
   * Stops reading: the query is stopped, the session released and the query audited with the
   * rows handed out so far, as stopped by the consumer. Idempotent; every front door calls it
   * when its client goes away.
   */
  close(): Promise<void>;
}

/** How a stream ended, for the audit. */
export type StreamEnd =
  | { readonly kind: 'complete' }
  | { readonly kind: 'stopped' }
  | { readonly kind: 'failed'; readonly error: unknown };

/** A gateway stream over the engine's row stream; `finish` releases and audits, exactly once. */
export class GatewayRowStream implements GatewayStream {
  readonly columns: readonly ColumnType[];
  readonly reads: readonly PortRead[];
  readonly #iterator: AsyncIterator<JsonValue[][]>;
  readonly #started: number;
  readonly #finish: (end: StreamEnd, rowCount: number) => Promise<void>;
  #rowCount = 0;
  #ended: Promise<void> | undefined;

  constructor(
    rows: RowStream,
    options: {
      reads: readonly PortRead[];
      started: number;
      finish: (end: StreamEnd, rowCount: number) => Promise<void>;
    },
  ) {
    this.columns = rows.columns;
    this.reads = options.reads;
    this.#iterator = rows[Symbol.asyncIterator]();
    this.#started = options.started;
    this.#finish = options.finish;
  }

  get rowCount(): number {
    return this.#rowCount;
  }

  get durationMs(): number {
    return performance.now() - this.#started;
  }

  async next(): Promise<JsonValue[][] | undefined> {
    if (this.#ended) return undefined;
    let step: IteratorResult<JsonValue[][]>;
    try {
      step = await this.#iterator.next();
    } catch (error) {
      await this.#end({ kind: 'failed', error });
      throw error;
    }
    if (this.#ended) return undefined;
    if (step.done) {
      await this.#end({ kind: 'complete' });
      return undefined;
    }
    this.#rowCount += step.value.length;
    return step.value;
  }

  close(): Promise<void> {
    return this.#end({ kind: 'stopped' });
  }

  [Symbol.asyncIterator](): AsyncIterator<JsonValue[][]> {
    return chunkIterator(this);
  }

  #end(end: StreamEnd): Promise<void> {
    this.#ended ??= this.#finish(end, this.#rowCount);
    return this.#ended;
  }
}
