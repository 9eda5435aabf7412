import { createHash } from 'node:crypto';
import { pipeline, Readable } from 'node:stream';
import type { DockerCli } from '../docker/process.js';
import { chooseLayerEncoding, createLayerEncoder, defaultGzipLevel } from '../image/compress.js';
import { CancelledError, UserError } from '../errors.js';
import { DigestCache } from '../image/digest-cache.js';
import { createGzipPool, type GzipPool } from '../image/gzip-pool.js';
import { inspectLocalImage } from '../image/inspect.js';
import { openLayerSource } from '../image/open-source.js';
import { peekStream } from '../image/sample.js';
import { LayerSourceError } from '../image/verify.js';
import type { LayerEncoding, LayerSource } from '../image/types.js';
import { RegistryClient } from '../registry/client.js';
import { parseReference } from '../registry/reference.js';
import { formatRequestRecord } from '../registry/transport.js';
import type { PushedBlob } from '../registry/types.js';
import { formatBytes } from '../ui/format.js';
import type { Env } from '../settings/env.js';
import type { LayerSourceChoice } from '../settings/variables.js';
import type { Logger } from '../ui/logger.js';
import { createPushProgress, type PushProgress } from '../ui/push-progress.js';

const manifestType = 'application/vnd.docker.distribution.manifest.v2+json';
const configType = 'application/vnd.docker.container.image.v1+json';
const layerTypes: Record<LayerEncoding, string> = {
  gzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  // Uncompressed layers pull fine under a Docker v2 manifest (seen with Docker 20.10).
  none: 'application/vnd.docker.image.rootfs.diff.tar',
};

export interface PushImageOptions {
  docker: DockerCli;
  /** The local image, named as it is to be pushed (`registry/repository[:tag]`). */
  image: string;
  logger: Logger;
  /** Chunk size for uploads; default 96 MiB (lowered by the registry as it asks). */
  chunkSize?: number;
  /** Layers uploaded at once; default `defaultPushConcurrency`. */
  concurrency?: number;
  /** Blobs at most this big go up in one request; default 1 MiB (never more than a chunk is held). */
  multipartThreshold?: number | undefined;
  /** gzip level for layers worth compressing; default 1 (speed). */
  compressionLevel?: number;
  /** Force an encoding for every layer instead of judging each from a sample. */
  encoding?: LayerEncoding;
  /** Per-request timeout (connect, answer, idle body); default the transport's (10 s / 60 s / 60 s). */
  requestTimeoutMs?: number | undefined;
  /** Where pushed layers are remembered; default under the cache dir. */
  digestCache?: DigestCache;
  /** Where DOCKER_HOST and the docker context are read. Default the process's. */
  env?: Env;
  /** `storage`: the engine's storage only; `export`: the engine's export only; `auto` (default): the fastest that works. */
  layerSource?: LayerSourceChoice | undefined;
  signal?: AbortSignal;
}

/** Layers uploaded at once when the caller does not say (COG_PUSH_CONCURRENCY's default). */
export const defaultPushConcurrency = 3;

export interface PushedLayerReport {
  diffId: string;
  digest: string;
  size: number;
  encoding: LayerEncoding;
  outcome: PushedBlob['outcome'];
  /** Chunks sent again in the same upload session (a 5xx, a 429, a cut the registry survived). */
  retries?: number;
  /** Times the blob started over (the registry lost the upload session). */
  restarts?: number;
  /** After a restart: the chunk size the upload went on with; null: the whole blob in one request. */
  chunkSize?: number | null;
}

export interface PushImageResult {
  image: string;
  /** The manifest digest the registry confirmed. */
  digest: string;
  layers: PushedLayerReport[];
  /** Bytes sent for layers and config. */
  bytesSent: number;
  seconds: number;
  /** How layers were read: the engine's storage, its export, or a BuildKit daemon's export. */
  layerSource: LayerSource['kind'] | 'buildkit-export';
}

/**
 * Pushes a local image: each layer read once as a stream, compressed once (or not at all when a
 * sample shows it would not shrink), skipped when the registry has it (HEAD, using what the digest
 * cache remembers), mounted when another repository of the registry has it, else uploaded in
 * chunks. The manifest goes up only when every blob is confirmed, and its digest is checked.
 */
