import { appendFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inspectImage, type ImageInfo } from '../../src/docker/engine.js';
import { runCog } from '../support/cli-process.js';
import { copyFixture } from '../support/project-copy.js';
import { requireTestbed, runId, type Testbed } from '../support/testbed.js';

// Weights never share a layer with code: a large file gets its own layer before the code, and a
// code-only edit rebuilds only the code layer (the users' most common complaint upstream).
describe('weights layers and rebuilds [engine]', () => {
  let testbed: Testbed;
  let project: string;
  const image = `cogpack-it-weights:${runId}`;
  let first: ImageInfo;

  beforeAll(async () => {
    testbed = await requireTestbed();
    project = copyFixture('weights-layers');
    mkdirSync(path.join(project, 'weights'), { recursive: true });
    writeFileSync(path.join(project, 'weights', 'model.bin'), randomBytes(12 * 1024 * 1024));
    const result = await runCog(['build', '-t', image, '--progress', 'quiet'], { cwd: project });
    expect(result.stderr).toContain('1 weight file(s), 12.0 MiB, in layers of their own');
    expect(result.exitCode).toBe(0);
    first = await inspectImage(testbed.docker, image);
  });

  afterAll(async () => {
    await testbed?.docker.run(['image', 'rm', '--force', image, image.replace(':', '-weights:')]);
    rmSync(project, { recursive: true, force: true });
  });

  it('stores the weight file once, in a layer of its own before the code layer', async () => {
    const history = await testbed.docker.run(['history', '--no-trunc', '--format', '{{.Size}}|{{.CreatedBy}}', image]);
    const lines = history.stdout.split('\n');
    const weightLine = lines.find((line) => line.includes('/src/weights/model.bin'));
    const codeLine = lines.find((line) => line.includes('COPY . /src'));
    expect(weightLine).toMatch(/^12\.\dMB\|/);
    expect(codeLine).toMatch(/^\d+(\.\d+)?kB\|/);
    expect(lines.indexOf(codeLine!)).toBeLessThan(lines.indexOf(weightLine!)); // history is newest first
  });

  it('editing only predict.py reuses every layer before the code layer, the weights included, and sends no weight again', async () => {
    appendFileSync(path.join(project, 'predict.py'), '\n# an edit\n');
    const result = await runCog(['build', '-t', image, '--progress', 'plain'], { cwd: project });
    expect(result.exitCode).toBe(0);
    // BuildKit says what each build's context sent: the weights (12 MiB) went the first time only.
    const sent = [...result.stderr.matchAll(/transferring context: ([\d.]+)([kMG]?B)/g)].map(([, n, unit]) => Number(n) * ({ B: 1, kB: 1e3, MB: 1e6, GB: 1e9 } as Record<string, number>)[unit!]!);
    expect(sent.length).toBeGreaterThanOrEqual(2);
    expect(Math.max(...sent)).toBeLessThan(1e6);
    const second = await inspectImage(testbed.docker, image);
    expect(second.layers.length).toBe(first.layers.length);
    expect(second.layers.slice(0, -1)).toEqual(first.layers.slice(0, -1));
    expect(second.layers.at(-1)).not.toBe(first.layers.at(-1));
  });

  it('labels the image with upstream\'s labels', async () => {
    const labels = (await inspectImage(testbed.docker, image)).labels;
    expect(labels['run.cog.version']).toMatch(/^\d+\.\d+\.\d+$/);
    expect(JSON.parse(labels['run.cog.config']!)).toMatchObject({ build: { python_version: '3.11' }, predict: 'predict.py:Predictor' });
    expect(labels['run.cog.pip_freeze']).toMatch(/^cog==\d/m);
    expect(labels['run.cog.has_init']).toBe('true');
    expect(labels['org.opencontainers.image.created']).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it('leaves no temporary image behind', async () => {
    const images = await testbed.docker.run(['images', '--format', '{{.Repository}}:{{.Tag}}']);
    expect(images.stdout).not.toMatch(/^cog-tmp:/m);
  });
});
