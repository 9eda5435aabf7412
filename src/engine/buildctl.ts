import path from 'node:path';
import type { Readable } from 'node:stream';
import { CancelledError, UserError } from '../errors.js';
import type { BuildRequest } from './argv.js';
import { parseBuildFailure } from './failure.js';
import { buildctlConnection, type BuildkitdRoute } from './route.js';

/**
 * Builds on a BuildKit daemon with buildctl, the BuildKit project's own client: the Dockerfile
 * frontend built into the daemon (no `# syntax=` image to pull), the project and the Dockerfile's
 * directory as local contexts (the Dockerfile's own `<name>.dockerignore` applies), named contexts
 * for files that must not be in the main one (the weights), and where the result goes.
 */

/** Where a daemon's build goes: nowhere but its cache, the local engine (`docker load`), an OCI archive on stdout, or a directory. */
export type BuildctlOutput = { kind: 'cache-only' } | { kind: 'docker'; name: string } | { kind: 'oci' } | { kind: 'local'; dest: string };

export interface BuildctlRequest extends Omit<BuildRequest, 'tag'> {
  /** Directories the Dockerfile reaches as `COPY --from=NAME` (named contexts). */
  namedContexts?: Record<string, string>;
  /** The stage to build. Default: the last. */
  target?: string;
  output: BuildctlOutput;
}

/** The buildctl argv for a build: a pure function, tested by table. */
export function buildctlArgv(route: Pick<BuildkitdRoute, 'address' | 'tls'>, request: BuildctlRequest): string[] {
  const named = Object.entries(request.namedContexts ?? {});
  return [
    ...buildctlConnection(route),
    'build',
    '--frontend', 'dockerfile.v0',
    '--local', `context=${request.contextDir}`,
    '--local', `dockerfile=${path.dirname(request.dockerfile)}`,
    '--opt', `filename=${path.basename(request.dockerfile)}`,
    // Always plain: cogpack reads the step log to explain failures and draws its own progress.
    '--progress', 'plain',
    ...(request.target ? ['--opt', `target=${request.target}`] : []),
    ...(request.noCache ? ['--no-cache'] : []),
    ...(request.secrets ?? []).flatMap((secret) => ['--secret', secret]),
    ...Object.entries(request.labels ?? {}).flatMap(([key, value]) => ['--opt', `label:${key}=${value}`]),
    ...named.flatMap(([name, dir]) => ['--local', `${name}=${dir}`, '--opt', `context:${name}=local:${name}`]),
    ...(request.cacheTo ?? []).flatMap((spec) => ['--export-cache', spec]),
    ...(request.cacheFrom ?? []).flatMap((spec) => ['--import-cache', spec]),
    ...outputArgv(request.output),
  ];
}

function outputArgv(output: BuildctlOutput): string[] {
  switch (output.kind) {
    case 'cache-only':
      return [];
    case 'docker':
      return ['--output', `type=docker,name=${output.name},dest=-`];
    case 'oci':
      // Layers as they are: a base layer pulled compressed stays so (pushed as is), the layers
      // built here come uncompressed and cogpack's uploader compresses them, on every core.
      return ['--output', 'type=oci,dest=-,compression=uncompressed'];
    case 'local':
      return ['--output', `type=local,dest=${output.dest}`];
  }
}

export interface RunBuildctlOptions {
  onProgress?: (line: string) => void;
  /** The build's stdout (the archive of a `docker` or `oci` output), read while the build runs. */
  onOutput?: (stdout: Readable) => Promise<void>;
  signal?: AbortSignal;
}

/** Progress lines kept to explain a failure. */
const keptProgressLines = 2000;

/** Runs one build on the daemon; on failure throws a UserError naming the failing step and its log tail. */
export async function runBuildctl(route: BuildkitdRoute, request: BuildctlRequest, options: RunBuildctlOptions = {}): Promise<void> {
  const argv = buildctlArgv(route, request);
  const kept: string[] = [];
  const onStderrLine = (line: string): void => {
    kept.push(line);
    if (kept.length > keptProgressLines) kept.shift();
    options.onProgress?.(line);
  };
  let exitCode: number;
  if (options.onOutput) {
    const build = await route.buildctl.stream(argv, { signal: options.signal, onStderrLine });
    const consumed = options.onOutput(build.stdout).catch((error: unknown) => {
      build.kill();
      throw error;
    });
    const [result] = await Promise.all([build.exited, consumed]);
    exitCode = result.exitCode;
  } else {
    exitCode = (await route.buildctl.run(argv, { signal: options.signal, onStderrLine })).exitCode;
  }
  if (exitCode === 0) return;
  if (options.signal?.aborted) throw new CancelledError('build cancelled: an image of that name, if any, is unchanged');
  const failure = parseBuildFailure(kept);
  const where = failure.step ? `failed at ${failure.step}` : 'failed';
  const log = failure.logTail.length ? `\n${failure.logTail.map((l) => `  | ${l}`).join('\n')}` : '';
  const summary = failure.summary ?? kept.filter((line) => line.trim()).at(-1);
  throw new UserError(`build on the BuildKit daemon at ${route.address} ${where}${log}${summary ? `\n${summary}` : ''}`, {
    hint: 'fix the step above; run with --progress plain to see the whole build log',
  });
}
