import { describe, expect, it } from 'vitest';
import { option, parseOptions, type OptionSpecs } from '../../../src/commands/options.js';
import { pushCommand } from '../../../src/commands/push.js';
import { ExitCode, UsageError } from '../../../src/errors.js';
import { count, list, listOf, custom, size } from '../../../src/settings/values.js';
import { runCogInProcess as run } from '../../support/cli-in-process.js';

/** What commander would hand over: `cli` names the values that came from the command line. */
const given = (values: Record<string, unknown>, cli: string[] = Object.keys(values)) => ({ values, fromCommandLine: (key: string) => cli.includes(key) });

describe('parseOptions: a flag, else its variable, else the variable\'s default', () => {
  const specs = {
    concurrency: option({ flags: '--concurrency <n>', description: 'n', kind: count({ min: 1, max: 256 }), env: 'COG_PUSH_CONCURRENCY' }),
    chunkSize: option({ flags: '--chunk-size <size>', description: 's', kind: size({ min: 1, max: 4 * 1024 ** 3 }), env: 'COG_PUSH_DEFAULT_CHUNK_SIZE' }),
    level: option({ flags: '--compression-level <n>', description: 'l', kind: count({ min: 1, max: 9 }) }),
    threshold: option({ kind: size({ min: 0, max: 4 * 1024 ** 3 }), env: 'COG_PUSH_MULTIPART_THRESHOLD' }),
  } satisfies OptionSpecs;

  it('reads each value by its kind, into a typed object', async () => {
    const { options, sources } = await parseOptions(specs, given({ concurrency: '5', chunkSize: '16M', level: '9' }), {});
    expect(options).toEqual({ concurrency: 5, chunkSize: 16_000_000, level: 9, threshold: 1024 * 1024 });
    expect(sources).toEqual(['concurrency 5 (from --concurrency)', 'chunk size 16M (from --chunk-size)']);
  });

  it('takes the variable when the flag is not given, and says so for --debug', async () => {
    const env = { COG_PUSH_CONCURRENCY: '2', COG_PUSH_DEFAULT_CHUNK_SIZE: '8388608', COG_PUSH_MULTIPART_THRESHOLD: '2MiB' };
    const { options, sources } = await parseOptions(specs, given({}), env);
    expect(options).toEqual({ concurrency: 2, chunkSize: 8 * 1024 * 1024, level: undefined, threshold: 2 * 1024 * 1024 });
    expect(sources).toEqual([
      'concurrency 2 (from COG_PUSH_CONCURRENCY)',
      'chunk size 8388608 (from COG_PUSH_DEFAULT_CHUNK_SIZE)',
      'threshold 2MiB (from COG_PUSH_MULTIPART_THRESHOLD)',
    ]);
  });

  it('a flag wins over its variable; an empty variable is unset', async () => {
    const { options } = await parseOptions(specs, given({ concurrency: '7' }), { COG_PUSH_CONCURRENCY: '2', COG_PUSH_DEFAULT_CHUNK_SIZE: '' });
    expect(options).toMatchObject({ concurrency: 7, chunkSize: 96 * 1024 * 1024 });
  });

  it('ignores a COG_PUSH_CONCURRENCY its kind refuses, as upstream does, and says so', async () => {
    const { options, sources } = await parseOptions(specs, given({}), { COG_PUSH_CONCURRENCY: '0' });
    expect(options.concurrency).toBe(3);
    expect(sources).toEqual(['COG_PUSH_CONCURRENCY=0 ignored: not a whole number from 1 to 256']);
  });

  it('a bad variable of a flag is a usage error naming the variable', async () => {
    const error = await parseOptions(specs, given({}), { COG_PUSH_DEFAULT_CHUNK_SIZE: 'lots' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).message).toBe('COG_PUSH_DEFAULT_CHUNK_SIZE takes a size from 1 byte to 4GiB (96MiB, 16M or bytes), not "lots"');
  });

  it('lists every bad value at once', async () => {
    const error = await parseOptions(specs, given({ chunkSize: '0', level: '42' }), {}).catch((e: unknown) => e);
    expect((error as UsageError).message).toBe(
      [
        '2 bad values:',
        '  --chunk-size takes a size from 1 byte to 4GiB (96MiB, 16M or bytes), not "0"',
        '  --compression-level takes a whole number from 1 to 9, not "42"',
      ].join('\n'),
    );
  });

  it('names the one value of a repeated flag that is wrong', async () => {
    const specs = { port: option({ flags: '-p, --port <p>', description: 'p', repeatable: true, kind: listOf(count({ min: 1, max: 65535 })) }) };
    await expect(parseOptions(specs, given({ port: ['80', 'x', '443'] }), {})).rejects.toThrow('--port takes a whole number from 1 to 65535, not "x"');
    expect((await parseOptions(specs, given({ port: ['80', '443'] }), {})).options.port).toEqual([80, 443]);
    const names = { name: option({ flags: '-n <name>', description: 'n', repeatable: true, kind: list() }) };
    expect((await parseOptions(names, given({ name: ['a', 'b'] }), {})).options.name).toEqual(['a', 'b']);
  });

  it('a custom kind reads with its own parser', async () => {
    const specs = { even: option({ flags: '--even <n>', description: 'e', kind: custom('an even number', (t) => (Number(t) % 2 === 0 ? Number(t) : undefined)) }) };
    expect((await parseOptions(specs, given({ even: '4' }), {})).options.even).toBe(4);
    await expect(parseOptions(specs, given({ even: '3' }), {})).rejects.toThrow('--even takes an even number, not "3"');
  });
});

describe('cog push --debug: where each setting came from', () => {
  it('the flag, cogpack\'s variable, upstream\'s; the cache dir; COG_PUSH_OCI accepted', async () => {
    const env = {
      COG_PUSH_CONCURRENCY: '2',
      COG_PUSH_DEFAULT_CHUNK_SIZE: '8388608',
      COG_PUSH_MULTIPART_THRESHOLD: '2097152',
      COG_PUSH_OCI: '1',
      COGPACK_CACHE_DIR: '/mine',
      COG_CACHE_DIR: '/theirs',
    };
    const { code, err } = await run(['push', '--debug', '--chunk-size', '4MiB', '--layer-source', 'export'], '/nonexistent', env);
    // The settings are read before cog.yaml is looked for.
    expect(code).toBe(ExitCode.userError);
    expect(err).toContain('cog.yaml not found');
    for (const line of [
      'chunk size 4MiB (from --chunk-size)',
      'concurrency 2 (from COG_PUSH_CONCURRENCY)',
      'layer source export (from --layer-source)',
      'multipart threshold 2097152 (from COG_PUSH_MULTIPART_THRESHOLD)',
      'COG_PUSH_OCI=1 accepted: cogpack always pushes with its own chunked uploader',
      'cache dir /mine (from COGPACK_CACHE_DIR)',
    ]) {
      expect(err).toContain(line);
    }
  });

  it('declares COG_PUSH_MULTIPART_THRESHOLD as a setting without a flag, kept out of --help', () => {
    expect('flags' in pushCommand.options.multipartThreshold).toBe(false);
  });
});
