import { chooseImageExporter, type ImageExporter } from '../docker/image-export.js';
import type { DockerCli } from '../docker/process.js';
import { createDockerSaveSource } from './docker-save.js';
import { createEngineStoreSource, probeEngineStore, readStoredConfig, storedConfigPath, type EngineStore, type EngineStoreProbe } from './engine-store.js';
import { startStoreHelper } from './store-helper.js';
import type { LayerSource, LocalImage } from './types.js';
import { LayerSourceError } from './verify.js';
import type { Env } from '../settings/env.js';

export interface OpenLayerSourceOptions {
  /**
   * `auto` (default): the engine's storage when this machine can read it, directly or through a
   * helper container (with the export for any layer that fails there), else the engine's export
   * (`docker save`). The others force one source.
   */
  prefer?: 'auto' | 'engine-store' | 'docker-save';
  /** A probe already made (saves a `docker info`); default: probe now. */
  engineStore?: EngineStoreProbe;
  /** Says which source was chosen and why, and when a layer is read again (for --debug). */
  log?: (message: string) => void;
  /** How the image's export is read; default the engine's API where it can be reached, else the CLI. */
  exporter?: ImageExporter;
  /** Where DOCKER_HOST and the docker context are read. Default the process's. */
  env?: Env;
  /** Starts a helper container to read the storage; default store-helper.ts (tests replace it). */
  startHelper?: typeof startStoreHelper;
}

/**
 * The fastest way to read this image's layers here. With `auto` on a readable overlay2 store, a
 * layer whose rebuilt bytes do not match its diff ID (or whose files are gone) is read again from
 * `docker save` after the others: `visit` may then be called twice for that layer, the first
 * stream having failed with a LayerSourceError before its end. The source must be closed.
 */
export async function openLayerSource(docker: DockerCli, image: LocalImage, options: OpenLayerSourceOptions = {}): Promise<LayerSource> {
  const prefer = options.prefer ?? 'auto';
  const log = options.log ?? (() => undefined);
  const save = createDockerSaveSource(options.exporter ?? chooseImageExporter(docker, options.env), image);
  if (prefer === 'docker-save') {
    log(`reading layers with docker save, through ${save.describe}`);
    return save;
  }
  const probe = options.engineStore ?? (await probeEngineStore(docker, options.env));
  const opened = probe.available ? { store: probe.store } : await throughHelper(docker, image, probe, options.startHelper ?? startStoreHelper);
  let unavailable = 'reason' in opened ? opened.reason : undefined;
  if ('store' in opened && !(await readStoredConfig(opened.store, image.id))) {
    unavailable = `image ${image.id} is not in the image store at ${opened.store.root}`;
    await opened.store.files.close();
  }
  if (unavailable !== undefined || !('store' in opened)) {
    if (prefer === 'engine-store') throw new LayerSourceError('engine-store', `cannot read layers from the engine's storage: ${unavailable}`);
    log(`reading layers with docker save: ${unavailable}; through ${save.describe}`);
    return save;
  }
  log(`reading layers from ${opened.store.files.describe}`);
  const store = createEngineStoreSource(opened.store, image);
  return prefer === 'engine-store' ? store : withSaveFallback(store, save, log);
}

/**
 * The storage of a local engine whose data root this user cannot read (the docker group), through
 * a helper container; or why not.
 */
async function throughHelper(
  docker: DockerCli,
  image: LocalImage,
  probe: Extract<EngineStoreProbe, { available: false }>,
  start: typeof startStoreHelper,
): Promise<{ store: EngineStore } | { reason: string }> {
  if (probe.helperRoot === undefined) return { reason: probe.reason };
  try {
    const files = await start(docker, { root: probe.helperRoot, image: image.id, probeFile: storedConfigPath(image.id) });
    return { store: { root: probe.helperRoot, driver: 'overlay2', files } };
  } catch (error) {
    return { reason: `${probe.reason}, and a helper container could not read it either (${(error as Error).message})` };
  }
}

/** `primary`, then `fallback` for every wanted layer that `primary` failed to deliver whole. */
function withSaveFallback(primary: LayerSource, fallback: LayerSource, log: (message: string) => void): LayerSource {
  return {
    kind: primary.kind,
    describe: primary.describe,
    async close() {
      await Promise.all([primary.close(), fallback.close()]);
    },
    async readConfig(options = {}) {
      try {
        return await primary.readConfig(options);
      } catch (error) {
        const failure = engineStoreFailure(error);
        if (!failure || options.signal?.aborted) throw error;
        log(`${failure.message}; reading the config with docker save`);
        return fallback.readConfig(options);
      }
    },
    async forEachLayer(wanted, visit, options = {}) {
      const delivered = new Set<string>();
      try {
        await primary.forEachLayer(
          wanted,
          async (diffId, stream, size) => {
            await visit(diffId, stream, size);
            delivered.add(diffId);
          },
          options,
        );
      } catch (error) {
        const failure = engineStoreFailure(error);
        if (!failure || options.signal?.aborted) throw error;
        log(`${failure.message}; reading the remaining layers with docker save`);
      }
      const rest = [...new Set(wanted)].filter((diffId) => !delivered.has(diffId));
      if (rest.length > 0) await fallback.forEachLayer(rest, visit, options);
    },
  };
}

/** The engine-store LayerSourceError behind an error, following `cause` (a visitor may wrap it). */
function engineStoreFailure(error: unknown): LayerSourceError | undefined {
  for (let current = error, depth = 0; current && depth < 8; depth++) {
    if (current instanceof LayerSourceError) return current.source === 'engine-store' ? current : undefined;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
