import path from 'node:path';
import { cacheDir, JsonCache } from '../cache/json-cache.js';
import type { DockerCli } from '../docker/process.js';
import { publicManifestExists } from '../registry/manifest-exists.js';

/** How long a registry's answer about a base image is trusted. */
const foundTtlMs = 24 * 3600_000;
const missingTtlMs = 3600_000;

export interface AvailabilityOptions {
  /** The engine to look in first; undefined skips the local check. */
  docker: DockerCli | undefined;
  /** Where registry answers are cached; default `<cache dir>/base-images.json`. */
  cache?: JsonCache<boolean>;
  registryTimeoutMs?: number;
}

/**
 * Answers "can this image be a base?": present in the local engine (what BuildKit uses without a
 * pull, and all an air-gapped machine has), or published in its registry. The engine is asked
 * every time; registry answers are cached (a day when found, an hour when not). Never throws.
 */
export function imageAvailability(options: AvailabilityOptions): (image: string) => Promise<boolean> {
  const cache = options.cache ?? new JsonCache<boolean>(path.join(cacheDir(), 'base-images.json'));
  return async (image) => {
    const local = options.docker?.run(['image', 'inspect', '--format', '{{.Id}}', image]).then((r) => r.exitCode === 0, () => false);
    const cached = cache.get(image);
    const remote = cached !== undefined
      ? Promise.resolve(cached)
      : publicManifestExists(image, options.registryTimeoutMs ?? 3000).then((found) => {
          cache.set(image, found, found ? foundTtlMs : missingTtlMs);
          return found;
        });
    // Both questions run at once; either yes is enough.
    const [isLocal, isRemote] = await Promise.all([local ?? Promise.resolve(false), remote]);
    return isLocal || isRemote;
  };
}
