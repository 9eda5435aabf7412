import { createDockerCli, dockerBinary, type DockerCli } from '../docker/process.js';
import type { ProgressMode } from '../engine/argv.js';
import { UserError } from '../errors.js';
import { runAttached } from '../predict/attached.js';
import { containerName, projectMount, runtimePort, type ContainerSpec } from '../predict/container.js';
import { SetupFailedError, waitUntilReady } from '../predict/health.js';
import { processEnv, readEnv, type Env } from '../settings/env.js';
import { Logger } from '../ui/logger.js';
import { buildDevImage } from './model-image.js';
import { readProject } from './project.js';
import type { BaseImageFlags } from './resolve.js';

export interface ServeModelOptions extends BaseImageFlags {
  cwd: string;
  configFile?: string | undefined;
  /** `-p`: the host port (checked at the command line). Default 8393. */
  port?: number;
  /** `--host`: the host address the port is published on. Default 127.0.0.1. */
  host?: string | undefined;
  /** `--upload-url`: where the runtime PUTs file outputs. */
  uploadUrl?: string | undefined;
  /** `--gpus` (checked at the command line). Default `all` when cog.yaml has `build.gpu`. */
  gpus?: string | undefined;
  progress?: ProgressMode | undefined;
  /** COG_OPENAPI_SCHEMA: a schema file to serve instead of the predictor's. */
  openapiSchemaFile?: string | undefined;
  /** The host environment (RUST_LOG, and the build's). Default the process's. */
  hostEnv?: Env;
  /** Whether stdin (and stdout) are terminals: then the container gets a TTY. Default: asked of process. */
  terminal?: { stdin: boolean; stdout: boolean };
  logger?: Logger;
  docker?: DockerCli;
  /** Ctrl-C/SIGTERM: the container is removed and serving ends (not an error). */
  signal?: AbortSignal;
}

/**
 * `cog serve`: the dev image with the project mounted, the runtime in the foreground on
 * host:port until Ctrl-C. Upstream's command line for the server, `--await-explicit-shutdown`
 * included (so SIGTERM alone does not stop it: we remove the container instead).
 */
export async function serveModel(options: ServeModelOptions): Promise<void> {
  const logger = options.logger ?? new Logger();
  const hostEnv = options.hostEnv ?? processEnv();
  const docker = options.docker ?? createDockerCli(dockerBinary(hostEnv));
  const port = options.port ?? 8393;
  const host = options.host ?? '127.0.0.1';
  // The schema is staged into the project for the runtime to serve: read once, here.
  const project = await readProject({ cwd: options.cwd, configFile: options.configFile, schema: { file: options.openapiSchemaFile } });
  const { config } = project;
  const image = await buildDevImage({ ...options, logger, docker, env: hostEnv }, project);
  const rustLog = readEnv('RUST_LOG', hostEnv);

  const mount = projectMount(config.projectDir);
  const spec: ContainerSpec & { name: string } = {
    image,
    name: containerName('serve'),
    env: [...mount.env, 'LOG_FORMAT=console', ...(rustLog ? [`RUST_LOG=${rustLog}`] : [])],
    gpus: options.gpus || (config.build.gpu ? 'all' : undefined),
    volumes: mount.volumes,
    workdir: '/src',
    ports: [{ hostIp: host, hostPort: port, containerPort: runtimePort }],
    extraHosts: options.uploadUrl ? ['host.docker.internal:host-gateway'] : [],
    command: [
      'python', '--check-hash-based-pycs', 'never', '-m', 'cog.server.http', '--await-explicit-shutdown', 'true',
      ...(options.uploadUrl ? ['--upload-url', options.uploadUrl] : []),
    ],
  };
  const terminal = options.terminal ?? { stdin: Boolean(process.stdin.isTTY), stdout: Boolean(process.stdout.isTTY) };
  const url = `http://${host === '127.0.0.1' || host === '0.0.0.0' ? 'localhost' : host}:${port}`;
  logger.info('run', `Starting the server for ${image} on ${url} ...`);
  const announcing = new AbortController();
  void announceWhenReady(port, host, url, logger, announcing.signal);
  try {
    const result = await runAttached({ docker, spec, interactive: terminal.stdin, tty: terminal.stdin && terminal.stdout, logger, signal: options.signal });
    // Ctrl-C in a TTY reaches the server itself, which then exits: a normal end, as upstream.
    if (result.interrupted || [0, 130, 143].includes(result.exitCode)) return;
    throw new UserError(`the server exited with status ${result.exitCode}`, { hint: 'its logs are above' });
  } finally {
    announcing.abort();
  }
}

/** Says "Serving at …" once the runtime is READY (upstream says it before), or why it never will be. */
async function announceWhenReady(port: number, host: string, url: string, logger: Logger, signal: AbortSignal): Promise<void> {
  if (!['127.0.0.1', '0.0.0.0', 'localhost'].includes(host)) {
    logger.info('run', `Serving at ${url}`);
    return;
  }
  try {
    await waitUntilReady(port, { timeoutMs: Number.MAX_SAFE_INTEGER, intervalMs: 200, signal });
    logger.info('run', `Serving at ${url}`);
  } catch (error) {
    if (signal.aborted) return;
    if (error instanceof SetupFailedError) logger.warn(`${error.message} (the server keeps answering /health-check; Ctrl-C to stop)`);
    else logger.warn((error as Error).message);
  }
}
