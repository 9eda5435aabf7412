import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { processEnv, readEnv, type Env } from '../settings/env.js';

/**
 * cogpack's cache directory: `$COGPACK_CACHE_DIR`, else upstream's `$COG_CACHE_DIR` (CI jobs
 * written for upstream cache that folder), else `$XDG_CACHE_HOME/cogpack`, else `~/.cache/cogpack`.
 */
export function cacheDir(env: Env = processEnv()): string {
  return cacheDirChoice(env).dir;
}

/** The cache directory and what chose it, for --debug. */
export function cacheDirChoice(env: Env = processEnv()): { dir: string; source: string } {
  for (const name of ['COGPACK_CACHE_DIR', 'COG_CACHE_DIR'] as const) {
    const dir = readEnv(name, env);
    if (dir) return { dir, source: name };
  }
  const xdg = readEnv('XDG_CACHE_HOME', env);
  return { dir: path.join(xdg ?? path.join(os.homedir(), '.cache'), 'cogpack'), source: xdg ? 'XDG_CACHE_HOME' : 'the default' };
}

interface Entry<T> {
  value: T;
  /** Epoch ms after which the entry is ignored; absent = kept until evicted. */
  expires?: number;
  /** Epoch ms of the last write, to evict the oldest first. */
  written: number;
}

export interface JsonCacheOptions {
  /** Entries kept at most; the oldest go first. Default 200. */
  maxEntries?: number;
  now?: () => number;
}

/**
 * Answers to slow questions ("is this image in its registry?", "what does pip freeze say for these
 * layers?"), kept in one small JSON file. A broken or missing file is an empty cache; writes are
 * atomic (temp file + rename) and best-effort: a read-only home never fails a command.
 */
export class JsonCache<T> {
  private entries: Record<string, Entry<T>> | undefined;
  private readonly maxEntries: number;
  private readonly now: () => number;

  constructor(private readonly file: string, options: JsonCacheOptions = {}) {
    this.maxEntries = options.maxEntries ?? 200;
    this.now = options.now ?? Date.now;
  }

  get(key: string): T | undefined {
    const entry = this.load()[key];
    return entry && (entry.expires === undefined || entry.expires > this.now()) ? entry.value : undefined;
  }

  set(key: string, value: T, ttlMs?: number): void {
    const entries = this.load();
    const now = this.now();
    entries[key] = { value, written: now, ...(ttlMs === undefined ? {} : { expires: now + ttlMs }) };
    const keys = Object.keys(entries);
    if (keys.length > this.maxEntries) {
      keys.sort((a, b) => entries[a]!.written - entries[b]!.written);
      for (const old of keys.slice(0, keys.length - this.maxEntries)) delete entries[old];
    }
    try {
      mkdirSync(path.dirname(this.file), { recursive: true });
      const temp = `${this.file}.${process.pid}.tmp`;
      writeFileSync(temp, JSON.stringify(entries));
      renameSync(temp, this.file);
    } catch {
      // Best-effort, as documented above.
    }
  }

  private load(): Record<string, Entry<T>> {
    if (!this.entries) {
      try {
        this.entries = JSON.parse(readFileSync(this.file, 'utf8')) as Record<string, Entry<T>>;
      } catch {
        this.entries = {};
      }
    }
    return this.entries;
  }
}
