import { createDockerCli, dockerBinary, type DockerCli } from '../docker/process.js';
import type { ProgressMode } from '../engine/argv.js';
import { UsageError } from '../errors.js';
import { runAttached } from '../predict/attached.js';
import { containerName, projectMount, type PortMapping } from '../predict/container.js';
import { processEnv, readEnv, type Env } from '../settings/env.js';
import { Logger } from '../ui/logger.js';
import { buildDevImage } from './model-image.js';
import { readProject } from './project.js';
import type { BaseImageFlags } from './resolve.js';

export interface ExecModelOptions extends BaseImageFlags {
  cwd: string;
  configFile?: string | undefined;
  /** The command and its arguments. */
  command: string[];
  /** `-e NAME=value`, in order. */
  env?: string[];
  /** `-p PORT` or `-p HOST:PORT` (same port inside), read at the command line. */
  publish?: PortMapping[];
  /** `--gpus` (checked at the command line). Default `all` when cog.yaml has `build.gpu`. */
  gpus?: string | undefined;
  progress?: ProgressMode | undefined;
  /** The host environment (RUST_LOG, and the build's). Default the process's. */
  hostEnv?: Env;
  /** Whether stdin and stdout are terminals: a TTY only when both are. Default: asked of process. */
  terminal?: { stdin: boolean; stdout: boolean };
  logger?: Logger;
  docker?: DockerCli;
  signal?: AbortSignal;
}

export interface ExecResult {
  /** The command's exit status. */
  exitCode: number;
  interrupted: boolean;
}

/**
 * `cog exec`: a command in the model's environment (the dev image, the project mounted at /src
 * and the working directory), attached to the terminal. No schema is needed or generated.
 */
export async function execInModel(options: ExecModelOptions): Promise<ExecResult> {
  const logger = options.logger ?? new Logger();
  const hostEnv = options.hostEnv ?? processEnv();
  const docker = options.docker ?? createDockerCli(dockerBinary(hostEnv));
  if (options.command.length === 0) throw new UsageError('cog exec needs a command to run, e.g. `cog exec python`');
  const project = await readProject({ cwd: options.cwd, configFile: options.configFile, schema: false });
  const { config } = project;
  const image = await buildDevImage({ ...options, logger, docker, env: hostEnv }, project);
  const rustLog = readEnv('RUST_LOG', hostEnv);
  const terminal = options.terminal ?? { stdin: Boolean(process.stdin.isTTY), stdout: Boolean(process.stdout.isTTY) };
  logger.info('run', `Running '${options.command.join(' ')}' in Docker with the current directory mounted as a volume...`);
  const mount = projectMount(config.projectDir);
  return runAttached({
    docker,
    spec: {
      image,
      name: containerName('exec'),
      // The user's -e comes after ours: the engine keeps the last value of a name.
      env: [...mount.env, ...(options.env ?? []), 'LOG_FORMAT=console', ...(rustLog ? [`RUST_LOG=${rustLog}`] : [])],
      gpus: options.gpus || (config.build.gpu ? 'all' : undefined),
      volumes: mount.volumes,
      workdir: '/src',
      ports: options.publish ?? [],
      command: options.command,
    },
    interactive: true,
    // A TTY only when both ends are terminals: `cog exec cat x > file` must get the bytes untouched.
    tty: terminal.stdin && terminal.stdout,
    logger,
    signal: options.signal,
  });
}
