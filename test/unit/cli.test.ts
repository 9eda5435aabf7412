import { describe, expect, it } from 'vitest';
import { reportError } from '../../src/cli.js';
import { commands } from '../../src/commands/table.js';
import { ConfigError, ExitCode, UserError } from '../../src/errors.js';
import { runCogInProcess as run } from '../support/cli-in-process.js';

describe('cog CLI', () => {
  it('registers every command of the mission', () => {
    expect(commands.map((c) => c.name)).toEqual(['build', 'run', 'predict', 'serve', 'exec', 'train', 'push', 'login', 'init', 'doctor', 'debug']);
  });

  it('--help lists every command', async () => {
    const { code, out } = await run(['--help']);
    expect(code).toBe(ExitCode.ok);
    for (const command of commands) expect(out).toContain(command.name);
  });

  it('--version prints the package version', async () => {
    const { code, out } = await run(['--version']);
    expect(code).toBe(ExitCode.ok);
    expect(out).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('cog push without an image name or cog.yaml image says how to name one', async () => {
    const { code, err } = await run(['push']);
    expect(code).toBe(ExitCode.userError);
    expect(err).toContain('cog.yaml not found');
  });

  it('an unknown option is a usage error', async () => {
    const { code, err } = await run(['build', '--frobnicate']);
    expect(code).toBe(ExitCode.usage);
    expect(err).toContain("unknown option '--frobnicate'");
  });

  it('a missing cog.yaml is a user error without a stack', async () => {
    const { code, err } = await run(['build']);
    expect(code).toBe(ExitCode.userError);
    expect(err).toContain('error: cog.yaml not found in /nonexistent');
    expect(err).not.toMatch(/\n\s+at /);
  });
});

describe('reportError', () => {
  const capture = (error: unknown) => {
    let text = '';
    const code = reportError(error, false, (t) => (text += t));
    return { code, text };
  };

  it('prints message and hint of a user error', () => {
    expect(capture(new UserError('boom', { hint: 'do x' }))).toEqual({ code: 1, text: 'error: boom\nhint: do x\n' });
  });

  it('lists every config issue', () => {
    const { text } = capture(new ConfigError([
      { file: 'cog.yaml', line: 2, column: 3, path: 'build.gpu', message: 'build.gpu: must be a boolean' },
      { file: 'cog.yaml', line: 5, column: 1, path: 'run', message: 'invalid run "run.py": must be in the form \'run.py:Runner\'', hint: 'e.g. run: "run.py:Runner"' },
    ]));
    expect(text).toBe(
      [
        'error: cog.yaml is invalid (2 errors):',
        '  cog.yaml:2:3: build.gpu: must be a boolean',
        '  cog.yaml:5:1: invalid run "run.py": must be in the form \'run.py:Runner\'',
        '    hint: e.g. run: "run.py:Runner"',
        '',
      ].join('\n'),
    );
  });

  it('exits with the code a user error asks for', () => {
    expect(capture(new UserError('bad flag', { exitCode: ExitCode.usage })).code).toBe(ExitCode.usage);
  });

  it('prints the stack of a bug, redacted', () => {
    const { code, text } = capture(new Error('Authorization: Bearer abc123'));
    expect(code).toBe(ExitCode.internal);
    expect(text).toContain('internal error: Error: Authorization: Bearer [REDACTED]');
    expect(text).toContain('This is a bug in cogpack');
  });
});

describe('cog train (deprecated, as upstream)', () => {
  it('says so in upstream\'s words before anything else, even outside a project', async () => {
    const { code, err } = await run(['train', '-i', 'x=1']);
    expect(code).toBe(ExitCode.userError);
    expect(err.split('\n')[0]).toBe('warning Command "train" is deprecated, the train command will be removed in a future version of Cog');
    expect(err).toContain('error: cog.yaml not found');
  });

  it('says so before an option error too', async () => {
    const { err } = await run(['train', '--no-such-flag']);
    expect(err.split('\n')[0]).toContain('Command "train" is deprecated');
    expect(err).toContain("unknown option '--no-such-flag'");
  });
});
