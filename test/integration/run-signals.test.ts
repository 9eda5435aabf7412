import { spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probe } from '../../src/predict/health.js';
import { runCog } from '../support/cli-process.js';
import { repoRoot } from '../support/paths.js';
import { copyFixture } from '../support/project-copy.js';
import { requireTestbed, runId, type Testbed } from '../support/testbed.js';
import { containersOf, startCog } from './run-support.js';

// Ctrl-C (SIGINT) and SIGTERM sent to the `cog run` process itself, during setup() and during a
// prediction, and a setup that outlives --setup-timeout: every way out removes the container.
describe('cog run: signals and timeouts leave nothing behind [engine]', () => {
  let testbed: Testbed;
  const image = `cogpack-it-slow:${runId}`;
  let dir: string;
  const devImages = new Set<string>();

  beforeAll(async () => {
    testbed = await requireTestbed();
    dir = copyFixture('slow');
    const build = await runCog(['build', '-t', image, '--progress', 'quiet'], { cwd: dir });
    expect(build.exitCode, build.stderr).toBe(0);
  });

  afterAll(async () => {
    if (testbed) for (const name of [image, ...devImages]) await testbed.docker.run(['image', 'rm', '--force', name]);
  });

  async function waitFor(condition: () => Promise<boolean>): Promise<void> {
    const deadline = Date.now() + 60_000;
    while (!(await condition())) {
      if (Date.now() > deadline) throw new Error('timed out waiting for a container');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** Waits until a container of the image runs: the signal must land while it exists. */
  const containerRunning = () => waitFor(async () => (await containersOf(testbed.docker, image)).length > 0);

  async function interrupt(argv: string[], signal: 'SIGINT' | 'SIGTERM', when: string) {
    const run = startCog(argv, { cwd: dir });
    await run.waitForStderr(when);
    await containerRunning();
    process.kill(run.pid, signal);
    const result = await run.exited;
    expect(await containersOf(testbed.docker, image), 'containers left behind').toEqual([]);
    return result;
  }

  it('SIGINT during setup()', async () => {
    const result = await interrupt(['run', image, '-e', 'SETUP_SECONDS=120'], 'SIGINT', 'running setup()');
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('Stopping container...');
    expect(result.stderr).toContain('error: interrupted: the container was stopped and removed');
  });

  it('SIGINT during a prediction: the model sees the cancellation, then the container goes, promptly', async () => {
    const marker = path.join(dir, 'canceled.txt');
    rmSync(marker, { force: true });
    const run = startCog(['run', '-i', 'seconds=120', '-e', 'CANCEL_MARKER=/src/canceled.txt', '--progress', 'quiet'], { cwd: dir });
    await run.waitForStderr('Running prediction...');
    const devImage = /Starting Docker image (\S+) and running setup/.exec(run.stderr())![1]!;
    devImages.add(devImage);
    // The model is inside run() once the runtime reports BUSY.
    await waitFor(async () => (await containersOf(testbed.docker, devImage)).length > 0);
    const [container] = await containersOf(testbed.docker, devImage);
    const port = (await testbed.docker.run(['port', container!, '5000/tcp'])).stdout.trim().split('\n')[0]!.split(':').at(-1)!;
    await waitFor(async () => (await probe(Number(port)))?.status === 'BUSY');
    process.kill(run.pid, 'SIGINT');
    const result = await run.exited;
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('error: interrupted');
    // The prediction was asked to take 120 s: the marker says it was cut short by the cancellation.
    expect(readFileSync(marker, 'utf8')).toBe('canceled\n');
    expect(await containersOf(testbed.docker, devImage)).toEqual([]);
  });

  it('SIGINT during a prediction on a prebuilt image', async () => {
    const result = await interrupt(['run', image, '-i', 'seconds=120'], 'SIGINT', 'Running prediction...');
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('error: interrupted');
  });

  it('SIGTERM during a prediction', async () => {
    const result = await interrupt(['run', image, '-i', 'seconds=120'], 'SIGTERM', 'Running prediction...');
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('error: interrupted');
  });

  it('SIGINT during setup() of a project run (dev build, project mounted)', async () => {
    const run = startCog(['run', '-e', 'SETUP_SECONDS=120', '--progress', 'quiet'], { cwd: dir });
    await run.waitForStderr('running setup()');
    const devImage = /Starting Docker image (\S+) and running setup/.exec(run.stderr())![1]!;
    devImages.add(devImage);
    await waitFor(async () => (await containersOf(testbed.docker, devImage)).length > 0);
    process.kill(run.pid, 'SIGINT');
    const result = await run.exited;
    expect(result.exitCode).toBe(1);
    expect(await containersOf(testbed.docker, devImage)).toEqual([]);
  });

  it('a second Ctrl-C exits at once, and still leaves nothing behind', async () => {
    const run = startCog(['run', image, '-i', 'seconds=120'], { cwd: dir });
    await run.waitForStderr('Running prediction...');
    await containerRunning();
    process.kill(run.pid, 'SIGINT');
    process.kill(run.pid, 'SIGINT');
    const result = await run.exited;
    expect([1, 130]).toContain(result.exitCode);
    expect(await containersOf(testbed.docker, image)).toEqual([]);
  });

  it('a reader that goes away (`cog run … 2>&1 | head -1`) does not take the clean-up with it', async () => {
    const child = spawn(process.execPath, [path.join(repoRoot, 'bin', 'cog.js'), 'run', image, '--debug', '-i', 'seconds=2'], {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    // Close our end of stderr at its first line: every later write of cog's fails with EPIPE.
    child.stderr.once('data', () => child.stderr.destroy());
    child.stdout.resume();
    expect(await exited).toBe(0);
    expect(await containersOf(testbed.docker, image)).toEqual([]);
  });

  it('a setup() slower than --setup-timeout fails with a hint, and the container goes', async () => {
    const run = startCog(['run', image, '-e', 'SETUP_SECONDS=120', '--setup-timeout', '2'], { cwd: dir });
    const result = await run.exited;
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('error: the model was not ready after 2 s (last status: STARTING)');
    expect(result.stderr).toContain('hint: raise --setup-timeout');
    expect(await containersOf(testbed.docker, image)).toEqual([]);
  });
});
