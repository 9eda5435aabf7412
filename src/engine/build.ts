import { CancelledError, UserError } from '../errors.js';
import type { DockerCli } from '../docker/process.js';
import { buildCommand, type BuildRequest } from './argv.js';
import { parseBuildFailure } from './failure.js';
import type { BuildRoute } from './route.js';

/** Progress lines kept to explain a failure (a step's log is near the end). */
const keptProgressLines = 2000;

export interface RunBuildOptions {
  /** Each BuildKit progress line as it arrives. */
  onProgress?: (line: string) => void;
  signal?: AbortSignal;
}

/** Runs one BuildKit build; on failure throws a UserError naming the failing step and its log tail. */
export async function runBuild(docker: DockerCli, route: BuildRoute, request: BuildRequest, options: RunBuildOptions = {}): Promise<void> {
  const { argv, env } = buildCommand(route, request);
  const kept: string[] = [];
  const result = await docker.run(argv, {
    env,
    signal: options.signal,
    onStderrLine: (line) => {
      kept.push(line);
      if (kept.length > keptProgressLines) kept.shift();
      options.onProgress?.(line);
    },
  });
  if (result.exitCode === 0) return;
  if (options.signal?.aborted) throw new CancelledError('build cancelled: an image of that name, if any, is unchanged');
  const failure = parseBuildFailure(kept);
  const where = failure.step ? `failed at ${failure.step}` : 'failed';
  const log = failure.logTail.length ? `\n${failure.logTail.map((l) => `  | ${l}`).join('\n')}` : '';
  throw new UserError(`build ${where}${log}${failure.summary ? `\n${failure.summary}` : ''}`, {
    hint: 'fix the step above; run with --progress plain to see the whole build log',
  });
}
