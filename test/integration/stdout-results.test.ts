import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCog } from '../support/cli-process.js';
import { fixture } from '../support/paths.js';
import { requireTestbed, runId, type Testbed } from '../support/testbed.js';

// Scripts written for upstream Cog read stdout as results: `cog build`, `cog push` and
// `cog doctor` print progress, "Image built as …", the push summary and the whole doctor report
// on stderr; stdout holds nothing but their results (the --json document, when asked for). The
// real CLI runs here with stdout a pipe, as in a script.
describe('stdout holds results only [engine] [registry]', () => {
  let testbed: Testbed;
  const image = `cogpack-it-stdout:${runId}`;
  const pushed: string[] = [];

  beforeAll(async () => {
    testbed = await requireTestbed();
  });

  afterAll(async () => {
    for (const name of [image, ...pushed]) await testbed?.docker.run(['image', 'rm', '--force', name]);
  });

  it('cog build: nothing on stdout; "Image built as" on stderr', async () => {
    const result = await runCog(['build', '-t', image], { cwd: fixture('hello-world') });
    expect(result.exitCode, result.stderr.slice(-2000)).toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(`Image built as ${image}`);
  });

  it('cog build --json: one JSON document on stdout, and nothing else', async () => {
    const result = await runCog(['build', '-t', image, '--json'], { cwd: fixture('hello-world') });
    expect(result.exitCode, result.stderr.slice(-2000)).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ image });
  });

  it('cog push: nothing on stdout; the summary on stderr; --json: the document only', async () => {
    const target = `${testbed.registry}/cogpack-it/stdout:${runId}`;
    pushed.push(target);
    const plain = await runCog(['push', target], { cwd: fixture('hello-world') });
    expect(plain.exitCode, plain.stderr.slice(-2000)).toBe(0);
    expect(plain.stdout).toBe('');
    expect(plain.stderr).toMatch(/^Pushed .+@sha256:[0-9a-f]{64}$/m);
    const json = await runCog(['push', target, '--no-build', '--json'], { cwd: fixture('hello-world') });
    expect(json.exitCode, json.stderr.slice(-2000)).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ image: target, digest: expect.stringMatching(/^sha256:/) });
  });

  it('cog doctor: the whole report on stderr, nothing on stdout', async () => {
    const result = await runCog(['doctor'], { cwd: fixture('hello-world') });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^cog doctor is experimental/);
    expect(result.stderr).toContain('✓ Docker: Docker engine');
  });
});
