import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExitCode } from '../../src/errors.js';
import { fixturesDir } from '../support/paths.js';
import { runCogInProcess } from '../support/cli-in-process.js';

// What a user sees: `cog build` (and `cog debug`) in a project whose cog.yaml is broken exits 1
// with the located message, and no stack. The config is checked before the engine is asked for.
const invalidDir = path.join(fixturesDir, 'configs', 'invalid');
const fixtures = readdirSync(invalidDir).sort();

describe('cog build on a broken cog.yaml', () => {
  it.each(fixtures)('%s: exit 1 with its message', async (name) => {
    const dir = path.join(invalidDir, name);
    const expected = readFileSync(path.join(dir, 'expected.txt'), 'utf8').split('\n').filter(Boolean);
    const { code, err: stderr } = await runCogInProcess(['build'], dir);
    expect(code).toBe(ExitCode.userError);
    expect(stderr).toMatch(/^error: cog\.yaml is invalid/);
    for (const line of expected) expect(stderr).toContain(line);
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('cog debug reports the same', async () => {
    const dir = path.join(invalidDir, 'python-version-too-old');
    const { code, err: stderr } = await runCogInProcess(['debug', '--json'], dir);
    expect(code).toBe(ExitCode.userError);
    expect(stderr).toContain('cog.yaml:2:19: invalid build.python_version "3.8": minimum supported Python version is 3.10\n    hint: e.g. python_version: "3.13"');
  });
});

describe('a cog.yaml with build: and no predictor', () => {
  it.each([['build'], ['push', 'registry.example.com/acme/m']])('cog %s refuses it in upstream words, before the engine', async (...argv) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cogpack-no-predictor-'));
    writeFileSync(path.join(dir, 'cog.yaml'), 'build:\n  python_version: "3.12"\n');
    const { code, err: stderr } = await runCogInProcess(argv, dir);
    expect(code).toBe(ExitCode.userError);
    expect(stderr).toContain('error: no predict or train reference found in cog.yaml\nhint: add run: "run.py:Runner"');
  });
});
