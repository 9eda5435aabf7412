/**
 * The chunk buffers of one push, shared by its uploads. A chunk buffer holds the chunk being sent
 * so a failed PATCH can be sent again; with 96 MiB chunks they are most of a push's memory. The
 * pool caps how many exist at once (an upload waits for one) and reuses them from blob to blob,
 * so a push's memory is bounded by `max × chunk size`, whatever the number of layers.
 */
export class ChunkBufferPool {
  private readonly free: Buffer[] = [];
  private readonly waiting: Array<() => void> = [];
  /** Every whole buffer handed out, by its memory: a released slice is matched to its buffer. */
  private readonly whole = new Map<ArrayBufferLike, Buffer>();

  constructor(readonly max: number) {}

  async acquire(size: number): Promise<Buffer> {
    for (;;) {
      const index = this.free.findIndex((buffer) => buffer.length >= size);
      if (index >= 0) return this.free.splice(index, 1)[0]!.subarray(0, size);
      if (this.whole.size < this.max) return this.allocate(size);
      const tooSmall = this.free.pop();
      if (tooSmall) {
        // Give its memory back and make one big enough in its place.
        this.whole.delete(tooSmall.buffer);
        return this.allocate(size);
      }
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
  }

  release(slice: Buffer): void {
    const buffer = this.whole.get(slice.buffer);
    if (!buffer) throw new Error('ChunkBufferPool: released a buffer it did not hand out');
    this.free.push(buffer);
    this.waiting.shift()?.();
  }

  private allocate(size: number): Buffer {
    // Slow: never a slice of Node's shared pool, so the memory is this buffer's alone.
    const buffer = Buffer.allocUnsafeSlow(size);
    this.whole.set(buffer.buffer, buffer);
    return buffer;
  }
}
