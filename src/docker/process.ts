import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { UnavailableError } from '../errors.js';
import { processEnv, readEnv, type Env } from '../settings/env.js';

/** How many trailing stderr lines a failure keeps for its message. */
const stderrTailLines = 40;

export interface RunOptions {
  /** Extra environment for the child (merged over the process's). */
  env?: Record<string, string>;
  /** Bytes or text for the child's stdin. */
  input?: string;
  /** A stream for the child's stdin (`docker load` of an archive), piped as it comes. */
  stdinStream?: Readable;
  /** Each stderr line as it arrives (BuildKit writes its progress there). */
  onStderrLine?: (line: string) => void;
  /** Cancels the child: it and its process group get SIGTERM, then SIGKILL. */
  signal?: AbortSignal;
}

export interface RunResult {
  exitCode: number;
  stdout: string;
  /** The last lines of stderr (all of it when short). */
  stderrTail: string[];
}

/** A docker command whose stdout is read as it comes (`docker save`: gigabytes, never buffered). */
export interface DockerOutputStream {
  /** The child's stdout, as bytes. */
  stdout: Readable;
  /**
   * Settles when the child has exited; `stdout` in the result is empty. Rejects only when the
   * binary cannot be run at all (UnavailableError), like `run`.
   */
  exited: Promise<RunResult>;
  /** Ends the child early (SIGTERM, then SIGKILL), e.g. when the reader has all it needs. */
  kill(): void;
}

/** The one way cogpack runs the docker CLI. Faked in unit tests by argv. */
export interface DockerCli {
  /** Path of the docker binary. */
  readonly binary: string;
  run(argv: string[], options?: RunOptions): Promise<RunResult>;
  /** Runs a command whose stdout is a byte stream to read while it runs. */
  stream(argv: string[], options?: Omit<RunOptions, 'input'>): Promise<DockerOutputStream>;
}

/**
 * The docker binary: `COG_DOCKER` when set (e.g. a CLI with BuildKit support that is not first on
 * PATH), else `docker` from PATH.
 */
export function dockerBinary(env: Env = processEnv()): string {
  return readEnv('COG_DOCKER', env);
}

export function createDockerCli(binary = dockerBinary()): DockerCli {
  return {
    binary,
    async run(argv, options = {}) {
      // Loaded on first use: execa's module graph is a good part of a quick command's start-up.
      const { execa } = await import('execa');
      const child = execa(binary, argv, {
        env: options.env,
        input: options.input,
        reject: false,
        stdin: options.input === undefined && !options.stdinStream ? 'ignore' : 'pipe',
        cancelSignal: options.signal,
        forceKillAfterDelay: 5000,
        buffer: { stdout: true, stderr: false },
        stripFinalNewline: true,
      });
      const stderr = readStderr(child.stderr, options.onStderrLine);
      if (options.stdinStream) {
        // A child that stops reading (it failed) ends the pipe; its exit code says why.
        child.stdin!.on('error', () => undefined);
        options.stdinStream.on('error', () => child.stdin!.destroy());
        options.stdinStream.pipe(child.stdin!);
      }
      const result = await child;
      const tail = await stderr;
      if ((result as { code?: string }).code === 'ENOENT' || (result.failed && result.exitCode === undefined && !result.isCanceled)) {
        throw cannotRun(binary, result);
      }
      return { exitCode: result.exitCode ?? 1, stdout: String(result.stdout ?? ''), stderrTail: tail };
    },
    async stream(argv, options = {}) {
      const { execa } = await import('execa');
      // buffer: false: execa would otherwise keep all of stdout in memory for the result.
      const child = execa(binary, argv, {
        env: options.env,
        reject: false,
        stdin: 'ignore',
        encoding: 'buffer',
        buffer: false,
        cancelSignal: options.signal,
        forceKillAfterDelay: 5000,
      });
      const stderr = readStderr(child.stderr, options.onStderrLine);
      const exited = (async (): Promise<RunResult> => {
        const result = await child;
        const tail = await stderr;
        if ((result as { code?: string }).code === 'ENOENT') throw cannotRun(binary, result);
        return { exitCode: result.exitCode ?? 1, stdout: '', stderrTail: tail };
      })();
      // The caller may stop listening to `exited` (after kill()): never an unhandled rejection.
      exited.catch(() => undefined);
      return { stdout: child.stdout!, exited, kill: () => void child.kill() };
    },
  };
}

/** Reads a child's stderr line by line as it comes, keeping the last lines for error messages. */
async function readStderr(stream: Readable | null | undefined, onLine?: (line: string) => void): Promise<string[]> {
  const tail: string[] = [];
  if (!stream) return tail;
  for await (const line of createInterface({ input: stream })) {
    tail.push(line);
    if (tail.length > stderrTailLines) tail.shift();
    onLine?.(line);
  }
  return tail;
}

function cannotRun(binary: string, result: { shortMessage?: string }): UnavailableError {
  return new UnavailableError(`cannot run the docker CLI (${binary}): ${result.shortMessage ?? 'not found'}`, {
    hint: 'install Docker, or set COG_DOCKER to the path of a docker binary',
    cause: result,
  });
}
