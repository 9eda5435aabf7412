import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCog } from '../support/cli-process.js';
import { jsonSchemaErrors } from '../support/json-schema.js';
import { fixture } from '../support/paths.js';
import { requireTestbed, type Testbed } from '../support/testbed.js';

// `cog debug --json` through the installed entry point, with the real engine answering whether a
// cog-base image is present (an air-gapped user preloads it; here a stand-in is tagged as one).
describe('cog debug --json [engine]', () => {
  let testbed: Testbed;
  const standIn = 'r8.im/cog-base:python3.11';
  // A private cache dir: registry answers cached by other runs must not decide this test.
  const env = { COGPACK_CACHE_DIR: mkdtempSync(path.join(tmpdir(), 'cogpack-cache-')) };

  beforeAll(async () => {
    testbed = await requireTestbed();
  });

  afterAll(async () => {
    await testbed?.docker.run(['image', 'rm', standIn]);
  });

  it('prints the documented fields for hello-world', async () => {
    const result = await runCog(['debug', '--json'], { cwd: fixture('hello-world'), env });
    expect(result.exitCode).toBe(0);
    const report = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(jsonSchemaErrors('debug', report)).toEqual([]);
    expect(Object.keys(report).sort()).toEqual(
      ['baseImage', 'baseImageKind', 'cuda', 'cudnn', 'dockerfile', 'gpu', 'pythonVersion', 'requirements', 'tensorflow', 'torch', 'warnings'].sort(),
    );
    expect(report).toMatchObject({ baseImage: 'python:3.11-slim', baseImageKind: 'python', gpu: false, cuda: null, requirements: ['six==1.17.0'] });
    expect(report.warnings).toContain(
      'Could not find a suitable base image, continuing without base image support (r8.im/cog-base:python3.11 was not found in its registry)',
    );
  });

  it('uses a cog-base image that is present in the local engine', async () => {
    expect((await testbed.docker.run(['tag', 'python:3.11-slim', standIn])).exitCode).toBe(0);
    const result = await runCog(['debug', '--json'], { cwd: fixture('hello-world'), env });
    expect(result.exitCode).toBe(0);
    const report = JSON.parse(result.stdout) as { baseImage: string; baseImageKind: string; dockerfile: string };
    expect(report).toMatchObject({ baseImage: standIn, baseImageKind: 'cog-base' });
    expect(report.dockerfile).not.toContain('tini');
  });

  it('--use-cog-base-image=false never asks for one', async () => {
    const result = await runCog(['debug', '--json', '--use-cog-base-image=false'], { cwd: fixture('hello-world'), env });
    expect(JSON.parse(result.stdout)).toMatchObject({ baseImage: 'python:3.11-slim', warnings: [] });
  });

  it('a GPU model resolves CUDA from torch without any GPU on the machine', async () => {
    const result = await runCog(['debug', '--json', '--use-cog-base-image=false'], { cwd: fixture('gpu-torch'), env });
    expect(result.exitCode).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ baseImage: 'nvidia/cuda:12.1.1-cudnn8-devel-ubuntu22.04', cuda: '12.1', cudnn: '8', torch: '2.3.1' });
  });
});
