import { describe, expect, it } from 'vitest';
import { buildCommand, type BuildRequest } from '../../../src/engine/argv.js';

const request: BuildRequest = {
  contextDir: '/p',
  dockerfile: '/p/.cog/build/Dockerfile',
  tag: 'cog-p',
};

describe('buildCommand', () => {
  it('classic route: docker build with DOCKER_BUILDKIT=1', () => {
    expect(buildCommand({ kind: 'classic', clientVersion: '20.10.24' }, request)).toEqual({
      argv: ['build', '--progress', 'plain', '--file', '/p/.cog/build/Dockerfile', '--tag', 'cog-p', '/p'],
      env: { DOCKER_BUILDKIT: '1' },
    });
  });

  it('buildx route: loads the image back into the engine', () => {
    expect(buildCommand({ kind: 'buildx', builder: undefined, buildxVersion: 'v0.20.0' }, request).argv).toEqual([
      'buildx', 'build', '--load', '--progress', 'plain', '--file', '/p/.cog/build/Dockerfile', '--tag', 'cog-p', '/p',
    ]);
  });

  it('buildx route with a named builder, no cache, secrets and labels', () => {
    const argv = buildCommand(
      { kind: 'buildx', builder: 'remote1', buildxVersion: 'v0.20.0' },
      { ...request, noCache: true, secrets: ['id=tok,env=TOKEN'], labels: { 'run.cog.version': '0.1.0' } },
    ).argv;
    expect(argv.slice(0, 5)).toEqual(['buildx', 'build', '--builder', 'remote1', '--load']);
    expect(argv).toContain('--no-cache');
    expect(argv.join(' ')).toContain('--secret id=tok,env=TOKEN --label run.cog.version=0.1.0 /p');
  });
});
