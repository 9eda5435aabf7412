import { UnavailableError, UserError } from '../errors.js';
import { createDockerCli, type DockerCli } from '../docker/process.js';
import { processEnv, readEnv, type Env } from '../settings/env.js';

/**
 * How BuildKit is reached (architecture.md, "Engines"):
 * - `buildx`: `docker buildx build`, on the default builder or a named one (remote drivers too);
 * - `classic`: a Docker CLI older than 23 that runs BuildKit builds itself (`DOCKER_BUILDKIT=1`);
 * - `buildkitd`: a BuildKit daemon reached directly with `buildctl` (`BUILDKIT_HOST`,
 *   `--buildkit-host`), on another machine as often as not: it sees no local engine's images.
 */
export type BuildRoute =
  | { kind: 'buildx'; builder: string | undefined; buildxVersion: string }
  | { kind: 'classic'; clientVersion: string }
  | BuildkitdRoute;

export interface BuildkitdRoute {
  kind: 'buildkitd';
  /** `tcp://host:port` or `unix:///path`. */
  address: string;
  /** Mutual TLS, as buildctl takes it. */
  tls: BuildkitTls | undefined;
  /** Runs buildctl (`COG_BUILDCTL`, else `buildctl` on PATH). */
  buildctl: DockerCli;
  /** buildctl's version line. */
  buildctlVersion: string;
  /** Where the address came from, for --debug and cog doctor. */
  from: '--buildkit-host' | 'BUILDKIT_HOST';
}

/** buildctl's TLS options: a directory with ca.pem, cert.pem and key.pem (as `buildctl --tlsdir`), and the name to expect. */
export interface BuildkitTls {
  dir: string;
  serverName?: string | undefined;
}

/** The buildctl flags that reach a daemon: its address, and TLS when asked. */
export function buildctlConnection(route: Pick<BuildkitdRoute, 'address' | 'tls'>): string[] {
  const tls = route.tls;
  return [
    '--addr', route.address,
    ...(tls ? ['--tlscacert', `${tls.dir}/ca.pem`, '--tlscert', `${tls.dir}/cert.pem`, '--tlskey', `${tls.dir}/key.pem`] : []),
    ...(tls?.serverName ? ['--tlsservername', tls.serverName] : []),
  ];
}

/** buildctl, and the daemon answering it; else what is missing and what to do. */
async function connectBuildkitd(address: string, from: BuildkitdRoute['from'], tls: BuildkitTls | undefined, buildctl: DockerCli): Promise<BuildkitdRoute> {
  if (!/^(tcp|unix):\/\//.test(address)) {
    throw new UserError(`${from} ${address} is not a BuildKit address`, { hint: 'use tcp://HOST:PORT or unix:///PATH, as buildctl takes them', exitCode: 2 });
  }
  const version = await buildctl.run(['--version']).catch((error: unknown) => error as Error);
  if (version instanceof Error || version.exitCode !== 0) {
    throw new UnavailableError(`a BuildKit daemon is named (${from} ${address}), but buildctl cannot be run (${buildctl.binary})`, {
      hint: 'install buildctl (the BuildKit client: github.com/moby/buildkit/cmd/buildctl), or set COG_BUILDCTL to its path',
    });
  }
  const route: BuildkitdRoute = { kind: 'buildkitd', address, tls, buildctl, buildctlVersion: version.stdout.trim().split(/\s+/).slice(0, 3).join(' '), from };
  const workers = await buildctl.run([...buildctlConnection(route), 'debug', 'workers']);
  if (workers.exitCode !== 0) {
    const why = workers.stderrTail.filter((line) => line.trim()).at(-1)?.replace(/^error: /, '') ?? 'no answer';
    const tlsProblem = /certificate|tls|x509|handshake/i.test(why);
    throw new UnavailableError(`cannot reach the BuildKit daemon at ${address} (${from}): ${why}`, {
      hint: tlsProblem
        ? 'check --buildkit-tls-dir (ca.pem, cert.pem, key.pem) and --buildkit-server-name against the daemon\'s certificate'
        : 'start buildkitd there, or fix the address; `buildctl --addr ADDRESS debug workers` should answer',
    });
  }
  return route;
}

/** The Docker CLI major version from which `docker build` needs the buildx plugin. */
const firstClientWithoutBuiltinBuildkit = 23;

export function describeRoute(route: BuildRoute): string {
  if (route.kind === 'buildkitd') {
    return `BuildKit daemon at ${route.address} (${route.from}${route.tls ? ', mutual TLS' : ''}), through ${route.buildctlVersion}`;
  }
  return route.kind === 'buildx'
    ? `docker buildx build (${route.buildxVersion}${route.builder ? `, builder ${route.builder}` : ''})`
    : `classic BuildKit builder of docker CLI ${route.clientVersion} (DOCKER_BUILDKIT=1)`;
}

export interface DetectRouteOptions {
  /** A named buildx builder (`--builder`); forces the buildx route. */
  builder?: string | undefined;
  /** A BuildKit daemon (`--buildkit-host`); default `BUILDKIT_HOST`. Forces the buildkitd route. */
  buildkitHost?: string | undefined;
  /** TLS for the BuildKit daemon. */
  buildkitTls?: BuildkitTls | undefined;
  /** Where BUILDKIT_HOST and COG_BUILDCTL are read. Default the process's environment. */
  env?: Env;
  /** buildctl, as a process; default `COG_BUILDCTL`, else `buildctl` on PATH (tests give a fake). */
  buildctl?: DockerCli;
}

/**
 * Picks the route: a BuildKit daemon when one is named (flag, then BUILDKIT_HOST), else the first
 * that works through the docker CLI, preferring buildx; fails with how to get one.
 */
export async function detectRoute(docker: DockerCli, options: DetectRouteOptions = {}): Promise<BuildRoute> {
  const env = options.env ?? processEnv();
  const host = options.buildkitHost ?? readEnv('BUILDKIT_HOST', env);
  if (host) {
    if (options.builder) throw new UserError(`--builder ${options.builder} and a BuildKit host (${host}) name two builders`, { hint: 'give one of them', exitCode: 2 });
    return connectBuildkitd(host, options.buildkitHost ? '--buildkit-host' : 'BUILDKIT_HOST', options.buildkitTls, options.buildctl ?? createDockerCli(readEnv('COG_BUILDCTL', env)));
  }
  const buildx = await docker.run(['buildx', 'version']);
  if (buildx.exitCode === 0) {
    return { kind: 'buildx', builder: options.builder, buildxVersion: buildx.stdout.trim().split(/\s+/).slice(0, 2).join(' ') };
  }
  if (options.builder) {
    throw new UnavailableError(`--builder ${options.builder} needs the buildx plugin, which ${docker.binary} does not have`, {
      hint: 'install docker-buildx (or the buildx plugin into ~/.docker/cli-plugins)',
    });
  }
  const client = await docker.run(['version', '--format', '{{.Client.Version}}']);
  const clientVersion = client.stdout.trim();
  const major = Number.parseInt(clientVersion, 10);
  if (Number.isInteger(major) && major < firstClientWithoutBuiltinBuildkit) {
    return { kind: 'classic', clientVersion };
  }
  throw new UnavailableError(
    `no BuildKit route: the docker CLI at ${docker.binary} (${clientVersion || 'unknown version'}) has no buildx plugin, and since Docker 23 builds need it`,
    {
      hint: 'install the buildx plugin (package docker-buildx-plugin or docker-buildx), or set COG_DOCKER to a docker CLI that can build with BuildKit (e.g. Debian\'s /usr/bin/docker 20.10)',
    },
  );
}
