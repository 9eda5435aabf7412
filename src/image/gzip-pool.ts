import os from 'node:os';
import { gzip } from 'node:zlib';

/**
 * Blocks gzipped in parallel, off the main thread. zlib's deflate runs ~30–50 MB/s per core here,
 * so one core cannot keep up with reading a layer (~100 MB/s or more). Node's asynchronous zlib
 * calls already run on libuv's thread pool, one block per thread: that is the parallelism, and
 * this pool only bounds how many blocks are compressing at once. (Worker threads were tried:
 * same speed, but each carries a V8 heap, +100–200 MB of RSS for two of them, measured.)
 * One pool is meant to be shared by every layer being compressed, so that together they use each
 * core once. libuv's pool has 4 threads unless UV_THREADPOOL_SIZE says more (set before start).
 */
export interface GzipPool {
  /** Blocks compressed at once, at most. */
  readonly size: number;
  /** One complete gzip member holding `block`. */
  compress(block: Buffer, level: number): Promise<Buffer>;
  /** Refuses new work; work under way finishes. */
  close(): Promise<void>;
}

/** Default number of blocks compressed at once: one per core the process may use. */
export function defaultGzipWorkers(): number {
  return Math.max(1, os.availableParallelism());
}

/** Room for a block that does not compress (deflate's stored blocks and the gzip framing). */
const outputSlack = 64 * 1024;

export function createGzipPool(size = defaultGzipWorkers()): GzipPool {
  const poolSize = Math.max(1, size);
  const waiting: Array<() => void> = [];
  let running = 0;
  let closed = false;

  const acquire = async (): Promise<void> => {
    if (running < poolSize) {
      running++;
      return;
    }
    await new Promise<void>((resolve) => waiting.push(resolve));
  };
  const release = (): void => {
    const next = waiting.shift();
    if (next) next();
    else running--;
  };

  return {
    size: poolSize,
    async compress(block, level) {
      if (closed) throw new Error('the gzip pool is closed');
      await acquire();
      try {
        // An output buffer as large as the block: zlib then runs the block in one pass on one
        // thread instead of one thread-pool round trip per 16 KiB of output.
        return await new Promise<Buffer>((resolve, reject) => {
          gzip(block, { level, chunkSize: block.length + outputSlack }, (error, out) => (error ? reject(error) : resolve(out)));
        });
      } finally {
        release();
      }
    },
    async close() {
      closed = true;
    },
  };
}
