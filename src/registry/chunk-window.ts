import { Readable } from 'node:stream';
import type { BlobReader } from './blob-reader.js';
import type { BodySource } from './transport.js';

/** Progress is reported per slice of a chunk as undici takes it, so bars move within a 96 MiB chunk. */
const progressSliceBytes = 256 * 1024;

/** Where the bytes of an upload's chunks come from, and how a failed chunk is sent again. */
export interface UploadWindow {
  /** The blob's size, when known in advance. */
  readonly size: number | undefined;
  /** Whether a chunk's body is read while it is sent (else it is read whole first, with `fill`). */
  readonly streams: boolean;
  /** Blob offset just past the bytes read so far. */
  readonly end: number;
  /** Blob offset where the current window stops (a chunk never crosses it). */
  readonly limit: number;
  /** Starts the next window where this one ends (every byte of it confirmed). */
  advance(): void;
  /** Reads until the window is full or the layer ends. */
  fill(): Promise<void>;
  /** Whether the layer has bytes beyond those read so far. */
  hasMore(): Promise<boolean>;
  /** Whether the upload can go on from this blob offset (what the registry holds after a fault). */
  canResumeAt(offset: number): boolean;
  /** The body of blob bytes [from, to); each `open()` gives the same bytes. */
  body(from: number, to: number, onProgress?: (bytesSent: number) => void): BodySource;
}

/**
 * The bytes of the chunk being uploaded, kept until the registry confirms them: a PATCH that
 * fails is sent again from here, from whatever offset the registry reports. Memory: one buffer.
 *
 * When the blob's size is known, a PATCH starts before its chunk is read: its body is read from
 * the layer (into the buffer) while it is sent, so reading, hashing and compressing the layer go
 * on while the registry receives, instead of one after the other. Without a known size the chunk's
 * length is only known once it is read, so it is read first (`fill`), then sent.
 */
export class ChunkWindow implements UploadWindow {
  /** Blob offset of the buffer's first byte. */
  private start = 0;
  /** Bytes of the window read so far. */
  private filled = 0;
  /** Reads from the layer one at a time: a body abandoned mid-read must not race its replay. */
  private reading: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly buffer: Buffer,
    private readonly reader: BlobReader,
    /** The blob's size, when known in advance. */
    readonly size: number | undefined,
  ) {}

  /** Blob offset just past the bytes at hand. */
  get end(): number {
    return this.start + this.filled;
  }

  /** Blob offset where this window stops: the buffer's capacity, or the blob's end when it is nearer. */
  get limit(): number {
    const capacity = this.start + this.buffer.length;
    return this.size === undefined ? capacity : Math.min(this.size, capacity);
  }

  /** Whether bytes can be read while they are sent. */
  get streams(): boolean {
    return this.size !== undefined;
  }

  /** Bytes already read from the layer (a probe), as the window's first. */
  preload(bytes: Buffer): void {
    if (this.start !== 0 || this.filled !== 0 || bytes.length > this.buffer.length) throw new Error('ChunkWindow: preload into a window in use');
    bytes.copy(this.buffer, 0);
    this.filled = bytes.length;
  }

  /** The bytes read so far, from the blob's first byte (only while the first window is at hand). */
  head(): Buffer {
    if (this.start !== 0) throw new Error('ChunkWindow: the head of the blob is no longer at hand');
    return this.buffer.subarray(0, this.filled);
  }

  /** Starts the next window where this one ends (every byte of it confirmed). */
  advance(): void {
    this.start = this.end;
    this.filled = 0;
  }

  /** Reads until the window is full or the layer ends. */
  async fill(): Promise<void> {
    while (this.end < this.limit) {
      if (!(await this.readMore(this.limit))) return;
    }
  }

  /** Whether the layer has bytes beyond those read so far. */
  async hasMore(): Promise<boolean> {
    return !(await this.reader.atEnd());
  }

  /** Only from the bytes at hand: those before the window are gone. */
  canResumeAt(offset: number): boolean {
    return offset >= this.start && offset <= this.end;
  }

  /**
   * The body of blob bytes [from, to): those at hand, then (streaming) the rest read from the layer
   * as undici takes them. Each `open()` replays the same bytes: what was read stays in the window.
   */
  body(from: number, to: number, onProgress?: (bytesSent: number) => void): BodySource {
    if (from < this.start || to > this.limit) throw new RangeError(`bytes ${from}–${to} are outside the window ${this.start}–${this.limit}`);
    const window = this;
    return {
      replayable: true,
      open: () =>
        Readable.from(
          (async function* () {
            let at = from;
            while (at < to) {
              if (at >= window.end && !(await window.readMore(to))) {
                throw new Error(`the blob ended at byte ${window.end}, before the ${window.size ?? to} bytes announced`);
              }
              const next = Math.min(to, window.end, at + progressSliceBytes);
              yield window.buffer.subarray(at - window.start, next - window.start);
              at = next;
              onProgress?.(at);
            }
          })(),
          { objectMode: false },
        ),
    };
  }

  /** Reads the layer's next bytes into the window, up to blob offset `until`; false at the layer's end. */
  private readMore(until: number): Promise<boolean> {
    const read = this.reading.then(async () => {
      if (this.end >= until) return true; // a replay of the same body read them meanwhile
      const got = await this.reader.readInto(this.buffer.subarray(this.filled, until - this.start));
      this.filled += got;
      return got > 0;
    });
    this.reading = read.catch(() => undefined);
    return read;
  }
}
