import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DigestCache } from '../../../src/image/digest-cache.js';
import { sha256 } from '../../support/image-archives.js';

const dirs: string[] = [];
function cacheFile(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'cogpack-digests-'));
  dirs.push(dir);
  return path.join(dir, 'pushed-layers.json');
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const diffId = sha256('layer');
const gzipped = { digest: sha256('gz'), size: 120, encoding: 'gzip' as const };
const plain = { digest: diffId, size: 1024, encoding: 'none' as const };

describe('the digest cache', () => {
  it('survives the process: a new instance on the same file knows what was pushed', () => {
    const file = cacheFile();
    new DigestCache({ file }).recordPushed(diffId, gzipped, 'localhost:5000/team/model');
    expect(new DigestCache({ file }).lookup(diffId)).toEqual([{ ...gzipped, repositories: ['localhost:5000/team/model'] }]);
    expect(new DigestCache({ file }).find(diffId, 'gzip')?.digest).toBe(gzipped.digest);
    expect(new DigestCache({ file }).find(diffId, 'none')).toBeUndefined();
    expect(new DigestCache({ file }).lookup(sha256('unknown'))).toEqual([]);
  });

  it('collects the repositories that hold a blob, most recent first, and keeps each encoding', () => {
    const cache = new DigestCache({ file: cacheFile() });
    cache.recordPushed(diffId, gzipped, 'r.example/a');
    cache.recordPushed(diffId, gzipped, 'r.example/b');
    cache.recordPushed(diffId, gzipped, 'r.example/a');
    cache.recordPushed(diffId, plain, 'r.example/c');
    expect(cache.lookup(diffId)).toEqual([
      { ...plain, repositories: ['r.example/c'] },
      { ...gzipped, repositories: ['r.example/a', 'r.example/b'] },
    ]);
  });

  it('forgets a repository that lost the blob, but not the blob\'s digest', () => {
    const cache = new DigestCache({ file: cacheFile() });
    cache.recordPushed(diffId, gzipped, 'r.example/a');
    cache.forgetRepository(diffId, gzipped.digest, 'r.example/a');
    expect(cache.lookup(diffId)).toEqual([{ ...gzipped, repositories: [] }]);
  });

  it('hands out copies: changing a result does not change the cache', () => {
    const cache = new DigestCache({ file: cacheFile() });
    cache.recordPushed(diffId, gzipped, 'r.example/a');
    cache.lookup(diffId)[0]!.repositories.push('r.example/evil');
    expect(cache.lookup(diffId)[0]!.repositories).toEqual(['r.example/a']);
  });

  it('is an empty cache when the file is broken', () => {
    const file = cacheFile();
    writeFileSync(file, '{not json');
    expect(new DigestCache({ file }).lookup(diffId)).toEqual([]);
  });
});
