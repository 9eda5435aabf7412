import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCog } from '../support/cli-process.js';
import { copyFixture } from '../support/project-copy.js';
import { predictOnce } from '../support/serve.js';
import { requireTestbed, runId, type Testbed } from '../support/testbed.js';

// Mirrors and air gaps: base images from a mirror registry (the loopback registry plays it), and
// the host's package-index settings reaching the build's pip/uv without entering the image.
describe('mirrors [engine] [registry]', () => {
  let testbed: Testbed;
  let mirroredBase: string;
  const image = `cogpack-it-mirror:${runId}`;

  beforeAll(async () => {
    testbed = await requireTestbed();
    // The mirror holds python:3.11-slim under its Docker Hub path, as a pull-through mirror would.
    mirroredBase = `${testbed.registry}/hub/library/python:3.11-slim`;
    expect((await testbed.docker.run(['tag', 'python:3.11-slim', mirroredBase])).exitCode).toBe(0);
    const pushed = await testbed.docker.run(['push', mirroredBase]);
    expect(pushed.exitCode, pushed.stderrTail.join('\n')).toBe(0);
    // Only the mirror has it now: the build must pull it from there.
    await testbed.docker.run(['image', 'rm', mirroredBase]);
  });

  afterAll(async () => {
    await testbed?.docker.run(['image', 'rm', '--force', image, mirroredBase]);
  });

  it('COG_IMAGE_MIRRORS: the base image comes from the mirror, and the image works', async () => {
    const project = copyFixture('hello-world');
    const result = await runCog(['build', '-t', image, '--progress', 'plain', '--use-cog-base-image=false'], {
      cwd: project,
      env: { COG_IMAGE_MIRRORS: `docker.io=${testbed.registry}/hub` },
    });
    expect(result.exitCode, result.stderr.slice(-1500)).toBe(0);
    expect(result.stderr).toContain(`on ${mirroredBase}`);
    const prediction = await predictOnce(testbed.docker, image, { text: 'mirror' });
    expect(prediction).toMatchObject({ status: 'succeeded', output: 'hello mirror' });
  });

  it('an index URL reaches pip and uv as a secret: a dead mirror fails the build, its token never shows', async () => {
    const project = copyFixture('hello-world');
    const deadMirror = 'http://cogpack:tok3n-never-shown@127.0.0.1:9/simple';
    const result = await runCog(['build', '-t', `cogpack-it-dead-mirror:${runId}`, '--progress', 'plain', '--no-cache', '--use-cog-base-image=false'], {
      cwd: project,
      env: { PIP_INDEX_URL: deadMirror },
    });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('127.0.0.1');
    expect(result.stderr).not.toContain('tok3n-never-shown');
  });
});
