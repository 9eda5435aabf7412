import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inspectImage } from '../../src/docker/engine.js';
import { runCog } from '../support/cli-process.js';
import { fixture } from '../support/paths.js';
import { requireTestbed, runId, type Testbed } from '../support/testbed.js';

// Every BuildKit route cogpack supports, on the real engine: the default test-bed route is the
// classic builder of Docker 20.10 (COG_DOCKER); the buildx route uses the Docker client on PATH
// with the buildx plugin the test bed built (COGPACK_TEST_BUILDX_*).
describe('BuildKit routes [engine]', () => {
  let testbed: Testbed;
  const tags: string[] = [];

  beforeAll(async () => {
    testbed = await requireTestbed();
  });

  afterAll(async () => {
    for (const tag of tags) await testbed?.docker.run(['image', 'rm', '--force', tag]);
  });

  it('classic route: DOCKER_BUILDKIT=1 docker build, named in --debug', async () => {
    const tag = `cogpack-it-classic:${runId}`;
    tags.push(tag);
    const result = await runCog(['build', '--debug', '-t', tag, '--progress', 'quiet'], { cwd: fixture('hello-world') });
    expect(result.stderr).toContain('engine route: classic BuildKit builder of docker CLI');
    expect(result.exitCode).toBe(0);
    expect((await inspectImage(testbed.docker, tag)).size).toBeGreaterThan(0);
  });

  it('buildx route: docker buildx build --load, named in --debug', async () => {
    const buildxDocker = process.env.COGPACK_TEST_BUILDX_DOCKER;
    const buildxConfig = process.env.COGPACK_TEST_BUILDX_CONFIG;
    if (!buildxDocker || !buildxConfig) {
      throw new Error('COGPACK_TEST_BUILDX_DOCKER/COGPACK_TEST_BUILDX_CONFIG are not set: run scripts/testbed.sh');
    }
    const tag = `cogpack-it-buildx:${runId}`;
    tags.push(tag);
    const result = await runCog(['build', '--debug', '-t', tag, '--progress', 'quiet'], {
      cwd: fixture('hello-world'),
      env: { COG_DOCKER: buildxDocker, DOCKER_CONFIG: buildxConfig },
    });
    expect(result.stderr).toContain('engine route: docker buildx build');
    expect(result.exitCode).toBe(0);
    expect((await inspectImage(testbed.docker, tag)).size).toBeGreaterThan(0);
  });

  it('a docker CLI of 23 or later without buildx: says how to get a route, exit 3', async () => {
    const buildxDocker = process.env.COGPACK_TEST_BUILDX_DOCKER ?? 'docker';
    const result = await runCog(['build', '-t', `cogpack-it-none:${runId}`], {
      cwd: fixture('hello-world'),
      // An empty config dir: the same modern client, without the plugin.
      env: { COG_DOCKER: buildxDocker, DOCKER_CONFIG: '/nonexistent-docker-config' },
    });
    const version = await testbed.docker.run(['version', '--format', '{{.Client.Version}}']);
    expect(version.exitCode).toBe(0);
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toContain('has no buildx plugin');
    expect(result.stderr).toContain('hint: install the buildx plugin');
  });
});
