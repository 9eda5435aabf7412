import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** cogpack's cache directory: `$COGPACK_CACHE_DIR`, else `$XDG_CACHE_HOME/cogpack`, else `~/.cache/cogpack`. */
export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.COGPACK_CACHE_DIR || path.join(env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'cogpack');
}

interface Entry {
  value: boolean;
  /** Epoch ms after which the answer is asked again. */
  expires: number;
}

/**
 * Yes/no answers to slow questions ("is this image in its registry?"), kept on disk for a while so
 * a quick command does not ask the network every time. A broken or missing file is an empty cache;
 * writes are atomic (temp file + rename) and best-effort.
 */
export class AnswerCache {
  private entries: Record<string, Entry> | undefined;

  constructor(private readonly file: string, private readonly now: () => number = Date.now) {}

  get(key: string): boolean | undefined {
    const entry = this.load()[key];
    return entry && entry.expires > this.now() ? entry.value : undefined;
  }

  set(key: string, value: boolean, ttlMs: number): void {
    const entries = this.load();
    entries[key] = { value, expires: this.now() + ttlMs };
    try {
      mkdirSync(path.dirname(this.file), { recursive: true });
      const temp = `${this.file}.${process.pid}.tmp`;
      writeFileSync(temp, JSON.stringify(entries));
      renameSync(temp, this.file);
    } catch {
      // A read-only home is no reason to fail a build.
    }
  }

  private load(): Record<string, Entry> {
    if (!this.entries) {
      try {
        this.entries = JSON.parse(readFileSync(this.file, 'utf8')) as Record<string, Entry>;
      } catch {
        this.entries = {};
      }
    }
    return this.entries;
  }
}
