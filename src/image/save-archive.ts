import type { Readable } from 'node:stream';
import tar from 'tar-stream';
import { chainIds } from './engine-store.js';
import { legacyLayerPosition } from './legacy-v1-id.js';
import { LayerSourceError, verifiedLayerStream } from './verify.js';

/**
 * Reading the archive `docker save` writes, in one pass. Two layouts exist:
 * - legacy (Docker before 25): `<v1 ID>/json`, `<v1 ID>/layer.tar`, `<image ID>.json` (the config),
 *   `manifest.json`; entries in lexical order (Docker tars a temp directory), so manifest.json,
 *   which gives the layer order, comes after every layer. Layers are identified from their
 *   `<v1 ID>/json` instead (see legacy-v1-id.ts), which Docker writes just before the layer.
 * - OCI layout (Docker 25 and later): `blobs/sha256/<digest>`, `index.json`, `manifest.json`.
 *   Layers are stored uncompressed, so a layer blob's digest is its diff ID. (The legacy
 *   `<v1 ID>/layer.tar` names, when present, are symlinks to those blobs and are ignored.)
 */

export interface ReadSaveArchiveOptions {
  /** The image's diff IDs, base first. */
  diffIds: readonly string[];
  /** Layers to hand to `visit`, each once; the others are skipped. */
  wanted: ReadonlySet<string>;
  /** `size`: the layer tar's length, from its tar header. */
  visit?: (diffId: string, stream: Readable, size: number) => Promise<void>;
  /** The image ID: its config is handed to `onConfig` when the archive holds it. */
  configId?: string;
  onConfig?: (config: Buffer) => void;
}

export interface ReadSaveArchiveResult {
  /** Layers handed to `visit`. */
  visited: Set<string>;
  /** True when it stopped before the end of the archive, because it had everything asked for. */
  stoppedEarly: boolean;
}

/** Configs and v1 JSON files are small; anything larger in those places is not what it claims. */
const smallEntryLimit = 16 << 20;

/**
 * Reads a `docker save` archive until every wanted layer was visited (and the config found, when
 * asked), then stops: the caller ends the writer. Fails with a LayerSourceError naming what is
 * missing when the archive ends first.
 */
