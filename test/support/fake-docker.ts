import type { DockerCli, RunOptions, RunResult } from '../../src/docker/process.js';

/** An answer for one docker invocation, matched by its argv (never by call order). */
export interface FakeAnswer {
  exitCode?: number;
  stdout?: string;
  stderr?: string[];
}

/**
 * A DockerCli whose answers are keyed by argv joined with spaces. Unknown argv fails the test
 * loudly rather than returning something plausible. Every call is recorded.
 */
export function fakeDocker(answers: Record<string, FakeAnswer>, binary = '/usr/bin/docker'): DockerCli & { calls: Array<{ argv: string[]; options: RunOptions }> } {
  const calls: Array<{ argv: string[]; options: RunOptions }> = [];
  return {
    binary,
    calls,
    async run(argv: string[], options: RunOptions = {}): Promise<RunResult> {
      calls.push({ argv, options });
      const answer = answers[argv.join(' ')];
      if (!answer) throw new Error(`fake docker: no answer for: ${argv.join(' ')}`);
      for (const line of answer.stderr ?? []) options.onStderrLine?.(line);
      return { exitCode: answer.exitCode ?? 0, stdout: answer.stdout ?? '', stderrTail: answer.stderr ?? [] };
    },
  };
}
