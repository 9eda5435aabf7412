import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inspectImage } from '../../src/docker/engine.js';
import { runCog } from '../support/cli-process.js';
import { fixture } from '../support/paths.js';
import { predictOnce } from '../support/serve.js';
import { requireTestbed, runId, type Testbed } from '../support/testbed.js';

// COG_SDK_WHEEL: the runtime from a local wheel (an air-gapped user's, or a dev build), not PyPI's latest.
describe('COG_SDK_WHEEL [engine]', () => {
  let testbed: Testbed;
  let wheels: string;
  const image = `cogpack-it-sdk-wheel:${runId}`;

  beforeAll(async () => {
    testbed = await requireTestbed();
    wheels = mkdtempSync(path.join(tmpdir(), 'cogpack-sdk-wheels-'));
    execFileSync('python3', ['-m', 'pip', 'download', '--quiet', '--no-deps', '--only-binary=:all:', '-d', wheels, 'cog==0.23.0'], { stdio: 'inherit' });
  });

  afterAll(async () => {
    await testbed?.docker.run(['image', 'rm', '--force', image]);
  });

  it('installs the wheel from the folder, and the runtime it brings serves', async () => {
    const result = await runCog(['build', '-t', image, '--progress', 'quiet'], { cwd: fixture('hello-world'), env: { COG_SDK_WHEEL: wheels } });
    expect(result.exitCode, result.stderr.slice(-1500)).toBe(0);
    const labels = (await inspectImage(testbed.docker, image)).labels;
    expect(labels['run.cog.pip_freeze']).toMatch(/^cog @ file:\/\/\/tmp\/cog-0\.23\.0-py3-none-any\.whl$|^cog==0\.23\.0$/m);
    const prediction = await predictOnce(testbed.docker, image, { text: 'wheel' });
    expect(prediction).toMatchObject({ status: 'succeeded', output: 'hello wheel' });
  });
});
