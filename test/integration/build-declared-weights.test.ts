import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCog } from '../support/cli-process.js';
import { fixture } from '../support/paths.js';
import { predictOnce } from '../support/serve.js';
import { requireTestbed, runId, type Testbed } from '../support/testbed.js';

// cog.yaml's declared weights: a layer of their own at their target, whatever their size, and
// not a second time in the code layer.
describe('declared weights [engine]', () => {
  let testbed: Testbed;
  const image = `cogpack-it-declared:${runId}`;

  beforeAll(async () => {
    testbed = await requireTestbed();
  });

  afterAll(async () => {
    await testbed?.docker.run(['image', 'rm', '--force', image, image.replace(':', '-weights:')]);
  });

  it('lands the selected files at the target in their own layer, and the model reads them', async () => {
    const result = await runCog(['build', '-t', image, '--progress', 'quiet'], { cwd: fixture('declared-weights') });
    expect(result.exitCode, result.stderr.slice(-1500)).toBe(0);
    const history = await testbed.docker.run(['history', '--no-trunc', '--format', '{{.CreatedBy}}', image]);
    expect(history.stdout).toContain('COPY /weights/tokenizer/ /weights/tokenizer/');
    const prediction = await predictOnce(testbed.docker, image, {});
    expect(prediction).toMatchObject({ status: 'succeeded', output: 'merges.json vocab.txt' });
    // The code copy left them out: only the excluded notes stay with the code.
    const listing = await testbed.docker.run(['run', '--rm', '--entrypoint', 'ls', image, '/src/models/tokenizer']);
    expect(listing.stdout.split('\n').filter(Boolean)).toEqual(['NOTES.md']);
  });
});
