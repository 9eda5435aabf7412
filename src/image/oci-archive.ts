import type { Readable } from 'node:stream';
import tar from 'tar-stream';

/**
 * An OCI image layout as a tar stream (what a BuildKit daemon's `oci` exporter writes): entries in
 * name order, so every blob (`blobs/sha256/<hex>`) comes before `index.json`, and what a blob is
 * (a layer, the config, the manifest) is only known at the end. Blobs are handed over as they
 * come, with their digest and size; the small ones (JSON, tiny layers) are kept for the end.
 */

/** Blobs at most this big are kept in memory until the index says what they are. */
export const smallBlobLimit = 4 * 1024 * 1024;

export interface OciManifestLayer {
  mediaType: string;
  digest: string;
  size: number;
}

export interface OciImage {
  /** The config's bytes, as the archive holds them (pushed as they are). */
  config: Buffer;
  configDigest: string;
  /** Layers in order, base first, as the manifest lists them. */
  layers: OciManifestLayer[];
  /** The config's `rootfs.diff_ids`, in the same order. */
  diffIds: string[];
  /** The small blobs, by digest (tiny layers among them). */
  small: Map<string, Buffer>;
}

/**
 * Reads the archive once: `onLargeBlob` gets each big blob (a layer, by its size) as a stream it
 * must consume; the image's manifest and config are read from the small blobs at the end.
 */
export async function readOciArchive(archive: Readable, onLargeBlob: (digest: string, size: number, stream: Readable) => Promise<void>): Promise<OciImage> {
  const extract = tar.extract();
  archive.on('error', (error) => extract.destroy(error));
  archive.pipe(extract);
  const small = new Map<string, Buffer>();
  let index: Buffer | undefined;
  for await (const entry of extract) {
    const name = entry.header.name.replace(/^\.\//, '');
    const size = entry.header.size ?? 0;
    const blob = /^blobs\/sha256\/([a-f0-9]{64})$/.exec(name)?.[1];
    if (entry.header.type === 'file' && blob && size > smallBlobLimit) {
      await onLargeBlob(`sha256:${blob}`, size, entry as unknown as Readable);
      // Skipped (the registry had it) or read to its end: the archive goes on either way.
      await drain(entry as unknown as Readable);
    } else if (entry.header.type === 'file' && (blob || name === 'index.json')) {
      const bytes = await readAll(entry as unknown as AsyncIterable<Buffer>);
      if (blob) small.set(`sha256:${blob}`, bytes);
      else index = bytes;
    } else {
      await drain(entry as unknown as Readable);
    }
  }
  if (!index) throw new Error('the OCI archive has no index.json');
  return describeImage(JSON.parse(index.toString('utf8')) as { manifests?: Array<{ digest?: string }> }, small);
}

/** The manifest and config the index names, from the small blobs. */
function describeImage(index: { manifests?: Array<{ digest?: string }> }, small: Map<string, Buffer>): OciImage {
  const manifestDigest = index.manifests?.[0]?.digest;
  const manifestBytes = manifestDigest ? small.get(manifestDigest) : undefined;
  if (!manifestBytes) throw new Error(`the OCI archive's index names a manifest (${manifestDigest ?? 'none'}) it does not hold`);
  const manifest = JSON.parse(manifestBytes.toString('utf8')) as { config?: { digest?: string }; layers?: OciManifestLayer[] };
  const configDigest = manifest.config?.digest;
  const config = configDigest ? small.get(configDigest) : undefined;
  if (!configDigest || !config) throw new Error(`the OCI archive's manifest names a config (${configDigest ?? 'none'}) it does not hold`);
  const diffIds = (JSON.parse(config.toString('utf8')) as { rootfs?: { diff_ids?: string[] } }).rootfs?.diff_ids ?? [];
  const layers = manifest.layers ?? [];
  if (diffIds.length !== layers.length) throw new Error(`the OCI archive's config lists ${diffIds.length} layers, its manifest ${layers.length}`);
  return { config, configDigest, layers, diffIds, small };
}

/** One blob of another read of the same archive, as a stream; the rest of that archive is dropped. */
export async function blobOf(archive: Readable, digest: string): Promise<Readable> {
  const extract = tar.extract();
  archive.on('error', (error) => extract.destroy(error));
  archive.pipe(extract);
  const wanted = `blobs/sha256/${digest.replace(/^sha256:/, '')}`;
  // Iterated by hand: leaving a for-await loop would destroy the entry being handed back.
  const entries = extract[Symbol.asyncIterator]();
  for (let next = await entries.next(); !next.done; next = await entries.next()) {
    const entry = next.value as unknown as Readable & { header: { name: string } };
    if (entry.header.name.replace(/^\.\//, '') !== wanted) {
      await drain(entry);
      continue;
    }
    // The archive's writer stops once this blob is read, or given up on.
    entry.once('close', () => archive.destroy());
    return entry;
  }
  throw new Error(`the OCI archive no longer holds ${digest}`);
}

/** Reads what is left of an entry, so the archive can go on to the next. */
async function drain(entry: Readable): Promise<void> {
  if (entry.readableEnded || entry.destroyed) return;
  await new Promise<void>((resolve, reject) => {
    entry.once('end', resolve);
    entry.once('close', resolve);
    entry.once('error', reject);
    entry.resume();
  });
}

async function readAll(stream: AsyncIterable<Buffer>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return Buffer.concat(chunks);
}