export async function readSaveArchive(archive: Readable, options: ReadSaveArchiveOptions): Promise<ReadSaveArchiveResult> {
  const chains = chainIds(options.diffIds);
  const known = new Set(options.diffIds);
  const legacyDiffIds = new Map<string, string>();
  const visited = new Set<string>();
  let configSeen = options.configId === undefined;
  let manifest: Buffer | undefined;
  const configHex = options.configId?.replace(/^sha256:/, '');
  const done = () => configSeen && [...options.wanted].every((diffId) => visited.has(diffId));

  const extract = tar.extract();
  archive.on('error', (error) => extract.destroy(error));
  archive.pipe(extract);
  if (done()) return { visited, stoppedEarly: true };
  for await (const entry of extract) {
    // tar-stream's entries are streamx streams; only their async iteration is relied upon.
    const chunks = entry as unknown as AsyncIterable<Buffer>;
    const name = entry.header.name.replace(/^\.\//, '');
    const isFile = entry.header.type === 'file' || entry.header.type === 'contiguous-file';
    const blob = /^blobs\/sha256\/([a-f0-9]{64})$/.exec(name)?.[1];
    const legacyLayer = /^([a-f0-9]{64})\/layer\.tar$/.exec(name)?.[1];
    const legacyJson = /^([a-f0-9]{64})\/json$/.exec(name)?.[1];
    let layerDiffId: string | undefined;
    if (isFile && blob && known.has(`sha256:${blob}`)) layerDiffId = `sha256:${blob}`;
    if (isFile && legacyLayer) {
      layerDiffId = legacyDiffIds.get(legacyLayer);
      if (!layerDiffId) {
        throw new LayerSourceError(
          'docker-save',
          `cannot tell which layer of the image ${legacyLayer}/layer.tar is: its ${legacyLayer}/json ` +
            'did not reproduce its v1 ID (a Docker release that computes v1 IDs differently?)',
        );
      }
    }

    if (layerDiffId && options.wanted.has(layerDiffId) && !visited.has(layerDiffId) && options.visit) {
      visited.add(layerDiffId);
      await visitEntry(chunks, layerDiffId, entry.header.size ?? 0, options.visit);
    } else if (isFile && legacyJson) {
      const text = (await readSmallEntry(chunks, name)).toString('utf8');
      const position = legacyLayerPosition(text, chains);
      if (position !== undefined) legacyDiffIds.set(legacyJson, options.diffIds[position]!);
    } else if (isFile && configHex && !configSeen && (name === `${configHex}.json` || blob === configHex)) {
      options.onConfig?.(await readSmallEntry(chunks, name));
      configSeen = true;
    } else if (isFile && name === 'manifest.json') {
      manifest = await readSmallEntry(chunks, name);
    } else {
      entry.resume();
      await new Promise<void>((resolve, reject) => {
        entry.once('end', resolve);
        entry.once('error', reject);
      });
    }
    if (done()) return { visited, stoppedEarly: true };
  }
  throw new LayerSourceError('docker-save', missingMessage(options, visited, configSeen, manifest));
}

/**
 * Hands one layer entry to the visitor. A visit may settle without reading its stream to the end
 * (it read the layer another way, e.g. a retry): the rest of the entry is then skipped, so the
 * archive goes on; ending the stream early never ends the archive.
 */
async function visitEntry(
  entry: AsyncIterable<Buffer>,
  diffId: string,
  size: number,
  visit: (diffId: string, stream: Readable, size: number) => Promise<void>,
): Promise<void> {
  const iterator = entry[Symbol.asyncIterator]();
  const detached: AsyncIterable<Buffer> = {
    [Symbol.asyncIterator]: () => ({ next: () => iterator.next(), return: async () => ({ done: true, value: undefined }) }),
  };
  const stream = verifiedLayerStream(detached, diffId, 'docker-save');
  try {
    await visit(diffId, stream, size);
  } finally {
    // Closed only once its generator has stopped reading the entry: then the entry is ours again.
    if (!stream.closed) {
      const closed = new Promise((resolve) => stream.once('close', resolve));
      stream.destroy();
      await closed;
    }
  }
  for (let next = await iterator.next(); !next.done; next = await iterator.next());
}

async function readSmallEntry(entry: AsyncIterable<Buffer>, name: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of entry) {
    size += chunk.length;
    if (size > smallEntryLimit) throw new LayerSourceError('docker-save', `${name} in the docker save archive is larger than ${smallEntryLimit} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function missingMessage(options: ReadSaveArchiveOptions, visited: Set<string>, configSeen: boolean, manifest: Buffer | undefined): string {
  const missing = [...options.wanted].filter((diffId) => !visited.has(diffId));
  const parts: string[] = [];
  if (missing.length > 0) parts.push(`layers ${missing.join(', ')} are not in the docker save archive`);
  if (!configSeen) parts.push(`the config ${options.configId} is not in the docker save archive`);
  // An engine with the containerd image store saves layers as they were pulled (compressed), so
  // their blob digests are not diff IDs; telling which is which would need decompressing each.
  if (manifest && missing.length > 0) {
    try {
      const layers = (JSON.parse(manifest.toString('utf8')) as Array<{ Layers?: string[] }>)[0]?.Layers ?? [];
      const known = new Set(options.diffIds.map((d) => d.replace(/^sha256:/, '')));
      if (layers.some((l) => /^blobs\/sha256\/[a-f0-9]{64}$/.test(l) && !known.has(l.slice(-64)))) {
        parts.push('its layer blobs are not named by diff ID (compressed layers, as the containerd image store saves them), which cogpack does not read yet');
      }
    } catch {
      // The message without the diagnosis is still right.
    }
  }
  return parts.join('; ');
}
