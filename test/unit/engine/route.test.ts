import { describe, expect, it } from 'vitest';
import { detectRoute } from '../../../src/engine/route.js';
import { UnavailableError } from '../../../src/errors.js';
import { fakeDocker } from '../../support/fake-docker.js';

const noBuildx = { exitCode: 1, stderr: ["docker: 'buildx' is not a docker command."] };

describe('detectRoute', () => {
  it('prefers buildx when the plugin answers', async () => {
    const docker = fakeDocker({ 'buildx version': { stdout: 'github.com/docker/buildx v0.20.1 abc' } });
    expect(await detectRoute(docker)).toEqual({ kind: 'buildx', builder: undefined, buildxVersion: 'github.com/docker/buildx v0.20.1' });
  });

  it('uses the classic builder of a pre-23 CLI', async () => {
    const docker = fakeDocker({
      'buildx version': noBuildx,
      'version --format {{.Client.Version}}': { stdout: '20.10.24+dfsg1' },
    });
    expect(await detectRoute(docker)).toEqual({ kind: 'classic', clientVersion: '20.10.24+dfsg1' });
  });

  it('fails with a fix when a 23+ CLI has no buildx', async () => {
    const docker = fakeDocker({
      'buildx version': noBuildx,
      'version --format {{.Client.Version}}': { stdout: '28.2.2' },
    }, '/usr/local/bin/docker');
    const error = await detectRoute(docker).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnavailableError);
    expect((error as UnavailableError).message).toContain('/usr/local/bin/docker (28.2.2) has no buildx plugin');
    expect((error as UnavailableError).hint).toContain('COG_DOCKER');
  });

  it('a named builder needs buildx', async () => {
    const docker = fakeDocker({ 'buildx version': noBuildx });
    await expect(detectRoute(docker, { builder: 'remote1' })).rejects.toThrow('--builder remote1 needs the buildx plugin');
  });
});
