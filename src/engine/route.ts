import { UnavailableError } from '../errors.js';
import type { DockerCli } from '../docker/process.js';

/**
 * How BuildKit is reached (architecture.md, "Engines"):
 * - `buildx`: `docker buildx build`, on the default builder or a named one (remote drivers too);
 * - `classic`: a Docker CLI older than 23 that runs BuildKit builds itself (`DOCKER_BUILDKIT=1`).
 */
export type BuildRoute =
  | { kind: 'buildx'; builder: string | undefined; buildxVersion: string }
  | { kind: 'classic'; clientVersion: string };

/** The Docker CLI major version from which `docker build` needs the buildx plugin. */
const firstClientWithoutBuiltinBuildkit = 23;

export function describeRoute(route: BuildRoute): string {
  return route.kind === 'buildx'
    ? `docker buildx build (${route.buildxVersion}${route.builder ? `, builder ${route.builder}` : ''})`
    : `classic BuildKit builder of docker CLI ${route.clientVersion} (DOCKER_BUILDKIT=1)`;
}

export interface DetectRouteOptions {
  /** A named buildx builder (`--builder`); forces the buildx route. */
  builder?: string | undefined;
}

/** Picks the first route that works, preferring buildx; fails with how to get one. */
export async function detectRoute(docker: DockerCli, options: DetectRouteOptions = {}): Promise<BuildRoute> {
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
