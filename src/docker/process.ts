import { createInterface } from 'node:readline';
import { UnavailableError } from '../errors.js';

/** How many trailing stderr lines a failure keeps for its message. */
const stderrTailLines = 40;

export interface RunOptions {
  /** Extra environment for the child (merged over process.env). */
  env?: Record<string, string>;
  /** Bytes or text for the child's stdin. */
  input?: string;
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

/** The one way cogpack runs the docker CLI. Faked in unit tests by argv. */
export interface DockerCli {
  /** Path of the docker binary. */
  readonly binary: string;
  run(argv: string[], options?: RunOptions): Promise<RunResult>;
}

/**
 * The docker binary: `COG_DOCKER` when set (e.g. a CLI with BuildKit support that is not first on
 * PATH), else `docker` from PATH.
 */
export function dockerBinary(env: NodeJS.ProcessEnv = process.env): string {
  return env.COG_DOCKER || 'docker';
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
        stdin: options.input === undefined ? 'ignore' : 'pipe',
        cancelSignal: options.signal,
        forceKillAfterDelay: 5000,
        buffer: { stdout: true, stderr: false },
        stripFinalNewline: true,
      });
      const tail: string[] = [];
      const reading = child.stderr
        ? (async () => {
            for await (const line of createInterface({ input: child.stderr! })) {
              tail.push(line);
              if (tail.length > stderrTailLines) tail.shift();
              options.onStderrLine?.(line);
            }
          })()
        : Promise.resolve();
      const result = await child;
      await reading;
      if ((result as { code?: string }).code === 'ENOENT' || (result.failed && result.exitCode === undefined && !result.isCanceled)) {
        throw new UnavailableError(`cannot run the docker CLI (${binary}): ${result.shortMessage}`, {
          hint: 'install Docker, or set COG_DOCKER to the path of a docker binary',
          cause: result,
        });
      }
      return { exitCode: result.exitCode ?? 1, stdout: String(result.stdout ?? ''), stderrTail: tail };
    },
  };
}
