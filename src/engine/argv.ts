import { UserError } from '../errors.js';
import type { BuildRoute } from './route.js';

/** BuildKit progress modes `cog build --progress` accepts. */
export type ProgressMode = 'auto' | 'plain' | 'tty' | 'quiet' | 'json';

export interface BuildRequest {
  /** The build context: the project directory. */
  contextDir: string;
  /** Path of the Dockerfile (inside the context, with its `<name>.dockerignore` beside it). */
  dockerfile: string;
  /** Final image name. */
  tag: string;
  noCache?: boolean;
  /** `--secret` values as given to docker (`id=x,src=path` / `id=x,env=VAR`). */
  secrets?: string[];
  /** `label:KEY=VALUE` pairs set on the image. */
  labels?: Record<string, string>;
  /** BuildKit's cache export (`type=registry,ref=…[,mode=max]`, `type=local,dest=…`, `type=inline`). */
  cacheTo?: string[];
  /** BuildKit's cache import (`type=registry,ref=…`, `type=local,src=…`). */
  cacheFrom?: string[];
}

export interface BuildCommand {
  argv: string[];
  env: Record<string, string>;
}

/** The docker argv for a build on a route: a pure function, tested by table. */
export function buildCommand(route: BuildRoute, request: BuildRequest): BuildCommand {
  const common = [
    // Always plain: cogpack reads the step log to explain failures and draws its own progress.
    '--progress',
    'plain',
    '--file',
    request.dockerfile,
    '--tag',
    request.tag,
    ...(request.noCache ? ['--no-cache'] : []),
    ...(request.secrets ?? []).flatMap((secret) => ['--secret', secret]),
    ...Object.entries(request.labels ?? {}).flatMap(([key, value]) => ['--label', `${key}=${value}`]),
    request.contextDir,
  ];
  if (route.kind === 'buildkitd') throw new Error('a BuildKit daemon builds through buildctl (buildctl.ts), not the docker CLI');
  if (route.kind === 'buildx') {
    // --load: with a container or remote driver the image would otherwise stay in the builder.
    const builder = route.builder ? ['--builder', route.builder] : [];
    const cache = [...(request.cacheTo ?? []).flatMap((spec) => ['--cache-to', spec]), ...(request.cacheFrom ?? []).flatMap((spec) => ['--cache-from', spec])];
    return { argv: ['buildx', 'build', ...builder, '--load', ...cache, ...common], env: {} };
  }
  if ((request.cacheTo?.length ?? 0) > 0 || (request.cacheFrom?.length ?? 0) > 0) {
    throw new UserError('--cache-to and --cache-from need BuildKit\'s own client: the classic builder of docker CLI ' + route.clientVersion + ' has neither', {
      hint: 'use a docker CLI with the buildx plugin (a builder of the docker-container or remote driver), or a BuildKit daemon (--buildkit-host / BUILDKIT_HOST)',
    });
  }
  return { argv: ['build', ...common], env: { DOCKER_BUILDKIT: '1' } };
}
