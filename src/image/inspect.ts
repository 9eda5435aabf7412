import { inspectImage } from '../docker/engine.js';
import type { DockerCli } from '../docker/process.js';
import { readConfigFromSave } from './docker-save.js';
import { probeEngineStore, readStoredConfig, type EngineStoreProbe } from './engine-store.js';
import type { LocalImage } from './types.js';
import { sha256Digest } from './verify.js';

export interface InspectLocalImageOptions {
  /** A probe already made (saves a `docker info`); default: probe now. */
  engineStore?: EngineStoreProbe;
  signal?: AbortSignal;
}

/**
 * An image's ID, config bytes and diff IDs. The config is pushed as the config blob, so its bytes
 * must be exactly the engine's (their sha256 is the image ID): `docker image inspect` only gives a
 * re-serialisation. They are read from the engine's image store when it is readable here, else
 * from the `docker save` stream, which is stopped as soon as the config has gone by.
 */
export async function inspectLocalImage(docker: DockerCli, image: string, options: InspectLocalImageOptions = {}): Promise<LocalImage> {
  const info = await inspectImage(docker, image);
  const probe = options.engineStore ?? (await probeEngineStore(docker));
  let config = probe.available ? await readStoredConfig(probe.store, info.id) : undefined;
  config ??= await readConfigFromSave(docker, { id: info.id, diffIds: info.layers }, options.signal);
  if (!config || sha256Digest(config) !== info.id) {
    throw new Error(`could not read the config of image ${image} (${info.id}) as the engine stores it`);
  }
  const diffIds = parseDiffIds(config);
  if (diffIds.join() !== info.layers.join()) {
    throw new Error(`image ${info.id}: its config lists layers ${diffIds.join(', ')}, the engine's inspect ${info.layers.join(', ')}`);
  }
  return { id: info.id, config, diffIds };
}

function parseDiffIds(config: Buffer): string[] {
  const parsed = JSON.parse(config.toString('utf8')) as { rootfs?: { diff_ids?: unknown } };
  const diffIds = parsed.rootfs?.diff_ids;
  if (!Array.isArray(diffIds) || !diffIds.every((d) => typeof d === 'string' && /^sha256:[a-f0-9]{64}$/.test(d))) {
    throw new Error('the image config has no valid rootfs.diff_ids');
  }
  return diffIds as string[];
}
