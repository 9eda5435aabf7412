import { describe, expect, it } from 'vitest';
import { longFlag } from '../../../src/commands/options.js';
import { commands } from '../../../src/commands/table.js';
import { ExitCode } from '../../../src/errors.js';
import type { ValueKind } from '../../../src/settings/values.js';
import { variables } from '../../../src/settings/variables.js';
import { runCogInProcess as run } from '../../support/cli-in-process.js';

// Every option that takes a number, a size, a duration or one of a set of words, of every
// command, given values its kind refuses: a usage error (exit 2) that names the flag, the value
// and what is allowed, before anything else happens (in /nonexistent, a value that got through
// would end in "cog.yaml not found", exit 1). The bad values come from each option's declaration,
// so an option added later is covered without touching this file.

/** Values a kind refuses: not a number at all, each side of its range, the wrong form. */
function badValues(kind: ValueKind<unknown>): string[] {
  const { min = 0, max = 0, whole = false } = kind.range ?? {};
  switch (kind.name) {
    case 'count':
      return ['abc', '1.5', '-1', String(min - 1), String(max + 1), ''];
    case 'size':
      return ['lots', '12 parsecs', '-1', `${max + 1}`, ...(min > 0 ? ['0'] : [])];
    case 'seconds':
      return ['abc', '-5', '1e3', String(max + 1), ...(min > 0 ? ['0'] : []), ...(whole ? ['1.5'] : [])];
    case 'choice':
    case 'bool':
      return ['bogus', ''];
    case 'custom':
      return ['not:a:value!'];
    case 'list':
      return kind.item && kind.item.name !== 'text' ? badValues(kind.item) : [];
    default:
      return [];
  }
}

/** `cog exec` needs a command after its options. */
const trailing = (command: string) => (command === 'exec' ? ['ls'] : []);

const cases = commands.flatMap((command) =>
  Object.values(command.options)
    .filter((spec) => spec.flags !== undefined)
    .flatMap((spec) => badValues(spec.kind).map((value) => [command.name, longFlag(spec.flags!), value] as const)),
);

describe('a bad value of a flag is a usage error naming the flag, the value and what is allowed', () => {
  it('covers every command that has such a flag', () => {
    expect(new Set(cases.map(([command]) => command))).toEqual(new Set(['build', 'run', 'predict', 'serve', 'exec', 'train', 'push', 'debug']));
    expect(cases.length).toBeGreaterThan(60);
  });

  it.each(cases)('cog %s %s=%j', async (command, flag, value) => {
    // `--flag=value`, so a value such as `-5` is not taken for an option.
    const { code, err } = await run([command, `${flag}=${value}`, ...trailing(command)]);
    expect(code, err).toBe(ExitCode.usage);
    // (`cog train` says it is deprecated first, as upstream does.)
    expect(err).toMatch(new RegExp(`(^|\\n)error: ${flag} takes .+, not ${escape(JSON.stringify(value))}\\n$`));
    expect(err).not.toMatch(/\n\s+at /);
  });
});

describe('the values the issue found accepted silently, or crashing', () => {
  it.each([
    [['--concurrency', 'abc'], '--concurrency takes a whole number from 1 to 256, not "abc"'],
    [['--chunk-size', '0'], '--chunk-size takes a size from 1 byte to 4GiB (96MiB, 16M or bytes), not "0"'],
    [['--chunk-size', 'lots'], '--chunk-size takes a size from 1 byte to 4GiB (96MiB, 16M or bytes), not "lots"'],
    [['--compression-level', '42'], '--compression-level takes a whole number from 1 to 9, not "42"'],
    [['--request-timeout', 'abc'], '--request-timeout takes a number of seconds from 0.001 to 2147483, not "abc"'],
    [['--request-timeout', '-5'], '--request-timeout takes a number of seconds from 0.001 to 2147483, not "-5"'],
  ])('cog push %j', async (argv, message) => {
    expect(await run(['push', ...argv])).toMatchObject({ code: ExitCode.usage, err: `error: ${message}\n` });
  });
});

describe('good values get through (and the command goes on to look for cog.yaml)', () => {
  it.each([
    ['push', '--chunk-size', '96MiB'],
    ['push', '--chunk-size', '16M'],
    ['push', '--chunk-size', '1048576'],
    ['push', '--request-timeout', '0.5'],
    ['push', '--compression-level', '9'],
    ['push', '--layer-source', 'storage'],
    ['build', '--weights-threshold', '1GiB'],
    ['build', '--use-cuda-base-image', 'FALSE'],
    ['build', '--use-cog-base-image'],
    ['run', '--setup-timeout', '0'],
    ['serve', '-p', '65535'],
    ['run', '--gpus', 'device=0,1'],
  ])('cog %s %s %s', async (...argv) => {
    const { code, err } = await run(argv);
    expect(code, err).toBe(ExitCode.userError);
    expect(err).toContain('cog.yaml not found');
  });
});

describe('a variable that stands in for a flag goes through the flag\'s kind', () => {
  const mirrored = commands.flatMap((command) =>
    Object.values(command.options).flatMap((spec) => (spec.env ? [[command.name, spec.env, spec] as const] : [])),
  );

  it.each(mirrored.filter(([, name]) => !('whenInvalid' in variables[name])).flatMap(([command, name, spec]) => badValues(spec.kind).filter((v) => v !== '').map((value) => [command, name, value] as const)))(
    'cog %s with %s=%j: a usage error naming the variable',
    async (command, name, value) => {
      const { code, err } = await run([command, ...trailing(command)], '/nonexistent', { [name]: value });
      expect(code, err).toBe(ExitCode.usage);
      expect(err).toBe(`error: ${name} takes ${variables[name].kind.expects}, not ${JSON.stringify(value)}\n`);
    },
  );

  it.each(mirrored.filter(([, name]) => 'whenInvalid' in variables[name]))('cog %s with a bad %s: ignored, as upstream ignores it, and said with --debug', async (command, name) => {
    const { code, err } = await run([command, '--debug', ...trailing(command)], '/nonexistent', { [name]: 'bogus' });
    expect(code, err).toBe(ExitCode.userError);
    expect(err).toContain(`${name}=bogus ignored: not ${variables[name].kind.expects}`);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