export async function pushImage(options: PushImageOptions): Promise<PushImageResult> {
  const started = performance.now();
  const { docker, logger } = options;
  const ref = parseReference(options.image);
  const repositoryKey = `${ref.registry}/${ref.repository}`;
  const cache = options.digestCache ?? new DigestCache({ env: options.env });
  const client = pushClient(ref, options);
  const pool = createGzipPool();
  const progress = createPushProgress(logger);
  let bytesSent = 0;
  const layers = new Map<string, PushedLayerReport>();
  let layerCount: number | undefined;
  let openedSource: LayerSource | undefined;
  // The user's cancel, or the first layer that cannot be pushed: the push is over either way, so
  // the layers still going stop at once instead of using up their own retries.
  const stopping = new AbortController();
  const onCancel = () => stopping.abort(options.signal!.reason);
  if (options.signal?.aborted) onCancel();
  options.signal?.addEventListener('abort', onCancel, { once: true });
  const signal = stopping.signal;
  try {
    await client.ping(signal);
    const local = await inspectLocalImage(docker, options.image);
    layerCount = new Set(local.diffIds).size;
    const prefer = ({ auto: 'auto', storage: 'engine-store', export: 'docker-save' } as const)[options.layerSource ?? 'auto'];
    const source = await openLayerSource(docker, local, { prefer, log: (m) => logger.debug(m), env: options.env }).catch((error: unknown) => {
      if (prefer !== 'engine-store' || !(error instanceof LayerSourceError)) throw error;
      throw new UserError(`layer source "storage": ${error.message}`, { hint: 'use --layer-source auto (or export), which reads the engine\'s export where its storage cannot be read', cause: error });
    });
    openedSource = source;
    local.diffIds.forEach((diffId, index) => progress.update(diffId, { name: `layer ${index + 1}/${local.diffIds.length}` }));

    // 1. What the registry already has, from what was pushed before: no reading, no compression.
    for (const diffId of new Set(local.diffIds)) {
      const found = await findKnownLayer(client, cache, diffId, repositoryKey, signal);
      if (found) {
        layers.set(diffId, found);
        progress.update(diffId, { state: found.outcome, total: found.size, sent: found.size });
      }
    }
    // 2. The rest, read and uploaded.
    const missing = [...new Set(local.diffIds)].filter((diffId) => !layers.has(diffId));
    await source.forEachLayer(
      missing,
      async (diffId, raw, size) => {
        const layer = await uploadLayer({
          client,
          reopen: (encode) => reopenLayer(source, diffId, encode),
          rereadable: source.kind === 'engine-store',
          diffId,
          raw,
          size,
          pool,
          options,
          signal,
          progress,
          label: `layer ${local.diffIds.indexOf(diffId) + 1}`,
        }).catch(
          (error: unknown) => {
            if (!signal.aborted) stopping.abort(error);
            throw error;
          },
        );
        bytesSent += layer.outcome === 'pushed' ? layer.size : 0;
        // Remembered before it is reported: a push killed after saying "pushed" never uploads it again.
        cache.recordPushed(diffId, layer, repositoryKey);
        progress.update(diffId, { state: layer.outcome, sent: layer.size, total: layer.size });
        layers.set(diffId, layer);
      },
      { concurrency: options.concurrency ?? defaultPushConcurrency, signal },
    );
    // 3. The config (the registry may have it: an unchanged image, pushed again), then the
    // manifest, only now that every blob is there.
    const known = await client.headBlob(local.id, { signal });
    const configBytes = known ? undefined : await source.readConfig({ signal });
    const config = configBytes
      ? await client.pushBlob({ digest: local.id, size: configBytes.length, open: async () => Readable.from([configBytes]) }, { signal, label: 'the image config' })
      : { digest: local.id, size: known!.size, outcome: 'exists' as const };
    bytesSent += config.outcome === 'pushed' ? config.size : 0;
    const manifest = buildManifest({ id: local.id, size: config.size }, local.diffIds.map((diffId) => layers.get(diffId)!));
    const digest = await client.putManifest(ref.tag ?? 'latest', manifest, manifestType, { signal });
    progress.stop();
    return {
      image: options.image,
      digest,
      layers: local.diffIds.map((diffId) => layers.get(diffId)!),
      bytesSent,
      seconds: (performance.now() - started) / 1000,
      layerSource: source.kind,
    };
  } catch (error) {
    if (options.signal?.aborted) throw cancelled(layers, layerCount, bytesSent, error);
    throw error;
  } finally {
    options.signal?.removeEventListener('abort', onCancel);
    progress.stop();
    await openedSource?.close();
    await pool.close();
    await client.close();
  }
}

