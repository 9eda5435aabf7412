import { Readable } from 'node:stream';
import { DigestCache } from '../image/digest-cache.js';
import { createGzipPool } from '../image/gzip-pool.js';
import { blobOf, readOciArchive } from '../image/oci-archive.js';
import { peekStream } from '../image/sample.js';
import { parseReference } from '../registry/reference.js';
import { createPushProgress } from '../ui/push-progress.js';
import { buildManifest, cancelled, findKnownLayer, pushClient, uploadLayer, type PushedLayerReport, type PushImageOptions, type PushImageResult } from './push-image.js';

const manifestType = 'application/vnd.docker.distribution.manifest.v2+json';

export interface PushArchiveOptions extends PushImageOptions {
  /** Repositories of the target registry that may hold the base layers (the base image's own). */
  mountFrom?: string[];
}

/**
 * Pushes an image that exists only as an OCI archive stream (a BuildKit daemon's export, for
 * `cog push` on a remote builder): no local engine, and no copy of the image anywhere. Each big
 * blob is a layer, pushed as it streams by: one the registry has (or the digest cache knows) is
 * skipped unread; one that came compressed (a base layer as it was pulled) goes up as it is; one
 * that came uncompressed (built here) is compressed by the uploader, as on the local routes, so
 * the pushed layers and digests are the same whichever way the image was built. Small blobs wait
 * for the index, which names the config and the layers' order. A blob whose upload session is
 * lost is read again from a new export (`again`), found by its digest.
 */
export async function pushArchive(options: PushArchiveOptions, archive: Readable, again: () => Promise<Readable>): Promise<PushImageResult> {
  const started = performance.now();
  const ref = parseReference(options.image);
  const repositoryKey = `${ref.registry}/${ref.repository}`;
  const cache = options.digestCache ?? new DigestCache();
  const client = pushClient(ref, options);
  const pool = createGzipPool();
  const progress = createPushProgress(options.logger);
  const stopping = new AbortController();
  const onCancel = () => stopping.abort(options.signal!.reason);
  options.signal?.addEventListener('abort', onCancel, { once: true });
  const signal = stopping.signal;
  const pushed = new Map<string, PushedLayerReport>();
  let bytesSent = 0;

  const pushLayer = async (digest: string, size: number, stream: Readable): Promise<void> => {
    progress.update(digest, { name: `layer ${digest.slice(7, 19)}` });
    // A layer pushed before (by its digest as a diff ID: it came uncompressed) needs no reading.
    const known = await findKnownLayer(client, cache, digest, repositoryKey, signal);
    if (known) {
      progress.update(digest, { state: known.outcome, total: known.size, sent: known.size });
      pushed.set(digest, known);
      return;
    }
    const peeked = await peekStream(stream);
    const reopen = async () => blobOf(await again(), digest);
    const compressed = peeked.sample[0] === 0x1f && peeked.sample[1] === 0x8b;
    let first: Readable | undefined = peeked.stream;
    const layer: PushedLayerReport = compressed
      ? await pushCompressed()
      : await uploadLayer({ client, reopen: async (encode) => encode(await reopen()), rereadable: false, diffId: digest, raw: peeked.stream, size, pool, options, signal, progress, label: `layer ${digest.slice(7, 19)}` });
    bytesSent += layer.outcome === 'pushed' ? layer.size : 0;
    progress.update(digest, { state: layer.outcome, sent: layer.size, total: layer.size });
    pushed.set(digest, layer);

    async function pushCompressed(): Promise<PushedLayerReport> {
      progress.update(digest, { state: 'pushing', sent: 0, total: size });
      const blob = await client.pushBlob(
        {
          digest,
          size,
          open: async () => {
            const stream = first ?? (await reopen());
            first = undefined;
            return stream;
          },
        },
        { signal, label: `layer ${digest.slice(7, 19)}`, mountFrom: options.mountFrom, onProgress: (sent) => progress.update(digest, { sent }) },
      );
      // Its diff ID is only known from the config, at the end.
      return { diffId: '', digest: blob.digest, size: blob.size, encoding: 'gzip', outcome: blob.outcome };
    }
  };

  try {
    await client.ping(signal);
    const image = await readOciArchive(archive, pushLayer);
    for (const layer of image.layers) {
      if (pushed.has(layer.digest)) continue;
      const bytes = image.small.get(layer.digest);
      if (!bytes) throw new Error(`the OCI archive does not hold the layer ${layer.digest}`);
      await pushLayer(layer.digest, bytes.length, Readable.from([bytes]));
    }
    const layers = image.layers.map((layer, index) => ({ ...pushed.get(layer.digest)!, diffId: image.diffIds[index]! }));
    for (const layer of layers) cache.recordPushed(layer.diffId, layer, repositoryKey);
    const config = await client.pushBlob(
      { digest: image.configDigest, size: image.config.length, open: async () => Readable.from([image.config]) },
      { signal, label: 'the image config' },
    );
    bytesSent += config.outcome === 'pushed' ? config.size : 0;
    const manifest = buildManifest({ id: image.configDigest, size: image.config.length }, layers);
    const digest = await client.putManifest(ref.tag ?? 'latest', manifest, manifestType, { signal });
    progress.stop();
    return { image: options.image, digest, layers, bytesSent, seconds: (performance.now() - started) / 1000, layerSource: 'buildkit-export' };
  } catch (error) {
    if (options.signal?.aborted) throw cancelled(pushed, undefined, bytesSent, error);
    throw error;
  } finally {
    options.signal?.removeEventListener('abort', onCancel);
    progress.stop();
    await pool.close();
    await client.close();
  }
}
