import { describe, expect, it } from 'vitest';
import { UserError } from '../../../src/errors.js';
import { mirroredImage, parseImageMirrors } from '../../../src/registry/mirrors.js';
import { parseReference } from '../../../src/registry/reference.js';

describe('image mirrors', () => {
  const mirrors = parseImageMirrors('docker.io=mirror.corp/hub, r8.im=mirror.corp/r8/');

  it.each([
    ['python:3.12-slim', 'mirror.corp/hub/library/python:3.12-slim'],
    ['nvidia/cuda:12.1.1-cudnn8-devel-ubuntu22.04', 'mirror.corp/hub/nvidia/cuda:12.1.1-cudnn8-devel-ubuntu22.04'],
    ['r8.im/cog-base:python3.12', 'mirror.corp/r8/cog-base:python3.12'],
    ['ghcr.io/x/y:1', 'ghcr.io/x/y:1'],
  ])('%s → %s', (image, mirrored) => {
    expect(mirroredImage(image, mirrors)).toBe(mirrored);
  });

  it('rejects an entry that is not REGISTRY=MIRROR', () => {
    expect(() => parseImageMirrors('docker.io')).toThrow(UserError);
  });
});

describe('parseReference', () => {
  it.each([
    ['python:3.12-slim', { registry: 'docker.io', repository: 'library/python', tag: '3.12-slim', digest: undefined }],
    ['127.0.0.1:5000/me/model', { registry: '127.0.0.1:5000', repository: 'me/model', tag: 'latest', digest: undefined }],
    ['localhost/m:v1', { registry: 'localhost', repository: 'm', tag: 'v1', digest: undefined }],
    ['r8.im/u/m@sha256:abc', { registry: 'r8.im', repository: 'u/m', tag: undefined, digest: 'sha256:abc' }],
  ])('%s', (text, ref) => {
    expect(parseReference(text)).toEqual(ref);
  });

  it('refuses upper-case repositories', () => {
    expect(() => parseReference('Me/Model')).toThrow(UserError);
  });
});