/** The registry client of one push, as its options ask. */
export function pushClient(ref: { registry: string; repository: string }, options: Pick<PushImageOptions, 'logger' | 'requestTimeoutMs' | 'chunkSize' | 'multipartThreshold'>): RegistryClient {
  return new RegistryClient({
    registry: ref.registry,
    repository: ref.repository,
    transport: {
      onRequest: (record) => options.logger.debug(formatRequestRecord(record)),
      ...(options.requestTimeoutMs
        ? { timeouts: { connectMs: options.requestTimeoutMs, headersMs: options.requestTimeoutMs, bodyIdleMs: options.requestTimeoutMs } }
        : {}),
    },
    // One chunk buffer for the whole push: memory stays near one chunk, however many layers
    // (blobs under 1 MiB go up in one request and need none). Reading and compressing other layers
    // go on meanwhile, up to the point where they need the buffer.
    upload: {
      chunkBuffers: 1,
      ...(options.chunkSize ? { chunkSize: options.chunkSize } : {}),
      ...(options.multipartThreshold !== undefined ? { monolithicThreshold: options.multipartThreshold } : {}),
    },
  });
}

/**
 * What a cancelled push tells its user: what the registry has now, and that nothing is lost (every
 * confirmed layer is remembered, and the registry keeps it: the next push skips it). No manifest
 * was written, so the tag still names what it named before.
 */
export function cancelled(layers: Map<string, PushedLayerReport>, total: number | undefined, bytesSent: number, cause: unknown): CancelledError {
  const there =
    total !== undefined
      ? `${layers.size} of ${total} layer(s) are in the registry (${formatBytes(bytesSent)} sent)`
      : layers.size > 0
        ? `${layers.size} layer(s) are in the registry (${formatBytes(bytesSent)} sent)`
        : 'before any layer was read';
  return new CancelledError(`push cancelled: ${there}; no manifest was written, so the tag is unchanged`, {
    hint: 'run the same cog push again to finish: it skips every layer the registry already has',
    cause,
  });
}

/**
 * A layer pushed before (any encoding) that this repository has, or can mount from another one it
 * was pushed to. A mount the registry refuses (no pull on the source, the blob gone) leaves the
 * layer to be read and uploaded, as if it had never been pushed.
 */
export async function findKnownLayer(client: RegistryClient, cache: DigestCache, diffId: string, repositoryKey: string, signal?: AbortSignal) {
  for (const known of cache.lookup(diffId)) {
    if (await client.headBlob(known.digest, { signal })) {
      return { diffId, digest: known.digest, size: known.size, encoding: known.encoding, outcome: 'exists' as const };
    }
    cache.forgetRepository(diffId, known.digest, repositoryKey);
    const registryPrefix = `${client.registry}/`;
    const sources = known.repositories.filter((r) => r.startsWith(registryPrefix)).map((r) => r.slice(registryPrefix.length));
    // A session the registry opens instead of mounting is not needed: this layer is read later.
    const mounted = await client.mountFrom(known.digest, sources, { signal });
    if (mounted.outcome === 'mounted') {
      cache.recordPushed(diffId, known, repositoryKey);
      return { diffId, digest: known.digest, size: known.size, encoding: known.encoding, outcome: 'mounted' as const };
    }
  }
  return undefined;
}

