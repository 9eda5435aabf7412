import { describe, expect, it } from 'vitest';
import { ExitCode } from '../../../src/errors.js';
import { runCogInProcess as run } from '../../support/cli-in-process.js';

// The commands' argv handling, in-process: every case here fails before Docker is needed.

describe('cog run / predict / train / serve / exec argv', () => {
  it('cog run IMAGE refuses what looks like a forgotten -i', async () => {
    const { code, err } = await run(['run', 'prompt=hi']);
    expect(code).toBe(ExitCode.userError);
    expect(err).toContain("Invalid image name 'prompt=hi'. Did you forget `-i`?");
  });

  it('--json and -i do not mix', async () => {
    const { code, err } = await run(['run', '--json', '{}', '-i', 'a=1']);
    expect(code).toBe(ExitCode.userError);
    expect(err).toContain('Must use one of --json or --input to provide model inputs');
  });

  it('checks --gpus and --setup-timeout before anything runs: usage errors', async () => {
    expect(await run(['run', '--gpus', 'many'])).toMatchObject({ code: ExitCode.usage, err: 'error: --gpus takes all, a number of GPUs, or device=0,1, not "many"\n' });
    expect(await run(['run', '--setup-timeout', '-3'])).toMatchObject({ code: ExitCode.usage, err: expect.stringContaining('--setup-timeout takes a whole number of seconds') });
  });

  it('cog predict warns that it is deprecated, then behaves as cog run', async () => {
    const { err } = await run(['predict', '-i', 'a=1']);
    expect(err).toContain('"cog predict" is deprecated, use "cog run"');
    expect(err).toContain('cog.yaml not found in /nonexistent');
  });

  it('cog train is deprecated too', async () => {
    expect((await run(['train'])).err).toContain('Command "train" is deprecated');
  });

  it('cog exec passes the options after the command to the command', async () => {
    const { err } = await run(['exec', 'python', '-c', 'print(1)', '-e', 'x']);
    expect(err).not.toContain('unknown option');
    expect(err).toContain('cog.yaml not found');
  });

  it('cog exec needs a command; its own options come before it', async () => {
    expect((await run(['exec'])).code).toBe(ExitCode.usage);
    expect((await run(['exec', '-p', '8080', '-p', 'nope', 'ls'])).err).toContain('--publish takes PORT or HOST:PORT with a port from 1 to 65535, not "nope"');
  });

  it('--debug is still accepted after the command name', async () => {
    const { err } = await run(['run', '--debug', 'x=1']);
    expect(err).not.toContain('unknown option');
    expect(err).toContain('Did you forget `-i`?');
  });

  it('cog serve checks its port', async () => {
    expect((await run(['serve', '-p', 'http'])).err).toContain('--port takes a number');
  });
});
