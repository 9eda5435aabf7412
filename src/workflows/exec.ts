import { createDockerCli, type DockerCli } from '../docker/process.js';
import type { ProgressMode } from '../engine/argv.js';
import { UserError } from '../errors.js';
import { runAttached } from '../predict/attached.js';
import { checkGpus, containerName, projectMount, type PortMapping } from '../predict/container.js';
import { Logger } from '../ui/logger.js';
import { buildDevImage, loadProject } from './model-image.js';
import type { BaseImageFlags } from './plan.js';

export interface ExecModelOptions extends BaseImageFlags {
  cwd: string;
  configFile?: string | undefined;
  /** The command and its arguments. */
  command: string[];
  /** `-e NAME=value`, in order. */
  env?: string[];
  /** `-p PORT` or `-p HOST:PORT` (same port inside), repeatable. */
  publish?: string[];
  /** `--gpus`. Default `all` when cog.yaml has `build.gpu`. */
  gpus?: string | undefined;
  progress?: ProgressMode | undefined;
  hostEnv?: NodeJS.ProcessEnv;
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
  const docker = options.docker ?? createDockerCli();
  const hostEnv = options.hostEnv ?? process.env;
  if (options.command.length === 0) throw new UserError('cog exec needs a command to run, e.g. `cog exec python`', { exitCode: 2 });
  const gpus = checkGpus(options.gpus);
  const ports = (options.publish ?? []).map(parsePublish);
  const { config } = await loadProject({ cwd: options.cwd, configFile: options.configFile, env: hostEnv, withSchema: false });
  const image = await buildDevImage({ ...options, logger, docker, env: hostEnv, withSchema: false }, config);
  const terminal = options.terminal ?? { stdin: Boolean(process.stdin.isTTY), stdout: Boolean(process.stdout.isTTY) };
  logger.info('run', `Running '${options.command.join(' ')}' in Docker with the current directory mounted as a volume...`);
  const mount = projectMount(config.projectDir);
  return runAttached({
    docker,
    spec: {
      image,
      name: containerName('exec'),
      // The user's -e comes after ours: the engine keeps the last value of a name.
      env: [...mount.env, ...(options.env ?? []), 'LOG_FORMAT=console', ...(hostEnv.RUST_LOG ? [`RUST_LOG=${hostEnv.RUST_LOG}`] : [])],
      gpus: gpus ?? (config.build.gpu ? 'all' : undefined),
      volumes: mount.volumes,
      workdir: '/src',
      ports,
      command: options.command,
    },
    interactive: true,
    // A TTY only when both ends are terminals: `cog exec cat x > file` must get the bytes untouched.
    tty: terminal.stdin && terminal.stdout,
    logger,
    signal: options.signal,
  });
}

/** `-p 8888`, `-p 0.0.0.0:8888`, `-p [::1]:8888`: the host port maps to the same port in the container. */
export function parsePublish(value: string): PortMapping {
  const match = /^(?:(\[[0-9A-Fa-f:.]+\]|[^:[\]]+):)?(\d+)$/.exec(value);
  const port = match ? Number(match[2]) : NaN;
  if (!match || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new UserError(`invalid --publish value "${value}": expected PORT or HOST:PORT with a port between 1 and 65535`, { exitCode: 2 });
  }
  const host = match[1]?.replace(/^\[|\]$/g, '') ?? '127.0.0.1';
  return { hostIp: host, hostPort: port, containerPort: port };
}
