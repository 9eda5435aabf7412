import path from 'node:path';
import type { Readable } from 'node:stream';
import { engineEndpoint } from '../docker/endpoint.js';
import type { DockerCli } from '../docker/process.js';
import { checkedConfig } from './config.js';
import { canReadStore, directStoreFiles, type StoreFiles } from './store-files.js';
import { assembleLayerTar, scanTarSplit, type LayerFile, type TarSplitLayer } from './tar-split.js';
import type { LayerSource, LocalImage } from './types.js';
import { LayerSourceError, sha256Digest, verifiedLayerStream } from './verify.js';
import { processEnv, readEnv, type Env } from '../settings/env.js';

/** Where the local engine keeps images and layers, and how cogpack reads them there. */
export interface EngineStore {
  /** The engine's data root (`docker info` DockerRootDir), e.g. `/var/lib/docker`. */
  root: string;
  /** The storage driver; only `overlay2` is read. */
  driver: 'overlay2';
  /** Directly (root), or through a helper container (the docker group). */
  files: StoreFiles;
}

export type EngineStoreProbe =
  | { available: true; store: EngineStore }
  /** `helperRoot`: a local overlay2 engine whose data root this user cannot read, which a helper container could. */
  | { available: false; reason: string; helperRoot?: string };

interface DockerInfo {
  DockerRootDir?: string;
  Driver?: string;
}

/**
 * Whether layers can be read from the engine's own storage. It needs a local engine (the data
 * root is a path on this machine), the overlay2 driver (its layer directories are plain files)
 * and read access (root, or a rootless engine's own directory); without read access, a local
 * engine's storage may still be read through a helper container (store-helper.ts). Not needed
 * for correctness: storage is content-addressed and every layer read is checked against its diff
 * ID, so a wrong guess fails loudly, never silently.
 */
export function probeEngineStore(docker: DockerCli, env: Env = processEnv()): Promise<EngineStoreProbe> {
  // One `docker info` per engine and process: inspecting and opening a source both ask.
  const key = readEnv('DOCKER_HOST', env) ?? '';
  const known = probes.get(docker)?.get(key);
  if (known) return known;
  const probe = probeNow(docker, env);
  probes.set(docker, (probes.get(docker) ?? new Map()).set(key, probe));
  return probe;
}

const probes = new WeakMap<DockerCli, Map<string, Promise<EngineStoreProbe>>>();

async function probeNow(docker: DockerCli, env: Env): Promise<EngineStoreProbe> {
  const endpoint = engineEndpoint(env);
  if (endpoint.kind !== 'unix') return { available: false, reason: `the engine is not local (${endpoint.host})` };
  const result = await docker.run(['info', '--format', '{{json .}}']);
  if (result.exitCode !== 0) return { available: false, reason: `docker info failed: ${result.stderrTail.at(-1) ?? ''}` };
  let info: DockerInfo;
  try {
    info = JSON.parse(result.stdout) as DockerInfo;
  } catch {
    return { available: false, reason: 'docker info did not answer JSON' };
  }
  if (info.Driver !== 'overlay2') return { available: false, reason: `the storage driver is ${info.Driver ?? 'unknown'}, not overlay2` };
  const root = info.DockerRootDir;
  if (!root) return { available: false, reason: 'docker info did not say where the engine keeps its data' };
  if (!(await canReadStore(root))) {
    return { available: false, reason: `the engine's data root ${root} is not readable here (another machine or VM, or not root)`, helperRoot: root };
  }
  return { available: true, store: { root, driver: 'overlay2', files: directStoreFiles(root) } };
}

/** Chain IDs of a stack of layers, as Docker names them in its layer store (image-spec "ChainID"). */
export function chainIds(diffIds: readonly string[]): string[] {
  const chains: string[] = [];
  for (const [index, diffId] of diffIds.entries()) {
    chains.push(index === 0 ? diffId : sha256Digest(`${chains[index - 1]} ${diffId}`));
  }
  return chains;
}

/** Where the engine keeps an image's config, relative to its data root. */
export function storedConfigPath(imageId: string): string {
  return path.posix.join('image', 'overlay2', 'imagedb', 'content', 'sha256', hexOf(imageId));
}

/** The image config as the engine stores it, or undefined when this store does not hold it. */
export async function readStoredConfig(store: EngineStore, imageId: string): Promise<Buffer | undefined> {
  const bytes = await store.files.read(storedConfigPath(imageId));
  return bytes && sha256Digest(bytes) === imageId ? bytes : undefined;
}

/** Finds a layer's tar-split metadata and unpacked directory. */
export async function locateLayer(store: EngineStore, chainId: string): Promise<TarSplitLayer> {
  const layerDir = path.posix.join('image', store.driver, 'layerdb', 'sha256', hexOf(chainId));
  const cacheId = (await store.files.read(`${layerDir}/cache-id`))?.toString('utf8').trim();
  if (cacheId === undefined) throw new Error(`${layerDir}/cache-id cannot be read`);
  if (!/^[A-Za-z0-9_-]+$/.test(cacheId)) throw new Error(`unexpected cache-id ${JSON.stringify(cacheId)} in ${layerDir}`);
  const tarSplit = await store.files.read(`${layerDir}/tar-split.json.gz`);
  if (!tarSplit) throw new Error(`${layerDir}/tar-split.json.gz cannot be read`);
  return { tarSplit, diffDir: path.posix.join(store.driver, cacheId, 'diff') };
}

