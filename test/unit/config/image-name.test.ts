import { describe, expect, it } from 'vitest';
import { defaultImageName } from '../../../src/config/image-name.js';
import { devImageName } from '../../../src/workflows/model-image.js';

/** The distribution reference grammar for a repository path, and a tag. */
const repository = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
const tag = /^[\w][\w.-]{0,127}$/;

describe('defaultImageName', () => {
  it.each([
    ['/x/hello-world', 'cog-hello-world'],
    ['/x/My Model', 'cog-my-model'],
    ['/x/cog-already', 'cog-already'],
    ['/x/weird_name!v2', 'cog-weirdnamev2'],
    ['/x/abcdefghijklmnopqrstuvwxyz0123', 'cog-abcdefghijklmnopqrstuvwxyz'],
    // Upstream cuts this one to `cog-19-replicate-cog-examples-`, which docker refuses.
    ['/x/19-replicate-cog-examples-hello-concurrency', 'cog-19-replicate-cog-examples'],
  ])('%s → %s', (dir, name) => {
    expect(defaultImageName(dir)).toBe(name);
  });

  it.each([
    '/x/19-replicate-cog-examples-hello-concurrency',
    '/x/a-very-long-project-name-that-goes-on-and-on',
    '/x/model.v2.final',
    '/x/my model with spaces',
    '/x/modèle-été',
    '/x/模型',
    '/x/UPPER_Case Model',
    '/x/...',
    '/x/ends-with-dash-',
    '/x/-starts-with-dash',
    '/x/cog-',
    '/x/a   b',
  ])('%s gives a name docker accepts, for cog build and for the dev image', (dir) => {
    const name = defaultImageName(dir);
    expect(name).toMatch(repository);
    expect(name.length).toBeLessThanOrEqual(30);
    const [devRepository, devTag] = devImageName(dir).split(':');
    expect(devRepository).toMatch(repository);
    expect(devTag).toMatch(tag);
  });
});
