import { describe, expect, it } from 'vitest';
import { UserError } from '../../../src/errors.js';
import { resolvePushTarget, timestampTag } from '../../../src/workflows/push-target.js';

const now = new Date('2026-05-08T15:30:42.123Z');
const none = { image: undefined, model: undefined };
const target = (argument: string | undefined, config: { image?: string; model?: string }, env: NodeJS.ProcessEnv = {}) =>
  resolvePushTarget({ argument, config: { ...none, ...config }, env, now });
const failure = (...args: Parameters<typeof target>) => {
  try {
    target(...args);
  } catch (error) {
    if (error instanceof UserError) return error;
  }
  throw new Error('expected a UserError');
};

describe('cog push: where it goes (upstream\'s model ref resolution)', () => {
  it('a model push without a tag gets the UTC timestamp tag', () => {
    expect(timestampTag(now)).toBe('20260508T153042Z');
    expect(target(undefined, { model: 'registry.example.com/acme/m' })).toEqual({ image: 'registry.example.com/acme/m:20260508T153042Z', source: 'model' });
    expect(target(undefined, { model: 'acme/m' }).image).toBe('r8.im/acme/m:20260508T153042Z');
    expect(target(undefined, { model: 'acme/m' }, { COG_REGISTRY_HOST: 'mirror.example' }).image).toBe('mirror.example/acme/m:20260508T153042Z');
  });

  it('COG_MODEL_REGISTRY, COG_MODEL_REPO and COG_MODEL_TAG replace the parts of model:', () => {
    const env = { COG_MODEL_REGISTRY: 'localhost:5000', COG_MODEL_REPO: 'team/other', COG_MODEL_TAG: 'v2' };
    expect(target(undefined, { model: 'registry.example.com/acme/m' }, env).image).toBe('localhost:5000/team/other:v2');
    expect(target(undefined, { model: 'registry.example.com/acme/m' }, { COG_MODEL_TAG: 'v2' }).image).toBe('registry.example.com/acme/m:v2');
    // The variables alone make a model push.
    expect(target(undefined, {}, { COG_MODEL_REPO: 'team/m' })).toEqual({ image: 'r8.im/team/m:20260508T153042Z', source: 'model' });
  });

  it('COG_MODEL wins outright, with or without a tag', () => {
    const env = { COG_MODEL: 'localhost:5000/team/full:rc1', COG_MODEL_TAG: 'ignored' };
    expect(target(undefined, { model: 'registry.example.com/acme/m' }, env).image).toBe('localhost:5000/team/full:rc1');
    expect(target(undefined, {}, { COG_MODEL: 'localhost:5000/team/full' }).image).toBe('localhost:5000/team/full:20260508T153042Z');
  });

  it('refuses the reserved cog- tags, and a digest', () => {
    expect(failure(undefined, { model: 'acme/m' }, { COG_MODEL_TAG: 'cog-image.v1' }).message).toBe('invalid COG_MODEL_TAG "cog-image.v1": "cog-" is a reserved prefix — choose a different tag');
    expect(failure(undefined, {}, { COG_MODEL: 'localhost:5000/m:cog-x' }).message).toContain('"cog-" is a reserved prefix');
    expect(failure(undefined, {}, { COG_MODEL: `localhost:5000/m@sha256:${'a'.repeat(64)}` }).message).toContain('model push requires a tag');
    expect(failure(undefined, {}, { COG_MODEL_REPO: 'team/m:v1' }).message).toBe('invalid COG_MODEL_REPO "team/m:v1": must be a bare repository path (no host, tag, or digest)');
    expect(failure(undefined, {}, { COG_MODEL_REGISTRY: 'host/path', COG_MODEL_REPO: 'm' }).message).toContain('must be a bare host');
  });

  it('an image argument is refused with model: (upstream\'s words), and image: with COG_MODEL*', () => {
    const withArgument = failure('localhost:5000/x', { model: 'acme/m' });
    expect(withArgument.message).toBe("positional image argument not supported with 'model' config");
    expect(withArgument.hint).toContain('COG_MODEL_TAG');
    expect(failure(undefined, { image: 'localhost:5000/x' }, { COG_MODEL_TAG: 'v1', COG_MODEL_REPO: 'm' }).message).toBe("'image' in cog.yaml cannot be combined with COG_MODEL* env vars");
  });

  it('otherwise the argument, then image:, then upstream\'s error', () => {
    expect(target('localhost:5000/x:1', { image: 'localhost:5000/y' })).toEqual({ image: 'localhost:5000/x:1', source: 'argument' });
    expect(target(undefined, { image: 'localhost:5000/y' })).toEqual({ image: 'localhost:5000/y', source: 'image' });
    expect(failure(undefined, {}).message).toMatch(/^To push images, you must either set the 'image' option in cog.yaml or pass an image name as an argument/);
  });
});