/**
 * Layers rebuilt from the engine's storage: any layer on its own, several at once, without
 * exporting the rest of the image (`docker save` always streams all of it).
 */
export function createEngineStoreSource(store: EngineStore, image: LocalImage): LayerSource {
  const chainOf = new Map<string, string>();
  for (const [index, chain] of chainIds(image.diffIds).entries()) {
    if (!chainOf.has(image.diffIds[index]!)) chainOf.set(image.diffIds[index]!, chain);
  }

  /** Where a layer is, how long its tar is and which files it holds; looked up once per layer. */
  const located = new Map<string, Promise<{ layer: TarSplitLayer; size: number; files: LayerFile[] }>>();
  function locate(diffId: string): Promise<{ layer: TarSplitLayer; size: number; files: LayerFile[] }> {
    let found = located.get(diffId);
    if (!found) {
      found = (async () => {
        const chainId = chainOf.get(diffId);
        if (!chainId) throw new LayerSourceError('engine-store', `layer ${diffId} is not a layer of image ${image.id}`, { diffId });
        try {
          const layer = await locateLayer(store, chainId);
          return { layer, ...(await scanTarSplit(layer.tarSplit)) };
        } catch (error) {
          throw new LayerSourceError('engine-store', `layer ${diffId} is not in the engine's layer store (${(error as Error).message})`, { diffId, cause: error });
        }
      })();
      found.catch(() => undefined);
      located.set(diffId, found);
    }
    return found;
  }

  async function readOne(diffId: string, visit: (diffId: string, stream: Readable, size: number) => Promise<void>, active: Set<Readable>): Promise<void> {
    const { layer, size, files } = await locate(diffId);
    const rebuilt = assembleLayerTar(layer.tarSplit, store.files.contents(layer.diffDir, files));
    const stream = verifiedLayerStream(withLayerErrors(rebuilt, diffId), diffId, 'engine-store');
    active.add(stream);
    try {
      // A visit that settles without reading to the end has read the layer another way (a retry
      // re-reads it through forEachLayer): only a clean end of a verified stream commits a blob.
      await visit(diffId, stream, size);
    } finally {
      active.delete(stream);
      stream.destroy();
    }
  }

  return {
    kind: 'engine-store',
    describe: store.files.describe,
    close: () => store.files.close(),
    async readConfig() {
      const bytes = await readStoredConfig(store, image.id);
      if (!bytes) throw new LayerSourceError('engine-store', `image ${image.id} is not in the image store at ${store.root}`);
      return checkedConfig(bytes, image, 'engine-store');
    },
    async forEachLayer(wanted, visit, options = {}) {
      // Largest first: the longest upload starts at once, and the small ones fill in around it.
      const sizes = new Map(await Promise.all([...new Set(wanted)].map(async (diffId) => [diffId, await locate(diffId).then((l) => l.size, () => Infinity)] as const)));
      const queue = [...sizes.keys()].sort((a, b) => sizes.get(b)! - sizes.get(a)!);
      const concurrency = Math.max(1, options.concurrency ?? 2);
      const active = new Set<Readable>();
      const signal = options.signal;
      let firstError: unknown;
      const onAbort = () => {
        for (const stream of active) stream.destroy(signal!.reason as Error);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      // On a failure no new layer starts, and those being read finish: the caller knows from its
      // own visits which layers are done and reads only the rest another way.
      const worker = async () => {
        while (queue.length > 0 && firstError === undefined && !signal?.aborted) {
          const diffId = queue.shift()!;
          try {
            await readOne(diffId, visit, active);
          } catch (error) {
            firstError ??= error;
          }
        }
      };
      try {
        await Promise.all(Array.from({ length: Math.min(concurrency, queue.length) }, worker));
      } finally {
        signal?.removeEventListener('abort', onAbort);
      }
      if (firstError !== undefined) throw firstError;
      signal?.throwIfAborted();
    },
  };
}

/** Failures while rebuilding (a missing file, a short read) become LayerSourceErrors of the layer. */
async function* withLayerErrors(chunks: AsyncIterable<Buffer>, diffId: string): AsyncGenerator<Buffer> {
  try {
    yield* chunks;
  } catch (error) {
    throw new LayerSourceError('engine-store', `layer ${diffId} could not be rebuilt from the engine's storage: ${(error as Error).message}`, { diffId, cause: error });
  }
}

function hexOf(digest: string): string {
  const hex = digest.replace(/^sha256:/, '');
  if (!/^[a-f0-9]{64}$/.test(hex)) throw new Error(`not a sha256 digest: ${digest}`);
  return hex;
}
