import type { OptionSpec } from './define.js';

/**
 * Options several commands take, declared once so their flags and help read the same everywhere.
 * (The base-image flags and their parsing live in base-image-flags.ts.)
 */

export const configFileOption: OptionSpec = { flags: '-f, --file <path>', description: 'the name of the config file', defaultValue: 'cog.yaml' };

/** `--progress` for the dev build of run/serve/exec, as `cog build` takes it. */
export const progressOption: OptionSpec = {
  flags: '--progress <mode>',
  description: 'build output: auto, plain, tty, quiet or json (default: $BUILDKIT_PROGRESS, else auto)',
  choices: ['auto', 'plain', 'tty', 'quiet', 'json'],
};

export const gpusOption: OptionSpec = {
  flags: '--gpus <spec>',
  description: 'GPUs for the container: all, a number, or device=0,1 (default: all when cog.yaml has build.gpu: true)',
};

export const noCacheOption: OptionSpec = { flags: '--no-cache', description: 'do not use the build cache' };

export const secretOption: OptionSpec = {
  flags: '--secret <spec>',
  description: 'a build secret: id=NAME,src=FILE or id=NAME,env=VAR (repeatable)',
  repeatable: true,
};

export const separateWeightsOption: OptionSpec = {
  flags: '--separate-weights',
  description: 'keep weights out of the code layer (always on in cogpack; accepted for compatibility)',
};

export const jsonResultOption: OptionSpec = { flags: '--json', description: 'print the result as one JSON object on stdout (docs/cli-json.md)' };

/** Where BuildKit runs and what cache it shares: `cog build` and `cog push` (which builds first). */
export const remoteBuilderOptions: OptionSpec[] = [
  { flags: '--buildkit-host <address>', description: 'build on this BuildKit daemon (tcp://HOST:PORT or unix:///PATH) through buildctl (default: $BUILDKIT_HOST)' },
  { flags: '--buildkit-tls-dir <dir>', description: "the daemon's mutual TLS: a directory with ca.pem, cert.pem and key.pem, as buildctl --tlsdir takes it" },
  { flags: '--buildkit-server-name <name>', description: "the name to expect in the daemon's certificate" },
  { flags: '--cache-to <spec>', description: "export the build cache: type=registry,ref=REF[,mode=max], type=local,dest=DIR or type=inline (repeatable)", repeatable: true },
  { flags: '--cache-from <spec>', description: 'import a build cache: type=registry,ref=REF or type=local,src=DIR (repeatable)', repeatable: true },
];

/** The build options `remoteBuilderOptions` gives, as buildModel takes them. */
export function readRemoteBuilderFlags(options: Record<string, unknown>) {
  const tlsDir = options.buildkitTlsDir as string | undefined;
  return {
    buildkitHost: options.buildkitHost as string | undefined,
    buildkitTls: tlsDir ? { dir: tlsDir, serverName: options.buildkitServerName as string | undefined } : undefined,
    cacheTo: options.cacheTo as string[] | undefined,
    cacheFrom: options.cacheFrom as string[] | undefined,
  };
}
