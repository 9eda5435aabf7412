import { Readable } from 'node:stream';
import { BlobReader } from './blob-reader.js';
import type { UploadWindow } from './chunk-window.js';
import type { BodySource } from './transport.js';

/** Progress is reported per slice as undici takes it. */
const progressSliceBytes = 256 * 1024;

/**
 * Chunks sent straight from the layer, with no chunk buffer, for a blob whose bytes can be read
 * again cheaply (a layer of the engine's storage: files on disk) and whose size and digest are
 * known. A failed chunk is not kept in memory: the layer is read again from its start and the
 * bytes before the offset the registry reports are skipped (read and hashed, not sent), which
 * costs a re-read on a fault instead of a chunk's worth of memory for the whole upload. That
 * memory goes to the layers that need it (compressed ones, of unknown size), which then upload
 * alongside this one instead of after it.
 */
export class RereadWindow implements UploadWindow {
  readonly streams = true;
  private start = 0;
  private reader: BlobReader | undefined;
  /** Blob offset of the reader's next byte. */
  private position = 0;
  /** One body reads at a time: a body abandoned mid-read must not race its replay. */
  private reading: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly open: () => Promise<Readable>,
    first: Readable,
    readonly size: number,
    private readonly chunkSize: number,
  ) {
    this.reader = new BlobReader(first, { hash: false });
  }

  get end(): number {
    return this.position;
  }

  get limit(): number {
    return Math.min(this.size, this.start + this.chunkSize);
  }

  advance(): void {
    this.start = this.limit;
  }

  async fill(): Promise<void> {}

  async hasMore(): Promise<boolean> {
    return this.serially(async () => {
      await this.seek(this.size);
      return !(await this.reader!.atEnd());
    });
  }

  canResumeAt(offset: number): boolean {
    return offset >= 0 && offset <= this.size;
  }

  body(from: number, to: number, onProgress?: (bytesSent: number) => void): BodySource {
    const window = this;
    return {
      replayable: true,
      open: () =>
        Readable.from(
          (async function* () {
            let at = from;
            while (at < to) {
              const piece = await window.serially(async () => {
                await window.seek(at);
                const next = await window.reader!.next(Math.min(to - at, progressSliceBytes));
                if (next) window.position += next.length;
                return next;
              });
              if (!piece) throw new Error(`the layer ended at byte ${at}, before the ${window.size} bytes announced`);
              yield piece;
              at += piece.length;
              onProgress?.(at);
            }
          })(),
          { objectMode: false },
        ),
    };
  }

  /** Closes the layer's stream. */
  destroy(): void {
    this.reader?.destroy();
  }

  /** Puts the reader at `offset`: where it is, or the layer read again from its start, skipping. */
  private async seek(offset: number): Promise<void> {
    if (this.position === offset) return;
    if (!this.reader || this.position > offset) {
      this.reader?.destroy();
      this.reader = new BlobReader(await this.open(), { hash: false });
      this.position = 0;
    }
    while (this.position < offset) {
      const skipped = await this.reader.next(offset - this.position);
      if (!skipped) throw new Error(`the layer ended at byte ${this.position}, before offset ${offset}`);
      this.position += skipped.length;
    }
  }

  private serially<T>(work: () => Promise<T>): Promise<T> {
    const result = this.reading.then(work);
    this.reading = result.catch(() => undefined);
    return result;
  }
}
