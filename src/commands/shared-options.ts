import { isGpuSpec, type PortMapping } from '../predict/container.js';
import { bool, custom, list, listOf, switchFlag, text } from '../settings/values.js';
import { settingKinds } from '../settings/variables.js';
import type { BaseImageFlags } from '../workflows/plan.js';
import { option } from './options.js';

/** Options several commands take, declared once so their flags, kinds and help read the same everywhere. */

export const configFileOption = option({ flags: '-f, --file <path>', description: 'the name of the config file', kind: text(), defaultValue: 'cog.yaml' });

const progressFlags = { flags: '--progress <mode>', kind: settingKinds.progress, listChoices: true } as const;

/**
 * `--progress`: how a build is shown, one kind everywhere, with BUILDKIT_PROGRESS standing in for
 * it; the help wording is each command's.
 */
export function progressOption(description = 'build output: auto, plain, tty, quiet or json (default: $BUILDKIT_PROGRESS, else auto)') {
  return option({ ...progressFlags, description, env: 'BUILDKIT_PROGRESS' });
}

/** `cog push --progress`: the same flag without the variable (a push shows its build quietly with --json, as it always did). */
export const pushProgressOption = option({ ...progressFlags, description: 'build output: auto, plain, tty, quiet or json' });

export const gpusOption = option({
  flags: '--gpus <spec>',
  description: 'GPUs for the container: all, a number, or device=0,1 (default: all when cog.yaml has build.gpu: true)',
  // Empty is upstream's "not given".
  kind: custom('all, a number of GPUs, or device=0,1', (value) => (value === '' || isGpuSpec(value) ? value : undefined)),
});

export const noCacheOption = option({ flags: '--no-cache', description: 'do not use the build cache', kind: switchFlag() });

export const secretOption = option({
  flags: '--secret <spec>',
  description: 'a build secret: id=NAME,src=FILE or id=NAME,env=VAR (repeatable)',
  kind: list(),
  repeatable: true,
});

export const separateWeightsOption = option({
  flags: '--separate-weights',
  description: 'keep weights out of the code layer (always on in cogpack; accepted for compatibility)',
  kind: switchFlag(),
});

export const jsonResultOption = option({ flags: '--json', description: 'print the result as one JSON object on stdout (docs/cli-json.md)', kind: switchFlag() });

export const containerEnvOption = option({ flags: '-e, --env <name=value>', description: 'an environment variable for the container (repeatable)', kind: list(), repeatable: true });

/** The base-image flags of `cog build`, `cog debug` and the run commands. Upstream accepts each once. */
export const baseImageOptions = {
  useCogBaseImage: option({
    flags: '--use-cog-base-image [bool]',
    description: 'use a pre-built Cog base image (default: when one exists for this configuration)',
    kind: bool(),
  }),
  useCudaBaseImage: option({
    flags: '--use-cuda-base-image <value>',
    description: 'use an nvidia/cuda base image for GPU models: auto, true or false',
    kind: custom('auto, true or false', (value): boolean | 'auto' | undefined => (value.trim().toLowerCase() === 'auto' ? 'auto' : bool().read(value))),
    defaultValue: 'auto',
  }),
};

/** The parsed base-image flags as the planner takes them: undefined is "auto". */
export function baseImageFlags(options: { useCogBaseImage?: boolean | undefined; useCudaBaseImage: boolean | 'auto' }): BaseImageFlags {
  return { useCogBaseImage: options.useCogBaseImage, useCudaBaseImage: options.useCudaBaseImage === 'auto' ? undefined : options.useCudaBaseImage };
}

/** `-p 8888`, `-p 0.0.0.0:8888`, `-p [::1]:8888`: the host port maps to the same port in the container. */
export function readPortMapping(value: string): PortMapping | undefined {
  const match = /^(?:(\[[0-9A-Fa-f:.]+\]|[^:[\]]+):)?(\d+)$/.exec(value);
  const port = match ? Number(match[2]) : NaN;
  if (!match || !Number.isInteger(port) || port < 1 || port > 65535) return undefined;
  const host = match[1]?.replace(/^\[|\]$/g, '') ?? '127.0.0.1';
  return { hostIp: host, hostPort: port, containerPort: port };
}

/** `-p/--publish` of `cog exec`, read as a port mapping. */
export const publishOption = option({
  flags: '-p, --publish <port>',
  description: 'publish a port: PORT or HOST:PORT, the same port inside (repeatable)',
  kind: listOf(custom('PORT or HOST:PORT with a port from 1 to 65535', readPortMapping)),
  repeatable: true,
});

/** Where BuildKit runs and what cache it shares: `cog build` and `cog push` (which builds first). */
export const remoteBuilderOptions = {
  buildkitHost: option({
    flags: '--buildkit-host <address>',
    description: 'build on this BuildKit daemon (tcp://HOST:PORT or unix:///PATH) through buildctl (default: $BUILDKIT_HOST)',
    kind: text('a BuildKit address'),
  }),
  buildkitTlsDir: option({
    flags: '--buildkit-tls-dir <dir>',
    description: "the daemon's mutual TLS: a directory with ca.pem, cert.pem and key.pem, as buildctl --tlsdir takes it",
    kind: text('a directory'),
  }),
  buildkitServerName: option({ flags: '--buildkit-server-name <name>', description: "the name to expect in the daemon's certificate", kind: text('a host name') }),
  cacheTo: option({
    flags: '--cache-to <spec>',
    description: 'export the build cache: type=registry,ref=REF[,mode=max], type=local,dest=DIR or type=inline (repeatable)',
    kind: list(),
    repeatable: true,
  }),
  cacheFrom: option({
    flags: '--cache-from <spec>',
    description: 'import a build cache: type=registry,ref=REF or type=local,src=DIR (repeatable)',
    kind: list(),
    repeatable: true,
  }),
};

/** The build options `remoteBuilderOptions` gives, as buildModel takes them. */
export function remoteBuilderFlags(options: {
  buildkitHost?: string | undefined;
  buildkitTlsDir?: string | undefined;
  buildkitServerName?: string | undefined;
  cacheTo?: string[] | undefined;
  cacheFrom?: string[] | undefined;
}) {
  return {
    buildkitHost: options.buildkitHost,
    buildkitTls: options.buildkitTlsDir ? { dir: options.buildkitTlsDir, serverName: options.buildkitServerName } : undefined,
    cacheTo: options.cacheTo,
    cacheFrom: options.cacheFrom,
  };
}
