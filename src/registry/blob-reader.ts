import { createHash, type Hash } from 'node:crypto';
import type { Readable } from 'node:stream';

/**
 * Reads a blob's stream in pieces of a caller's choosing (a chunk buffer, then maybe the rest as
 * a stream), counting bytes and hashing them as they are consumed: each byte once, none held
 * beyond the caller's buffer and one piece of look-ahead.
 */
export class BlobReader {
  /** Bytes handed out so far. */
  bytesRead = 0;
  private readonly iterator: AsyncIterator<unknown>;
  private readonly hash: Hash | undefined;
  private pending: Buffer | undefined;
  private ended = false;

  constructor(
    private readonly stream: Readable,
    options: { hash: boolean },
  ) {
    this.iterator = stream[Symbol.asyncIterator]();
    this.hash = options.hash ? createHash('sha256') : undefined;
  }

  /** Fills `target` from the stream; fewer bytes than its length only at the end of the stream. */
  async fill(target: Buffer): Promise<number> {
    let filled = 0;
    while (filled < target.length) {
      const piece = await this.nextPiece();
      if (!piece) break;
      const take = Math.min(piece.length, target.length - filled);
      piece.copy(target, filled, 0, take);
      if (take < piece.length) this.pending = piece.subarray(take);
      this.consumed(piece.subarray(0, take));
      filled += take;
    }
    return filled;
  }

  /** Copies the stream's next bytes into `target`, as many as the next piece holds; 0 at the end. */
  async readInto(target: Buffer): Promise<number> {
    const piece = await this.nextPiece();
    if (!piece || target.length === 0) {
      if (piece) this.pending = piece;
      return 0;
    }
    const take = Math.min(piece.length, target.length);
    piece.copy(target, 0, 0, take);
    if (take < piece.length) this.pending = piece.subarray(take);
    this.consumed(piece.subarray(0, take));
    return take;
  }

  /** The stream's next bytes as they come, at most `max` of them; undefined at the end. */
  async next(max: number): Promise<Buffer | undefined> {
    const piece = await this.nextPiece();
    if (!piece) return undefined;
    const take = Math.min(piece.length, max);
    if (take < piece.length) this.pending = piece.subarray(take);
    const out = piece.subarray(0, take);
    this.consumed(out);
    return out;
  }

  /** Whether the stream has no more bytes (reads one piece ahead to know). */
  async atEnd(): Promise<boolean> {
    const piece = await this.nextPiece();
    if (piece) this.pending = piece;
    return !piece;
  }

  /** The rest of the stream as it comes, for an upload in one request. */
  async *rest(): AsyncGenerator<Buffer> {
    for (let piece = await this.nextPiece(); piece; piece = await this.nextPiece()) {
      this.consumed(piece);
      yield piece;
    }
  }

  /** Whether every byte of the stream was handed out. */
  get finished(): boolean {
    return this.ended && this.pending === undefined;
  }

  /** `sha256:<hex>` of every byte handed out; only for a reader made with `hash: true`, at the end. */
  digest(): string {
    if (!this.hash) throw new Error('BlobReader: digest() without hashing');
    return `sha256:${this.hash.copy().digest('hex')}`;
  }

  destroy(): void {
    this.stream.destroy();
  }

  private consumed(bytes: Buffer): void {
    this.bytesRead += bytes.length;
    this.hash?.update(bytes);
  }

  private async nextPiece(): Promise<Buffer | undefined> {
    if (this.pending) {
      const piece = this.pending;
      this.pending = undefined;
      return piece;
    }
    while (!this.ended) {
      const next = await this.iterator.next();
      if (next.done) {
        this.ended = true;
        break;
      }
      const value = next.value;
      const piece = Buffer.isBuffer(value) ? value : Buffer.from(value as Uint8Array | string);
      if (piece.length > 0) return piece;
    }
    return undefined;
  }
}
