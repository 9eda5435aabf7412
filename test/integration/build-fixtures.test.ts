import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inspectImage } from '../../src/docker/engine.js';
import { runCog } from '../support/cli-process.js';
import { fixture, repoRoot } from '../support/paths.js';
import { predictOnce } from '../support/serve.js';
import { requireTestbed, runId, type Testbed } from '../support/testbed.js';

// The fixtures build and their images serve, through the real runtime, with the schema cogpack
// read statically from their Python source.
describe('fixtures build and serve [engine]', () => {
  let testbed: Testbed;
  const images: string[] = [];

  async function build(name: string): Promise<string> {
    const image = `cogpack-it-${name}:${runId}`;
    images.push(image);
    const result = await runCog(['build', '-t', image, '--progress', 'quiet'], { cwd: fixture(name) });
    expect(result.exitCode, result.stderr.slice(-2000)).toBe(0);
    return image;
  }

  beforeAll(async () => {
    testbed = await requireTestbed();
  });

  afterAll(async () => {
    if (testbed) for (const image of images) await testbed.docker.run(['image', 'rm', '--force', image]);
  });

  it('many-inputs: the schema label and the schema file in the image are the golden bytes; defaults and constraints work', async () => {
    const image = await build('many-inputs');
    const labels = (await inspectImage(testbed.docker, image)).labels;
    const golden = readFileSync(path.join(repoRoot, 'test/golden/schema-label/many-inputs.json'), 'utf8').trimEnd();
    expect(labels['run.cog.openapi_schema']).toBe(golden);
    const inImage = await testbed.docker.run(['run', '--rm', '--entrypoint', 'cat', image, '/src/.cog/openapi_schema.json']);
    expect(inImage.stdout).toBe(golden);
    const ok = await predictOnce(testbed.docker, image, { prompt: 'hi', repeat: 2, api_key: 'not-echoed' });
    expect(ok.status).toBe('succeeded');
    expect(String(ok.output)).toContain('hi');
    expect(String(ok.output)).not.toContain('not-echoed');
    // The runtime validates against the schema cogpack wrote into the image.
    const refused = await predictOnce(testbed.docker, image, { prompt: 'hi', repeat: 9 });
    expect(refused.status).not.toBe('succeeded');
  });

  it('path-io: a Path in, a Path out', async () => {
    const image = await build('path-io');
    const input = `data:text/plain;base64,${Buffer.from('shout this').toString('base64')}`;
    const prediction = await predictOnce(testbed.docker, image, { text_file: input });
    expect(prediction.status).toBe('succeeded');
    const output = String(prediction.output);
    expect(output).toMatch(/^data:[^;]*;base64,/);
    expect(Buffer.from(output.slice(output.indexOf(',') + 1), 'base64').toString()).toBe('SHOUT THIS');
  });

  it('complex-output: a cog.BaseModel output', async () => {
    const image = await build('complex-output');
    const prediction = await predictOnce(testbed.docker, image, { text: 'is this working?' });
    expect(prediction.status).toBe('succeeded');
    expect(prediction.output).toMatchObject({ text: 'is this working?', word_count: 3, is_question: true, words: ['is', 'this', 'working?'] });
  });
});
