import { stripVTControlCharacters } from 'node:util';
import type { DockerCli } from '../docker/process.js';
import { UserError } from '../errors.js';
import type { Logger } from '../ui/logger.js';
import { containerState, removeContainer, removeOnExit, startContainer, type ContainerSpec, type RunningContainer } from './container.js';
import { SetupFailedError, waitUntilReady, type HealthCheck } from './health.js';
import { followLogs, type LogFollower } from './logs.js';
import type { RunMode } from './schema.js';
import { reproduceSetupFailure } from './setup-traceback.js';

export interface ModelContainerOptions {
  docker: DockerCli;
  spec: ContainerSpec;
  mode: RunMode;
  /** How long `setup()` may take before we give up (`--setup-timeout`). */
  setupTimeoutMs: number;
  logger: Logger;
  /** Ctrl-C/SIGTERM: stops waiting, cancels what runs, and removes the container. */
  signal?: AbortSignal | undefined;
}

export interface ReadyModel extends RunningContainer {
  health: HealthCheck;
}

/** Ctrl-C or SIGTERM reached a command while a container ran; the container is gone when this is printed. */
export class InterruptedError extends UserError {
  constructor(cause?: unknown) {
    super('interrupted: the container was stopped and removed', { cause });
    this.name = 'InterruptedError';
  }
}

/**
 * A model container for the length of `use`: started on a random 127.0.0.1 port, its logs on
 * stderr, READY before `use` runs, and removed on every way out (success, failure, setup failure,
 * timeout, Ctrl-C, SIGTERM), before this function returns or throws.
 */
export async function withModelContainer<T>(options: ModelContainerOptions, use: (model: ReadyModel) => Promise<T>): Promise<T> {
  const { docker, logger, signal } = options;
  if (signal?.aborted) throw new InterruptedError();
  // The HTTP client loads (a tenth of a second of CPU) while `docker run` waits for the engine.
  const httpClient = import('undici');
  const started = performance.now();
  // Not cancellable: `docker run --detach` returns in a moment, and its container must be known to be removed.
  const container = await startContainer(docker, options.spec, { logger });
  const disarm = removeOnExit(docker, container.name);
  await httpClient;
  logger.debug(`container ${container.name} on 127.0.0.1:${container.port} after ${Math.round(performance.now() - started)} ms`);
  const onAbort = () => logger.info('run', 'Stopping container...');
  if (signal?.aborted) onAbort();
  else signal?.addEventListener('abort', onAbort, { once: true });
  let logs: LogFollower | undefined;
  try {
    // The runtime colours its console logs; where stderr is not a terminal (CI logs) they are noise.
    const plain = !process.stderr.isTTY;
    logs = await followLogs(docker, container.id, (line) => logger.raw(plain ? stripVTControlCharacters(line) : line));
    const follower = logs;
    let health: HealthCheck;
    try {
      health = await waitUntilReady(container.port, {
        timeoutMs: options.setupTimeoutMs,
        signal,
        containerRunning: async () => !follower.ended || (await containerState(docker, container.id)) === 'running',
      });
    } catch (error) {
      if (error instanceof SetupFailedError && !signal?.aborted && !error.logs.includes('Traceback')) {
        logger.info('run', 'setup() failed; running it once more in the container to show the traceback');
        const traceback = await reproduceSetupFailure(docker, container.id, options.mode, signal).catch(() => undefined);
        if (traceback) throw new SetupFailedError(error.logs, traceback);
      }
      throw error;
    }
    logger.debug(`runtime READY after ${Math.round(performance.now() - started)} ms`);
    return await use({ ...container, health });
  } catch (error) {
    if (signal?.aborted) throw new InterruptedError(error);
    throw error;
  } finally {
    signal?.removeEventListener('abort', onAbort);
    await logs?.stop();
    await removeContainer(docker, container.name);
    disarm();
  }
}
