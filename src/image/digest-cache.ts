import path from 'node:path';
import { cacheDir, JsonCache } from '../cache/json-cache.js';
import type { LayerEncoding, PushedLayer } from './types.js';
import type { Env } from '../settings/env.js';

export interface DigestCacheOptions {
  /** The cache file; default `<cache dir>/pushed-layers.json` (see `cacheDir`). */
  file?: string;
  /** Layers remembered at most, least recently pushed forgotten first; default 5000. */
  maxLayers?: number;
  /** Where the cache dir is read when `file` is not given; default the process's environment. */
  env?: Env;
}

/** Repositories remembered per blob, most recent first (mount sources: a few are enough). */
const maxRepositories = 20;

/**
 * What was pushed before, by diff ID: the blob each encoding of a layer compressed to, and the
 * repositories known to hold it. It lets an unchanged layer be skipped after a HEAD (or mounted
 * from another repository) without exporting or compressing it again. Only a hint: a registry
 * may have lost a blob since, so the caller always asks the registry, and says so here
 * (`forgetRepository`) when it is gone. Each update is written at once (atomic rename), so a
 * push killed halfway keeps what it had confirmed; two pushes at once may lose each other's last
 * updates, which costs a HEAD, never a wrong push.
 */
export class DigestCache {
  private readonly cache: JsonCache<PushedLayer[]>;

  constructor(options: DigestCacheOptions = {}) {
    this.cache = new JsonCache<PushedLayer[]>(options.file ?? path.join(cacheDir(options.env), 'pushed-layers.json'), {
      maxEntries: options.maxLayers ?? 5000,
    });
  }

  /** Every known blob of the layer (one per encoding and level pushed), most recently pushed first. */
  lookup(diffId: string): PushedLayer[] {
    return (this.cache.get(diffId) ?? []).map((layer) => ({ ...layer, repositories: [...layer.repositories] }));
  }

  /** The known blob of the layer in `encoding`, if any. */
  find(diffId: string, encoding: LayerEncoding): PushedLayer | undefined {
    return this.lookup(diffId).find((layer) => layer.encoding === encoding);
  }

  /**
   * Records that `repository` (`registry/name`) holds the layer's blob: after an upload, after a
   * HEAD that found it, or after a mount.
   */
  recordPushed(diffId: string, blob: { digest: string; size: number; encoding: LayerEncoding }, repository: string): void {
    const layers = this.lookup(diffId);
    const existing = layers.find((layer) => layer.digest === blob.digest);
    const repositories = [repository, ...(existing?.repositories ?? []).filter((r) => r !== repository)].slice(0, maxRepositories);
    const updated: PushedLayer = { digest: blob.digest, size: blob.size, encoding: blob.encoding, repositories };
    this.cache.set(diffId, [updated, ...layers.filter((layer) => layer.digest !== blob.digest)]);
  }

  /** Records that `repository` no longer holds the blob (a HEAD answered 404). */
  forgetRepository(diffId: string, digest: string, repository: string): void {
    // The blob itself stays known: its digest is still worth a HEAD in another repository.
    const layers = this.lookup(diffId).map((layer) =>
      layer.digest === digest ? { ...layer, repositories: layer.repositories.filter((r) => r !== repository) } : layer,
    );
    this.cache.set(diffId, layers);
  }
}
