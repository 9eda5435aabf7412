import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCog } from '../support/cli-process.js';
import { fixture } from '../support/paths.js';
import { imageContainsBytes, predictOnce } from '../support/serve.js';
import { requireTestbed, runId, type Testbed } from '../support/testbed.js';

// system_packages, requirements, build.run and a build secret, through the real engine and runtime.
describe('system-deps fixture [engine]', () => {
  let testbed: Testbed;
  const image = `cogpack-it-system-deps:${runId}`;
  const secret = `cogpack-secret-${randomBytes(12).toString('hex')}`;
  let build: Awaited<ReturnType<typeof runCog>>;

  beforeAll(async () => {
    testbed = await requireTestbed();
    build = await runCog(['build', '-t', image, '--secret', 'id=api_token,env=COGPACK_TEST_API_TOKEN', '--progress', 'plain'], {
      cwd: fixture('system-deps'),
      env: { COGPACK_TEST_API_TOKEN: secret },
    });
  });

  afterAll(async () => {
    await testbed?.docker.run(['image', 'rm', '--force', image]);
  });

  it('builds, and the runtime serves a prediction that used every build step', async () => {
    expect(build.exitCode, build.stderr.slice(-2000)).toBe(0);
    const prediction = await predictOnce(testbed.docker, image, { text: 'hello cogpack' });
    expect(prediction.status).toBe('succeeded');
    const output = String(prediction.output);
    expect(output).toContain('< hello cogpack >'); // cowsay, from system_packages
    expect(output).toContain('run step done'); // build.run
    expect(output).toMatch(/secret fingerprint [0-9a-f]{12}/); // the secret reached its RUN step
  });

  it('the secret\'s value is in no layer, config or history of the image, nor in the build output', async () => {
    expect(build.exitCode).toBe(0);
    expect(await imageContainsBytes(testbed.docker, image, secret)).toBe(false);
    // The check can fail: the same search finds a value that is in the image.
    expect(await imageContainsBytes(testbed.docker, image, 'run step done')).toBe(true);
    expect(build.stdout + build.stderr).not.toContain(secret);
  });
});
