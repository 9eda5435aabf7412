import { execa } from 'execa';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devImageName } from '../../src/workflows/model-image.js';
import { repoRoot } from '../support/paths.js';
import { copyFixture } from '../support/project-copy.js';
import { requireTestbed, type Testbed } from '../support/testbed.js';
import { containersOf, startCog } from './run-support.js';

// `cog exec` runs a command in the model's environment: the project mounted at /src as the
// working directory, stdin passed through, options after the command left to it, its exit code
// cog's own, and no container left afterwards.
describe('cog exec [engine]', () => {
  let testbed: Testbed;
  let dir: string;
  let image: string;

  beforeAll(async () => {
    testbed = await requireTestbed();
    dir = copyFixture('hello-world');
    image = devImageName(dir);
  });

  afterAll(async () => {
    if (testbed) await testbed.docker.run(['image', 'rm', '--force', image]);
  });

  async function exec(argv: string[], input?: string) {
    const result = await startCog(['exec', '--progress', 'quiet', ...argv], { cwd: dir, input }).exited;
    expect(await containersOf(testbed.docker, image), 'containers left behind').toEqual([]);
    return result;
  }

  it('runs in /src with the project there, stdin passed through, -e set, flags after the command kept', async () => {
    const script = 'import os, sys; print(os.getcwd(), sorted(os.listdir(".")), os.environ["GREETING"], sys.stdin.read().strip())';
    const result = await exec(['-e', 'GREETING=hi', 'python', '-c', script], 'from stdin\n');
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout.trim()).toBe("/src ['.cog', 'cog.yaml', 'predict.py', 'requirements.txt'] hi from stdin");
  });

  it('propagates the command\'s exit code', async () => {
    const result = await exec(['sh', '-c', 'echo on stderr >&2; exit 7']);
    expect(result.exitCode).toBe(7);
    expect(result.stderr).toContain('on stderr');
    expect(result.stderr).toContain('exited with status 7');
  });

  it('a command that does not exist is docker\'s 127', async () => {
    const result = await exec(['no-such-command']);
    expect(result.exitCode).toBe(127);
  });

  it('on a terminal the command gets a TTY (util-linux `script` provides one)', async () => {
    const cog = `${JSON.stringify(process.execPath)} ${JSON.stringify(path.join(repoRoot, 'bin', 'cog.js'))} exec --progress quiet sh -c 'test -t 0 && test -t 1 && echo has-a-tty; exit 5'`;
    const result = await execa('script', ['--quiet', '--return', '--command', cog, '/dev/null'], { cwd: dir, reject: false, stdin: 'ignore' });
    expect(result.stdout).toContain('has-a-tty');
    expect(result.exitCode).toBe(5);
    expect(await containersOf(testbed.docker, image)).toEqual([]);
  });

  it('SIGINT stops the command and removes its container', async () => {
    const run = startCog(['exec', '--progress', 'quiet', 'sh', '-c', 'echo started; sleep 120'], { cwd: dir });
    const deadline = Date.now() + 60_000;
    while (!run.stdoutLines.some((l) => l.line === 'started')) {
      if (Date.now() > deadline) throw new Error(run.stderr());
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    process.kill(run.pid, 'SIGINT');
    const result = await run.exited;
    expect(result.exitCode).toBe(130);
    expect(await containersOf(testbed.docker, image)).toEqual([]);
  });
});
