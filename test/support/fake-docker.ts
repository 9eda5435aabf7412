import { Readable } from 'node:stream';
import type { DockerCli, DockerOutputStream, RunOptions, RunResult } from '../../src/docker/process.js';

/** An answer for one docker invocation, matched by its argv (never by call order). */
export interface FakeAnswer {
  exitCode?: number;
  stdout?: string;
  stderr?: string[];
  /** For `stream` calls: the bytes of stdout (a fresh stream per call, so a command can run twice). */
  stdoutStream?: () => Readable;
}

/**
 * A DockerCli whose answers are keyed by argv joined with spaces. Unknown argv fails the test
 * loudly rather than returning something plausible. Every call is recorded.
 */
export function fakeDocker(answers: Record<string, FakeAnswer>, binary = '/usr/bin/docker'): DockerCli & { calls: Array<{ argv: string[]; options: RunOptions }>; killed: string[] } {
  const calls: Array<{ argv: string[]; options: RunOptions }> = [];
  const killed: string[] = [];
  const answerFor = (argv: string[], options: RunOptions): FakeAnswer => {
    calls.push({ argv, options });
    const answer = answers[argv.join(' ')];
    if (!answer) throw new Error(`fake docker: no answer for: ${argv.join(' ')}`);
    for (const line of answer.stderr ?? []) options.onStderrLine?.(line);
    return answer;
  };
  return {
    binary,
    calls,
    killed,
    async run(argv: string[], options: RunOptions = {}): Promise<RunResult> {
      const answer = answerFor(argv, options);
      return { exitCode: answer.exitCode ?? 0, stdout: answer.stdout ?? '', stderrTail: answer.stderr ?? [] };
    },
    async stream(argv: string[], options: RunOptions = {}): Promise<DockerOutputStream> {
      const answer = answerFor(argv, options);
      const stdout = answer.stdoutStream?.() ?? Readable.from([Buffer.from(answer.stdout ?? '')]);
      let kill: () => void = () => undefined;
      const exited = new Promise<RunResult>((resolve) => {
        const finish = (exitCode: number) => resolve({ exitCode, stdout: '', stderrTail: answer.stderr ?? [] });
        stdout.once('end', () => finish(answer.exitCode ?? 0));
        stdout.once('close', () => finish(stdout.readableEnded ? (answer.exitCode ?? 0) : 143));
        kill = () => {
          killed.push(argv.join(' '));
          stdout.destroy();
        };
      });
      return { stdout, exited, kill: () => kill() };
    },
  };
}
