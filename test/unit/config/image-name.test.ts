import { describe, expect, it } from 'vitest';
import { defaultImageName } from '../../../src/config/image-name.js';

describe('defaultImageName', () => {
  it.each([
    ['/x/hello-world', 'cog-hello-world'],
    ['/x/My Model', 'cog-my-model'],
    ['/x/cog-already', 'cog-already'],
    ['/x/weird_name!v2', 'cog-weirdnamev2'],
    ['/x/abcdefghijklmnopqrstuvwxyz0123', 'cog-abcdefghijklmnopqrstuvwxyz'],
  ])('%s → %s', (dir, name) => {
    expect(defaultImageName(dir)).toBe(name);
  });
});
