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
  if (route.kind === 'buildx') {
    // --load: with a container or remote driver the image would otherwise stay in the builder.
    const builder = route.builder ? ['--builder', route.builder] : [];
    return { argv: ['buildx', 'build', ...builder, '--load', ...common], env: {} };
  }
  return { argv: ['build', ...common], env: { DOCKER_BUILDKIT: '1' } };
}
