import { describe, expect, it } from 'vitest';
import { mountFromAny, type MountVerbs } from '../../../src/registry/blob-mount.js';
import { RegistryResponseError } from '../../../src/registry/registry-errors.js';
import type { MountResult } from '../../../src/registry/types.js';

// The one mount routine (a blob upload's, and the push's look for layers pushed before), against
// verbs that answer per source repository as registries do.

type Answer = MountResult | number;

function verbs(answers: Record<string, Answer>) {
  const posted: string[] = [];
  const cancelled: string[] = [];
  const fake: MountVerbs = {
    repository: 'team/target',
    async mountBlob(_digest, from) {
      posted.push(from);
      const answer = answers[from];
      if (answer === undefined) throw new Error(`no answer for ${from}`);
      if (typeof answer === 'number') {
        throw new RegistryResponseError({ host: 'registry.test', method: 'POST', path: '/v2/team/target/blobs/uploads/', status: answer, errors: [], attempts: 1 });
      }
      return answer;
    },
    async cancelUpload(location) {
      cancelled.push(location.pathname);
    },
  };
  return { fake, posted, cancelled };
}

const session = (id: string): MountResult => ({ outcome: 'upload-started', session: { location: new URL(`http://registry.test/uploads/${id}`) } });
const digest = 'sha256:' + 'a'.repeat(64);

describe('mountFromAny', () => {
  it('skips sources the credentials may not read (401, 403) or that lack the blob (404), and mounts from the next', async () => {
    const { fake, posted } = verbs({ 'a/no-token': 401, 'b/forbidden': 403, 'c/gone': 404, 'd/good': { outcome: 'mounted' } });
    expect(await mountFromAny(fake, digest, ['a/no-token', 'b/forbidden', 'c/gone', 'd/good'])).toEqual({ outcome: 'mounted', from: 'd/good' });
    expect(posted).toEqual(['a/no-token', 'b/forbidden', 'c/gone', 'd/good']);
  });

  it('all refused: not mounted, so the blob is uploaded', async () => {
    const { fake } = verbs({ 'a/no-token': 401, 'b/forbidden': 403 });
    expect(await mountFromAny(fake, digest, ['a/no-token', 'b/forbidden'])).toEqual({ outcome: 'not-mounted', session: undefined });
  });

  it('never asks the repository itself', async () => {
    const { fake, posted } = verbs({});
    expect(await mountFromAny(fake, digest, ['team/target'])).toEqual({ outcome: 'not-mounted', session: undefined });
    expect(posted).toEqual([]);
  });

  it('keeps the first session a registry opened instead of mounting, when asked to, and closes the others', async () => {
    const { fake, cancelled } = verbs({ 'a/x': session('1'), 'b/y': session('2') });
    const outcome = await mountFromAny(fake, digest, ['a/x', 'b/y'], { keepSession: true });
    expect(outcome).toEqual({ outcome: 'not-mounted', session: { location: new URL('http://registry.test/uploads/1') } });
    expect(cancelled).toEqual(['/uploads/2']);
  });

  it('closes every such session otherwise, and the one kept once a later source mounts', async () => {
    const closedAll = verbs({ 'a/x': session('1') });
    expect(await mountFromAny(closedAll.fake, digest, ['a/x'])).toEqual({ outcome: 'not-mounted', session: undefined });
    expect(closedAll.cancelled).toEqual(['/uploads/1']);
    const mountedLater = verbs({ 'a/x': session('1'), 'b/y': { outcome: 'mounted' } });
    expect(await mountFromAny(mountedLater.fake, digest, ['a/x', 'b/y'], { keepSession: true })).toEqual({ outcome: 'mounted', from: 'b/y' });
    expect(mountedLater.cancelled).toEqual(['/uploads/1']);
  });

  it('passes on any other failure: a registry that is down is not a refused mount', async () => {
    const { fake } = verbs({ 'a/x': 500 });
    await expect(mountFromAny(fake, digest, ['a/x'])).rejects.toThrow(RegistryResponseError);
  });

  it('a cancel closes the session it kept and stops', async () => {
    const controller = new AbortController();
    const { fake, cancelled, posted } = verbs({ 'a/x': session('1'), 'b/y': { outcome: 'mounted' } });
    const mountBlob = fake.mountBlob.bind(fake);
    fake.mountBlob = async (d, from) => {
      const answer = await mountBlob(d, from);
      controller.abort(new Error('cancelled'));
      return answer;
    };
    await expect(mountFromAny(fake, digest, ['a/x', 'b/y'], { keepSession: true, signal: controller.signal })).rejects.toThrow('cancelled');
    expect(posted).toEqual(['a/x']);
    expect(cancelled).toEqual(['/uploads/1']);
  });
});
