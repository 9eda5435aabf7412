import { execa, type ResultPromise } from 'execa';
import { createServer } from 'node:net';
import path from 'node:path';
import type { DockerCli } from '../../src/docker/process.js';
import { repoRoot } from '../support/paths.js';

/** A running `cog` (bin/cog.js) whose output is watched as it arrives, for signal and streaming tests. */
export interface CogChild {
  child: ResultPromise;
  pid: number;
  /** Every stdout line so far, with the milliseconds since start it arrived at. */
  stdoutLines: Array<{ line: string; at: number }>;
  stderr: () => string;
  /** Resolves once stderr contains `text`; rejects at the deadline or if cog exits first. */
  waitForStderr: (text: string, timeoutMs?: number) => Promise<void>;
  exited: Promise<{ exitCode: number; stdout: string; stderr: string; ms: number }>;
}

export function startCog(argv: string[], options: { cwd: string; input?: string; env?: Record<string, string> }): CogChild {
  const started = performance.now();
  const child = execa(process.execPath, [path.join(repoRoot, 'bin', 'cog.js'), ...argv], {
    cwd: options.cwd,
    env: options.env,
    reject: false,
    ...(options.input === undefined ? { stdin: 'ignore' as const } : { input: options.input }),
    buffer: false,
  });
  let stderr = '';
  let stdout = '';
  let partial = '';
  const stdoutLines: CogChild['stdoutLines'] = [];
  const waiters: Array<() => void> = [];
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    for (const wake of waiters.splice(0)) wake();
  });
  child.stdout!.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    partial += chunk.toString();
    let newline: number;
    while ((newline = partial.indexOf('\n')) >= 0) {
      stdoutLines.push({ line: partial.slice(0, newline), at: performance.now() - started });
      partial = partial.slice(newline + 1);
    }
  });
  const exited = child.then((result) => {
    for (const wake of waiters.splice(0)) wake();
    return { exitCode: result.exitCode ?? -1, stdout, stderr, ms: performance.now() - started };
  });
  let done = false;
  void exited.then(() => (done = true));
  const waitForStderr = async (text: string, timeoutMs = 120_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!stderr.includes(text)) {
      if (done) throw new Error(`cog exited before printing "${text}":\n${stderr.slice(-3000)}`);
      if (Date.now() > deadline) throw new Error(`cog did not print "${text}" within ${timeoutMs} ms:\n${stderr.slice(-3000)}`);
      await new Promise<void>((resolve) => {
        waiters.push(resolve);
        setTimeout(resolve, 200);
      });
    }
  };
  return { child, pid: child.pid!, stdoutLines, stderr: () => stderr, waitForStderr, exited };
}

/** Containers (running or not) created from `image`: the leak check. */
export async function containersOf(docker: DockerCli, image: string): Promise<string[]> {
  const result = await docker.run(['ps', '--all', '--quiet', '--filter', `ancestor=${image}`]);
  return result.stdout.split('\n').filter(Boolean);
}

/** Seconds since the epoch, as `docker events --since/--until` take them. */
export const engineNow = () => (Date.now() / 1000).toFixed(3);

/** Containers created from `image` between two instants: proves one was never even started. */
export async function containersCreatedBetween(docker: DockerCli, image: string, since: string, until: string): Promise<string[]> {
  const result = await docker.run([
    'events', '--since', since, '--until', until, '--filter', 'type=container', '--filter', 'event=create', '--filter', `image=${image}`, '--format', '{{.ID}}',
  ]);
  return result.stdout.split('\n').filter(Boolean);
}

/** A port nothing listens on right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
