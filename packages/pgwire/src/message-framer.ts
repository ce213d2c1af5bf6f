/**
 * Cuts the byte stream of a started connection into framed messages (type byte, int32 length
 * including itself, body) and hands them over one at a time, in order: the next message is
 * handled only once the previous one's promise settled. Each message is its own copy.
 */
export function frameMessages(handle: (message: Buffer) => Promise<void>): (chunk: Buffer) => void {
  let pending: Buffer = Buffer.alloc(0);
  let chain = Promise.resolve();
  return (chunk) => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    let offset = 0;
    while (pending.length - offset >= 5) {
      const length = pending.readInt32BE(offset + 1);
      if (pending.length - offset < length + 1) break;
      const message = Buffer.from(pending.subarray(offset, offset + length + 1));
      chain = chain.then(() => handle(message));
      offset += length + 1;
    }
    pending = offset === pending.length ? Buffer.alloc(0) : pending.subarray(offset);
  };
}
