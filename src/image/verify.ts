import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';

/**
 * A layer could not be read from a source (its bytes did not hash to the diff ID, a file of the
 * engine's storage is missing, the save stream does not hold it…). Not the user's fault: it is an
 * internal error, and the caller reads the layer another way (`docker save`) or reports a bug.
 */
export class LayerSourceError extends Error {
  /** The layer that failed, when known. */
  readonly diffId: string | undefined;
  /** Which source failed. */
  readonly source: 'engine-store' | 'docker-save';

  constructor(source: 'engine-store' | 'docker-save', message: string, options: { diffId?: string; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'LayerSourceError';
    this.source = source;
    this.diffId = options.diffId;
  }
}

/** `sha256:<hex>` of some bytes. */
export function sha256Digest(bytes: Buffer | string): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/**
 * A byte stream of `chunks` that errors instead of ending when the bytes do not hash to `diffId`:
 * a consumer never sees a clean end of a wrong layer, so it never commits a wrong blob.
 */
export function verifiedLayerStream(
  chunks: AsyncIterable<Buffer>,
  diffId: string,
  source: 'engine-store' | 'docker-save',
): Readable {
  async function* verified(): AsyncGenerator<Buffer> {
    const hash = createHash('sha256');
    let bytes = 0;
    for await (const chunk of chunks) {
      hash.update(chunk);
      bytes += chunk.length;
      yield chunk;
    }
    const actual = `sha256:${hash.digest('hex')}`;
    if (actual !== diffId) {
      throw new LayerSourceError(source, `layer ${diffId} read from ${source} hashes to ${actual} (${bytes} bytes): the bytes are not the layer`, { diffId });
    }
  }
  return Readable.from(verified(), { objectMode: false, highWaterMark: 1 << 20 });
}
