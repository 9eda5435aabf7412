import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
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

  const built = new Map<string, Promise<string>>();

  /** Builds a fixture once for the whole file. */
  function build(name: string): Promise<string> {
    if (!built.has(name)) {
      const image = `cogpack-it-${name}:${runId}`;
      images.push(image);
      built.set(
        name,
        runCog(['build', '-t', image, '--progress', 'quiet'], { cwd: fixture(name) }).then((result) => {
          expect(result.exitCode, result.stderr.slice(-2000)).toBe(0);
          return image;
        }),
      );
    }
    return built.get(name)!;
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

  // The runtime serves back the schema cogpack wrote, so it cannot referee it; what the predictor
  // receives can. Every input of many-inputs goes through `cog run` and the real runtime.
  it('many-inputs: every input, given, reaches the predictor as written, the Secret included', async () => {
    const image = await build('many-inputs');
    const dir = mkdtempSync(path.join(tmpdir(), 'cogpack-many-inputs-'));
    writeFileSync(path.join(dir, 'doc.txt'), 'the document');
    writeFileSync(path.join(dir, 'att.txt'), 'the attachment');
    const inputs = [
      'prompt=hello', 'style=shout', 'repeat=3', 'temperature=1.5', 'uppercase=true', 'code=XYZ-789', 'level=3',
      'tags=x', 'tags=y', 'weights=0.5', 'weights=1.5', 'seed=42', 'size=large', 'options={"k": 1}', 'api_key=s3cret',
      'document=@doc.txt', 'attachment=@att.txt', 'legacy_mode=true', 'plain=given',
    ];
    const result = await runCog(['run', image, ...inputs.flatMap((input) => ['-i', input])], { cwd: dir });
    expect(result.exitCode, result.stderr.slice(-2000)).toBe(0);
    expect(result.stdout).not.toContain('s3cret');
    expect(JSON.parse(result.stdout)).toEqual({
      prompt: { type: 'str', value: 'hello' },
      style: { type: 'str', value: 'shout' },
      repeat: { type: 'int', value: 3 },
      temperature: { type: 'float', value: 1.5 },
      uppercase: { type: 'bool', value: true },
      code: { type: 'str', value: 'XYZ-789' },
      level: { type: 'int', value: 3 },
      tags: { type: 'list', value: ['x', 'y'] },
      weights: { type: 'list', value: [0.5, 1.5] },
      seed: { type: 'int', value: 42 },
      size: { type: 'str', value: 'large' },
      options: { type: 'dict', value: { k: 1 } },
      api_key: { type: 'Secret', shown: '**********', sha256: createHash('sha256').update('s3cret').digest('hex') },
      document: { type: 'Path', content: 'the document' },
      attachment: { type: 'File', content: 'the attachment' },
      legacy_mode: { type: 'bool', value: true },
      plain: { type: 'str', value: 'given' },
    });
  });

  it('many-inputs: omitted, each input gets its default, and the optional ones None', async () => {
    const image = await build('many-inputs');
    const result = await runCog(['run', image, '-i', 'prompt=hi'], { cwd: tmpdir() });
    expect(result.exitCode, result.stderr.slice(-2000)).toBe(0);
    const none = { type: 'NoneType', value: null };
    expect(JSON.parse(result.stdout)).toEqual({
      prompt: { type: 'str', value: 'hi' },
      style: { type: 'str', value: 'plain' },
      repeat: { type: 'int', value: 1 },
      temperature: { type: 'float', value: 0.7 },
      uppercase: { type: 'bool', value: false },
      code: { type: 'str', value: 'ABC-123' },
      level: { type: 'int', value: 2 },
      tags: { type: 'list', value: ['a', 'b'] },
      weights: none,
      seed: none,
      size: { type: 'int', value: 512 },
      options: { type: 'dict', value: {} },
      api_key: none,
      document: none,
      attachment: none,
      legacy_mode: { type: 'bool', value: false },
      plain: { type: 'str', value: 'unused' },
    });
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
