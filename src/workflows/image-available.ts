import path from 'node:path';
import { cacheDir, JsonCache } from '../cache/json-cache.js';
import type { DockerCli } from '../docker/process.js';
import { RegistryClient } from '../registry/client.js';
import { parseReference } from '../registry/reference.js';
import type { Env } from '../settings/env.js';

/** How long a registry's answer about a base image is trusted. */
const foundTtlMs = 24 * 3600_000;
const missingTtlMs = 3600_000;

export interface AvailabilityOptions {
  /** The engine to look in first; undefined skips the local check. */
  docker: DockerCli | undefined;
  /** Where the cache dir is read (COGPACK_CACHE_DIR …); default the process's environment. */
  env?: Env;
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
  const cache = options.cache ?? new JsonCache<boolean>(path.join(cacheDir(options.env), 'base-images.json'));
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

/**
 * Whether a public image exists in its registry: a manifest HEAD through the registry client,
 * anonymously (a bearer challenge gets an anonymous pull token), one attempt within `timeoutMs`.
 * Any failure (no network, timeout, 404, auth refused) is "not known to exist": callers fall
 * back, they never fail on this.
 */
export async function publicManifestExists(image: string, timeoutMs: number): Promise<boolean> {
  let client: RegistryClient | undefined;
  try {
    const ref = parseReference(image);
    client = new RegistryClient({
      registry: ref.registry,
      repository: ref.repository,
      credentials: null,
      access: 'pull',
      transport: { retry: { attempts: 1 }, timeouts: { connectMs: timeoutMs, headersMs: timeoutMs, bodyIdleMs: timeoutMs } },
    });
    return await client.manifestExists(ref.digest ?? ref.tag ?? 'latest', { signal: AbortSignal.timeout(timeoutMs) });
  } catch {
    return false;
  } finally {
    await client?.close();
  }
}
