import { PassThrough, Transform, type TransformCallback } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { createGzipPool, type GzipPool } from './gzip-pool.js';
import type { LayerEncoding } from './types.js';

/** Default gzip level: 1. Level 6 saves a few % more on code layers at about half the speed. */
export const defaultGzipLevel = 1;
/** Input cut into blocks of this size, each compressed on its own (default 1 MiB). */
export const defaultGzipBlockSize = 1 << 20;

export interface ChooseLayerEncodingOptions {
  /** Smallest saving (fraction of the size) worth gzip's cost; default 0.1 (10 %). */
  minSavings?: number;
  /** The level the layer would be compressed at; default 1. */
  level?: number;
}

/** Bytes of a sample actually compressed: a few slices spread over it, not all of it. */
const probeSlices = 8;
const probeSliceBytes = 64 << 10;

/**
 * `none` when gzip would save less than `minSavings` on `sample` (the start of the layer): weights
 * of random-looking floats do not compress, and gzip on them costs ~30 MB/s of a core for nothing.
 * Slices spread over the sample are compressed rather than all of it, to stay cheap on the
 * calling thread (deflate's window is 32 KiB, so 64 KiB slices behave like the whole).
 */
export function chooseLayerEncoding(sample: Buffer, options: ChooseLayerEncodingOptions = {}): LayerEncoding {
  const minSavings = options.minSavings ?? 0.1;
  if (sample.length === 0) return 'gzip';
  const slices: Buffer[] = [];
  if (sample.length <= probeSlices * probeSliceBytes) {
    slices.push(sample);
  } else {
    const stride = Math.floor((sample.length - probeSliceBytes) / (probeSlices - 1));
    for (let i = 0; i < probeSlices; i++) slices.push(sample.subarray(i * stride, i * stride + probeSliceBytes));
  }
  let before = 0;
  let after = 0;
  for (const slice of slices) {
    before += slice.length;
    after += gzipSync(slice, { level: options.level ?? defaultGzipLevel }).length;
  }
  return after <= before * (1 - minSavings) ? 'gzip' : 'none';
}

export interface LayerEncoderOptions {
  /** gzip level, 1 (fastest) to 9; default 1. */
  level?: number;
  /** Blocks compressed at once by the encoder's own pool, when `pool` is not given; default: one per core. */
  workers?: number;
  /**
   * A pool shared by the layers compressed at once, so that together they use each core once;
   * default: a pool of the encoder's own, ended with the stream.
   */
  pool?: GzipPool;
  /** Block size; default 1 MiB. Output depends on it (and on the level), not on workers. */
  blockSize?: number;
  /** Blocks being compressed or waiting to be emitted, at most; default twice the pool's size. */
  maxBlocksInFlight?: number;
}

/**
 * A stream that encodes a layer for the registry. `gzip` is compressed the way pigz does, in
 * parallel: the input is cut into fixed-size blocks, each block becomes a gzip member of its own
 * on a thread of its own (see gzip-pool.ts), and the members are emitted in order. Concatenated
 * members are one valid gzip stream (RFC 1952 §2.2; Go's gzip reader, hence docker/containerd,
 * reads them all). For the same input, level and block size the output is the same bytes,
 * whatever the number of workers, so a layer compresses to the same digest each time (with the
 * same zlib: another Node release may compress differently, which only costs a new upload).
 * Memory: `maxBlocksInFlight` blocks, in and out.
 */
export function createLayerEncoder(encoding: LayerEncoding, options: LayerEncoderOptions = {}): Transform {
  if (encoding === 'none') return new PassThrough();
  return new ParallelGzip(options);
}

interface Pending {
  output: Promise<Buffer>;
  done?: Buffer;
}

class ParallelGzip extends Transform {
  private readonly pool: GzipPool;
  private readonly ownPool: boolean;
  private readonly level: number;
  private readonly blockSize: number;
  private readonly maxInFlight: number;
  private block: Buffer;
  private filled = 0;
  private bytesIn = 0;
  private readonly pending: Pending[] = [];

  constructor(options: LayerEncoderOptions) {
    super();
    this.level = options.level ?? defaultGzipLevel;
    if (!Number.isInteger(this.level) || this.level < 1 || this.level > 9) throw new RangeError(`gzip level must be 1 to 9, not ${this.level}`);
    this.blockSize = options.blockSize ?? defaultGzipBlockSize;
    this.ownPool = options.pool === undefined;
    this.pool = options.pool ?? createGzipPool(options.workers);
    this.maxInFlight = Math.max(1, options.maxBlocksInFlight ?? this.pool.size * 2);
    this.block = Buffer.allocUnsafeSlow(this.blockSize);
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.accept(chunk).then(() => callback(), callback);
  }

  override _flush(callback: TransformCallback): void {
    (async () => {
      // An empty layer still needs a valid (empty) gzip stream.
      if (this.filled > 0 || this.bytesIn === 0) this.submit();
      while (this.pending.length > 0) this.push(await this.pending.shift()!.output);
      if (this.ownPool) await this.pool.close();
    })().then(() => callback(), callback);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    if (!this.ownPool) return callback(error);
    this.pool.close().then(() => callback(error), () => callback(error));
  }

  private async accept(chunk: Buffer): Promise<void> {
    this.bytesIn += chunk.length;
    let offset = 0;
    while (offset < chunk.length) {
      const copied = chunk.copy(this.block, this.filled, offset, Math.min(chunk.length, offset + this.blockSize - this.filled));
      this.filled += copied;
      offset += copied;
      if (this.filled === this.blockSize) {
        this.submit();
        // Back-pressure: no more input until the oldest block is out.
        while (this.pending.length >= this.maxInFlight) this.push(await this.pending.shift()!.output);
      }
      this.emitFinished();
    }
  }

  /** Hands the current block to the pool (which reads it on another thread: a new block follows). */
  private submit(): void {
    const block = this.filled === this.blockSize ? this.block : this.block.subarray(0, this.filled);
    const pending: Pending = { output: this.pool.compress(block, this.level) };
    pending.output.then((out) => (pending.done = out), () => undefined);
    this.pending.push(pending);
    this.block = Buffer.allocUnsafeSlow(this.blockSize);
    this.filled = 0;
  }

  /** Emits, in order, the blocks already compressed. */
  private emitFinished(): void {
    while (this.pending[0]?.done) this.push(this.pending.shift()!.done);
  }
}
