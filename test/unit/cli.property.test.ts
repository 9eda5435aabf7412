import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { commands } from '../../src/commands/table.js';
import { ExitCode } from '../../src/errors.js';
import { runCogInProcess } from '../support/cli-in-process.js';

// Random argv into the CLI's entry, in this process, with no engine: whatever the command line,
// cog answers with a result or an error of the user's kind (usage, not found, unavailable), never
// an internal error (exit 70, a stack trace). Each run gets an empty directory of its own (so
// `cog init` may write there and no cog.yaml is ever found) and an environment whose docker CLI
// does not exist (so a command that gets as far as the engine stops there, at once).
//
// Left out, because they reach a registry or wait on a terminal whatever else the argv says:
// `cog login` (it has no flag with a value to check), and `cog push --no-build IMAGE` (a push of
// a local image goes to the registry first). Their flags are still parsed in the table-driven test.

const scratch = mkdtempSync(path.join(tmpdir(), 'cogpack-argv-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const commandNames = commands.map((c) => c.name).filter((name) => name !== 'login');
const flagsOf = (name: string) =>
  Object.values((commands.find((c) => c.name === name)?.options ?? {})).flatMap((spec) => spec.flags?.match(/-{1,2}[\w-]+/g) ?? []);
const allFlags = [...new Set(commandNames.flatMap(flagsOf)), '--debug', '--help', '--version'];

/** Values that look like what the flags take, and values that do not. */
const value = fc.oneof(
  fc.constantFrom('0', '1', '-1', '3', '9', '42', '65536', '1.5', '-5', '1e400', '99999999999999999999', '', ' ', 'abc', '16M', '96MiB', '4GiB', '5TiB', 'auto', 'true', 'no', 'gzip', 'storage', 'all', 'device=0,1', '8080', '0.0.0.0:80', 'a=b', '@x', '-', 'NaN', 'Infinity'),
  fc.string({ maxLength: 12 }),
  fc.integer().map(String),
  fc.double().map(String),
);

/** Mostly the command's own flags (alone, with a value after them, or as `--flag=value`), some of others'. */
const tokenFor = (flags: string[]) =>
  fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...flags) },
    { weight: 3, arbitrary: fc.tuple(fc.constantFrom(...flags), value).map(([flag, v]) => `${flag}=${v}`) },
    { weight: 3, arbitrary: value },
    { weight: 1, arbitrary: fc.constantFrom(...allFlags, '--no-such-flag', '-x', '--', 'x=1', 'image:tag', 'UPPER/Case') },
  );

const argv = fc.oneof(
  { weight: 9, arbitrary: fc.constantFrom(...commandNames).chain((command) => fc.array(tokenFor([...flagsOf(command), '--debug']), { maxLength: 8 }).map((rest) => [command, ...rest])) },
  { weight: 1, arbitrary: fc.tuple(fc.string({ maxLength: 6 }), fc.array(tokenFor(allFlags), { maxLength: 4 })).map(([command, rest]) => [command, ...rest]) },
);

/** A local image pushed as it is: the registry is asked first, whatever the argv. */
function pushesLocalImage(args: string[]): boolean {
  return args[0] === 'push' && args.includes('--no-build') && args.slice(1).some((arg) => !arg.startsWith('-'));
}

describe('cog <random argv> [in process, no engine]', () => {
  it('never ends in an internal error', async () => {
    await fc.assert(
      fc.asyncProperty(argv, async (args) => {
        fc.pre(args[0] !== 'login' && !pushesLocalImage(args));
        const cwd = mkdtempSync(path.join(scratch, 'run-'));
        const env = { COG_DOCKER: path.join(scratch, 'no-docker'), COGPACK_CACHE_DIR: path.join(cwd, '.cache'), HOME: cwd, DOCKER_CONFIG: path.join(cwd, '.docker') };
        const { code, err } = await runCogInProcess(args, cwd, env);
        expect(code, `cog ${args.join(' ')}\n${err}`).not.toBe(ExitCode.internal);
        expect(err).not.toContain('internal error');
      }),
      { numRuns: 300 },
    );
  });
});
