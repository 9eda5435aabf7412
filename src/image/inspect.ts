import { inspectImage } from '../docker/engine.js';
import type { DockerCli } from '../docker/process.js';
import type { LocalImage } from './types.js';

/**
 * An image's ID and diff IDs, as the engine's inspect gives them. The config's exact bytes are the
 * layer source's to read (`LayerSource.readConfig`): from the engine's store, or from the same
 * export that delivers the layers.
 */
export async function inspectLocalImage(docker: DockerCli, image: string): Promise<LocalImage> {
  const info = await inspectImage(docker, image);
  if (!info.layers.every((d) => /^sha256:[a-f0-9]{64}$/.test(d))) throw new Error(`image ${info.id}: the engine listed layers that are not sha256 digests`);
  return { id: info.id, diffIds: info.layers };
}
