import { Readable } from 'node:stream';

/** Default size of the head read to choose a layer's encoding: 4 MiB. */
export const defaultSampleBytes = 4 << 20;

export interface PeekedStream {
  /** The first bytes of the stream (fewer when the stream is shorter). */
  sample: Buffer;
  /** All of the stream's bytes from the start, the sample included. */
  stream: Readable;
}

/**
 * Reads the head of a stream (to choose an encoding from it) without losing it: the returned
 * stream yields the head again, then the rest of the source, so the source is read once.
 * Destroying the returned stream destroys the source.
 */
export async function peekStream(source: Readable, bytes = defaultSampleBytes): Promise<PeekedStream> {
  const iterator = (source as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  const head: Buffer[] = [];
  let size = 0;
  let ended = false;
  while (size < bytes) {
    const next = await iterator.next();
    if (next.done) {
      ended = true;
      break;
    }
    head.push(next.value);
    size += next.value.length;
  }
  const joined = Buffer.concat(head, size);
  let replayed = joined.length === 0;
  const stream = new Readable({
    highWaterMark: 1 << 20,
    read() {
      if (!replayed) {
        replayed = true;
        this.push(joined);
        return;
      }
      if (ended) {
        this.push(null);
        return;
      }
      iterator.next().then(
        (next) => this.push(next.done ? null : next.value),
        (error: unknown) => this.destroy(error as Error),
      );
    },
    destroy(error, callback) {
      // Also when destroyed before any read: ends the source's iterator, hence the source.
      Promise.resolve(iterator.return?.()).then(
        () => callback(error),
        () => callback(error),
      );
    },
  });
  return { sample: joined.subarray(0, bytes), stream };
}
