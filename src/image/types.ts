import type { Readable } from 'node:stream';

/**
 * The contract of image/: reading a local image's layers as streams, deciding how each is encoded
 * for the registry, and remembering what was pushed where. Implementations live beside this file.
 */

/** What the engine says about an image, before any layer is read. */
export interface LocalImage {
  /** The engine's image ID (`sha256:…`, the digest of its config's bytes). */
  id: string;
  /** Uncompressed layer digests (`rootfs.diff_ids`), base layer first. */
  diffIds: string[];
}

/** How a layer's tar stream is sent to a registry. */
export type LayerEncoding = 'gzip' | 'none';

/**
 * A way to read an image's layers out of the local engine. Every stream is the layer's
 * uncompressed tar, byte for byte (its sha256 is the diff ID), and is never held whole in memory.
 */
export interface LayerSource {
  /**
   * `engine-store`: layers reassembled from the engine's own storage (random access, parallel);
   * `docker-save`: one pass over the `docker save` stream (stream order, one at a time).
   */
  readonly kind: 'engine-store' | 'docker-save';
  /** Where the bytes come from, for --debug. */
  readonly describe: string;
  /**
   * Calls `visit` once for each wanted layer with its stream; `visit` must consume the stream
   * before its promise settles. Random-access sources run up to `concurrency` visits at once.
   * Calling again with a subset re-reads those layers from the start.
   * A stream whose bytes turn out not to hash to its diff ID errors (LayerSourceError, verify.ts)
   * instead of ending, so no wrong blob is ever committed. The source from `openLayerSource` in
   * `auto` mode then visits that layer again from `docker save`: a visit per attempt.
   */
  forEachLayer(
    wanted: string[],
    /** `size`: the layer tar's length in bytes, when the source knows it before reading. */
    visit: (diffId: string, stream: Readable, size: number | undefined) => Promise<void>,
    options?: { concurrency?: number; signal?: AbortSignal },
  ): Promise<void>;
  /**
   * The image config exactly as the engine stores it (its bytes are pushed as the config blob),
   * checked against the image ID. From a pass of `forEachLayer` when the config went by in it.
   */
  readConfig(options?: { signal?: AbortSignal }): Promise<Buffer>;
  /** Ends what reading needed (a helper container); idempotent. */
  close(): Promise<void>;
}

/** What the digest cache knows of a layer already pushed once. */
export interface PushedLayer {
  /** The blob's digest as pushed (compressed or not). */
  digest: string;
  /** Blob size in bytes. */
  size: number;
  encoding: LayerEncoding;
  /** `registry/repository` names known to hold the blob (for HEAD and cross-repository mounts). */
  repositories: string[];
}
