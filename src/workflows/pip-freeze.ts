import { createHash } from 'node:crypto';
import path from 'node:path';
import { cacheDir, JsonCache } from '../cache/json-cache.js';
import { runInImage } from '../docker/engine.js';
import type { DockerCli } from '../docker/process.js';

/**
 * `run.cog.pip_freeze` without a container per build. The installed packages are a function of the
 * image's layers below the code, so their `uv pip freeze` is cached under the digest of that layer
 * chain; and the freeze of an image name's last build is offered up front, so an unchanged or
 * code-only rebuild carries every label in its one BuildKit build (no freeze run, no label step).
 */
export class PipFreezeCache {
  private readonly cache: JsonCache<string>;

  constructor(file = path.join(cacheDir(), 'pip-freeze.json')) {
    this.cache = new JsonCache<string>(file, { maxEntries: 100 });
  }

  /** The dependency key and freeze of the last build of `image`, to label the next one with. */
  predict(image: string): { depsKey: string; freeze: string } | undefined {
    const depsKey = this.cache.get(`last:${image}`);
    const freeze = depsKey && this.cache.get(`freeze:${depsKey}`);
    return depsKey && freeze !== undefined ? { depsKey, freeze } : undefined;
  }

  /** The freeze for an image's dependency layers: cached, or run once in the image. */
  async freeze(docker: DockerCli, builtImage: string, depsKey: string, signal?: AbortSignal): Promise<string> {
    let freeze = this.cache.get(`freeze:${depsKey}`);
    if (freeze === undefined) {
      freeze = (await runInImage(docker, builtImage, ['uv', 'pip', 'freeze'], signal)).trimEnd();
      this.cache.set(`freeze:${depsKey}`, freeze);
    }
    return freeze;
  }

  remember(image: string, depsKey: string): void {
    this.cache.set(`last:${image}`, depsKey);
  }
}

/**
 * The key of an image's dependency layers: every layer but the trailing code layers. Undefined
 * when the layout is unknown (`--dockerfile`), which disables the prediction.
 */
export function dependencyKey(layers: string[], codeLayers: number | undefined): string | undefined {
  if (codeLayers === undefined || layers.length <= codeLayers) return undefined;
  return createHash('sha256').update(layers.slice(0, layers.length - codeLayers).join('\n')).digest('hex');
}
