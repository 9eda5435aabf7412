import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inspectImage } from '../../src/docker/engine.js';
import { removeContainer, startContainer } from '../../src/predict/container.js';
import { waitUntilReady } from '../../src/predict/health.js';
import { runCog } from '../support/cli-process.js';
import { jsonSchemaErrors } from '../support/json-schema.js';
import { fixture } from '../support/paths.js';
import { containerIds, requireTestbed, runId, type Testbed } from '../support/testbed.js';

// Engine + registry + stand-in base images + the real Cog runtime from PyPI, inside a real image.
describe('cog build hello-world [engine]', () => {
  let testbed: Testbed;
  const image = `cogpack-it-hello-world:${runId}`;
  let buildOutput: { exitCode: number; stdout: string; stderr: string };

  beforeAll(async () => {
    testbed = await requireTestbed();
    buildOutput = await runCog(['build', '-t', image], { cwd: fixture('hello-world') });
  });

  afterAll(async () => {
    await testbed?.docker.run(['image', 'rm', '--force', image]);
  });

  it('builds the image and reports its name and size', async () => {
    expect(buildOutput.stderr).not.toContain('error:');
    expect(buildOutput.exitCode).toBe(0);
    expect(buildOutput.stderr).toMatch(new RegExp(`^Image built as ${image.replace(/[.:]/g, '\\$&')} \\(\\d+\\.\\d MiB\\)$`, 'm'));
    const info = await inspectImage(testbed.docker, image);
    expect(info.size).toBeGreaterThan(50 * 1024 * 1024);
  });

  it('--json: one document on stdout that matches docs/schemas/build.schema.json', async () => {
    const result = await runCog(['build', '-t', image, '--json'], { cwd: fixture('hello-world') });
    expect(result.exitCode).toBe(0);
    const report = JSON.parse(result.stdout) as { image: string; imageId: string };
    expect(jsonSchemaErrors('build', report)).toEqual([]);
    expect(report.image).toBe(image);
    expect(report.imageId).toBe((await inspectImage(testbed.docker, image)).id);
  });

  it('serves the real Cog runtime: READY on /health-check, and a prediction', async () => {
    const before = await containerIds(testbed.docker);
    const container = await startContainer(testbed.docker, { image });
    try {
      const health = await waitUntilReady(container.port, { timeoutMs: 120_000 });
      expect(health.status).toBe('READY');
      const response = await request(`http://127.0.0.1:${container.port}/predictions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ input: { text: 'world' } }),
      });
      const body = (await response.body.json()) as { status: string; output: unknown };
      expect(response.statusCode).toBe(200);
      expect(body).toMatchObject({ status: 'succeeded', output: 'hello world' });
    } finally {
      await removeContainer(testbed.docker, container.id);
    }
    expect(await containerIds(testbed.docker)).toEqual(before);
  });
});

describe('cog build failures [engine]', () => {
  let testbed: Testbed;
  let project: string;

  beforeAll(async () => {
    testbed = await requireTestbed();
    project = mkdtempSync(path.join(tmpdir(), 'cogpack-badreq-'));
    cpSync(fixture('hello-world'), project, { recursive: true, filter: (src) => !src.includes(`${path.sep}.cog`) });
    writeFileSync(path.join(project, 'requirements.txt'), 'cogpack-no-such-package-anywhere==1.0\n');
  });

  afterAll(() => rmSync(project, { recursive: true, force: true }));

  it('a requirement that does not exist fails with uv\'s message naming it, exit 1, nothing left behind', async () => {
    const tag = `cogpack-it-badreq:${runId}`;
    const before = await containerIds(testbed.docker);
    const result = await runCog(['build', '-t', tag, '--progress', 'quiet'], { cwd: project });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('error: build failed at');
    expect(result.stderr).toContain('uv pip install -r /tmp/requirements.txt');
    expect(result.stderr).toContain('cogpack-no-such-package-anywhere was not found in the package');
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(await containerIds(testbed.docker)).toEqual(before);
    const image = await testbed.docker.run(['image', 'inspect', tag]);
    expect(image.exitCode).not.toBe(0);
    const images = await testbed.docker.run(['images', '--format', '{{.Repository}}:{{.Tag}}']);
    expect(images.stdout).not.toMatch(/^cog-tmp:/m);
  });

  it('no engine: a clear error and exit 3', async () => {
    const result = await runCog(['build'], { cwd: project, env: { DOCKER_HOST: 'unix:///nonexistent/docker.sock' } });
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toContain('error: cannot reach the Docker engine');
    expect(result.stderr).toContain('hint: start Docker');
  });

  it('no docker CLI: a clear error and exit 3', async () => {
    const result = await runCog(['build'], { cwd: project, env: { COG_DOCKER: '/nonexistent/docker' } });
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toContain('error: cannot run the docker CLI (/nonexistent/docker)');
  });
});