export interface UploadLayerArgs {
  client: RegistryClient;
  /** The layer's stream again, through the encoder given (the registry lost the session). */
  reopen: (encode: (raw: Readable) => Readable) => Promise<Readable>;
  /** Reading the layer again is cheap (files on disk): no chunk buffer for it. */
  rereadable: boolean;
  diffId: string;
  raw: Readable;
  /** The layer tar's length, when the source knows it. */
  size: number | undefined;
  pool: GzipPool;
  options: PushImageOptions;
  signal: AbortSignal;
  progress: PushProgress;
  label: string;
}

/** One layer: choose its encoding from a sample, then stream it through the encoder into the registry. */
export async function uploadLayer(args: UploadLayerArgs): Promise<PushedLayerReport> {
  const { client, diffId, pool, options, progress } = args;
  const peeked = await peekStream(args.raw);
  const encoding = options.encoding ?? chooseLayerEncoding(peeked.sample);
  const encode = (stream: Readable) =>
    pipeline(stream, createLayerEncoder(encoding, { level: options.compressionLevel ?? defaultGzipLevel, pool }), () => {});
  let first: Readable | undefined = encode(peeked.stream);
  const stats: { retries: number; restarts: number; chunkSize?: number | null } = { retries: 0, restarts: 0 };
  progress.update(diffId, { state: 'pushing', sent: 0, ...(encoding === 'none' && args.size !== undefined ? { total: args.size } : {}) });
  const pushed = await client.pushBlob(
    {
      // Uncompressed, the blob is the layer tar itself: its digest is the diff ID and its size the
      // tar's, both known before a byte is read (so chunks can be sent while they are read).
      digest: encoding === 'none' ? diffId : undefined,
      size: encoding === 'none' ? args.size : undefined,
      // Files on disk are cheap to read again: no chunk buffer for them (reread-window.ts).
      rereadable: args.rereadable,
      open: async () => {
        if (first) {
          const stream = first;
          first = undefined;
          return stream;
        }
        // The registry lost the session: this layer, and only it, is read again from the start.
        return args.reopen(encode);
      },
    },
    {
      signal: args.signal,
      label: args.label,
      onProgress: (sent) => progress.update(diffId, { sent, ...(stats.retries + stats.restarts > 0 ? { state: 'pushing' as const } : {}) }),
      onEvent: (event) => {
        if (event.kind === 'retry') {
          stats.retries++;
          progress.update(diffId, { state: 'retrying', note: `${event.reason}; the chunk is sent again` });
        } else {
          stats.restarts++;
          stats.chunkSize = event.chunkSize ?? null;
          const how = event.chunkSize === undefined ? 'now in one request' : `now in ${formatBytes(event.chunkSize)} chunks`;
          progress.update(diffId, { state: 'retrying', sent: 0, note: `${event.reason}; starting over, ${how}` });
        }
      },
    },
  );
  return { diffId, digest: pushed.digest, size: pushed.size, encoding, outcome: pushed.outcome, ...(pushed.outcome === 'pushed' ? stats : {}) };
}

/** A fresh encoded stream of one layer, read through the source again. */
function reopenLayer(source: LayerSource, diffId: string, encode: (s: Readable) => Readable): Promise<Readable> {
  return new Promise((resolve, reject) => {
    source
      .forEachLayer([diffId], (_id, raw) => {
        const encoded = encode(raw);
        resolve(encoded);
        // The source waits until this stream is consumed (or fails) before it moves on.
        return new Promise<void>((done, failed) => {
          encoded.once('end', done);
          encoded.once('close', done);
          encoded.once('error', failed);
        });
      })
      .catch(reject);
  });
}

/** A Docker v2 schema 2 manifest, layers in the image's order, each with the media type of its encoding. */
export function buildManifest(config: { id: string; size: number }, layers: PushedLayerReport[]): Buffer {
  const manifest = {
    schemaVersion: 2,
    mediaType: manifestType,
    config: { mediaType: configType, size: config.size, digest: config.id },
    layers: layers.map((layer) => ({ mediaType: layerTypes[layer.encoding], size: layer.size, digest: layer.digest })),
  };
  return Buffer.from(JSON.stringify(manifest));
}

/** sha256 of bytes, as a digest. */
export function digestOf(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}
