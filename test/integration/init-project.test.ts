import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCog } from '../support/cli-process.js';
import { jsonSchemaErrors } from '../support/json-schema.js';
import { requireTestbed, runId, type Testbed } from '../support/testbed.js';

// A project made by `cog init` builds, runs and pushes with no edits; `cog run --json` prints the
// documented document.
describe('cog init → build → run → push [engine] [registry]', () => {
  let testbed: Testbed;
  let dir: string;
  const image = () => `${testbed.registry}/cogpack-it/init-${runId}:latest`;

  beforeAll(async () => {
    testbed = await requireTestbed();
    dir = mkdtempSync(path.join(tmpdir(), 'cogpack-init-project-'));
  });

  afterAll(async () => {
    await testbed?.docker.run(['image', 'rm', '--force', image()]);
  });

  it('cog init writes the project', async () => {
    const result = await runCog(['init'], { cwd: dir });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stderr).toContain('Wrote cog.yaml');
  });

  it('cog build builds it as written', async () => {
    const result = await runCog(['build', '-t', image(), '--progress', 'quiet'], { cwd: dir, env: { COGPACK_CACHE_DIR: path.join(dir, '.cache') } });
    expect(result.exitCode, result.stderr.slice(-2000)).toBe(0);
  });

  it('cog run predicts with it; --json prints the documented response', async () => {
    writeFileSync(path.join(dir, 'photo.png'), Buffer.from('89504e470d0a1a0a', 'hex'));
    const result = await runCog(['run', image(), '--json', JSON.stringify({ image: '@photo.png', scale: 2 })], { cwd: dir });
    expect(result.exitCode, result.stderr.slice(-2000)).toBe(0);
    const response = JSON.parse(result.stdout) as { status: string };
    expect(jsonSchemaErrors('run', response)).toEqual([]);
    expect(response.status).toBe('succeeded');
  });

  it('cog push pushes it, with every registry request shown by --debug and no secret', async () => {
    const result = await runCog(['push', image(), '--no-build', '--debug'], { cwd: dir, env: { COGPACK_CACHE_DIR: path.join(dir, '.cache') } });
    expect(result.exitCode, result.stderr.slice(-2000)).toBe(0);
    expect(result.stderr).toMatch(/^Pushed .+@sha256:[0-9a-f]{64}$/m);
    expect(result.stderr).toMatch(/debug\s+PUT .*\/manifests\/latest/);
  });
});
