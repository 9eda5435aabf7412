import type { DockerCli } from '../docker/process.js';
import type { Logger } from '../ui/logger.js';
import { checkGpus, dockerRunArgv, isMissingGpuDriver, removeContainer, removeOnExit, type ContainerSpec } from './container.js';

export interface AttachedOptions {
  docker: DockerCli;
  /** Must carry a name: it is how the container is removed on Ctrl-C. */
  spec: ContainerSpec & { name: string };
  /** Pass our stdin through (`--interactive`). */
  interactive: boolean;
  /** Allocate a TTY (`--tty`): only when our stdin and stdout are terminals. */
  tty: boolean;
  logger?: Logger;
  /** Ctrl-C/SIGTERM: the container is removed, then the `docker run` process ends by itself. */
  signal?: AbortSignal | undefined;
  /** Where docker's stderr goes; default our stderr. */
  writeStderr?: (chunk: Uint8Array) => void;
}

export interface AttachedResult {
  /** The container's exit status (docker run's own: 125 when docker failed, 126/127 when the command could not run). */
  exitCode: number;
  /** True when the signal stopped it. */
  interrupted: boolean;
}

/** How long `docker run` may take to notice its container is gone before it is killed. */
const detachGraceMs = 10_000;

/**
 * Runs a container in the foreground (`cog serve`, `cog exec`): stdin and stdout are the user's
 * terminal, stderr is passed through as it comes (and its tail kept, to spot a missing GPU
 * driver, which is retried without GPUs as upstream does). The docker CLI stays in our process
 * group so a TTY works; on Ctrl-C in a raw TTY the keypress reaches the container instead.
 */
export async function runAttached(options: AttachedOptions): Promise<AttachedResult> {
  const { docker, spec } = options;
  checkGpus(spec.gpus);
  const { execa } = await import('execa');
  const writeStderr = options.writeStderr ?? ((chunk: Uint8Array) => process.stderr.write(chunk));
  const child = execa(docker.binary, dockerRunArgv(spec, { detach: false, interactive: options.interactive, tty: options.tty }), {
    stdin: options.interactive ? 'inherit' : 'ignore',
    stdout: 'inherit',
    stderr: 'pipe',
    encoding: 'buffer',
    buffer: false,
    reject: false,
  });
  let tail = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    writeStderr(chunk);
    tail = (tail + chunk.toString('utf8')).slice(-4096);
  });
  const disarm = removeOnExit(docker, spec.name);
  let interrupted = false;
  const onAbort = () => {
    interrupted = true;
    void (async () => {
      await removeContainer(docker, spec.name);
      const timer = setTimeout(() => child.kill('SIGKILL'), detachGraceMs);
      await child.catch(() => undefined);
      clearTimeout(timer);
    })();
  };
  if (options.signal?.aborted) onAbort();
  else options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const result = await child;
    const exitCode = result.exitCode ?? 1;
    if (!interrupted && exitCode === 125 && spec.gpus === 'all' && isMissingGpuDriver(tail)) {
      await removeContainer(docker, spec.name);
      options.logger?.info('run', 'Missing device driver, re-trying without GPU');
      return runAttached({ ...options, spec: { ...spec, gpus: undefined } });
    }
    return { exitCode, interrupted };
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    // Gone already when it ran with --rm and ended; this covers a start that failed half-way.
    await removeContainer(docker, spec.name);
    disarm();
  }
}
