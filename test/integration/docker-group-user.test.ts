import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitUntilReady } from '../../src/predict/health.js';
import { dockerGroupUser, type DockerGroupUser } from '../support/docker-group-user.js';
import { copyFixture } from '../support/project-copy.js';
import { predictOnce } from '../support/serve.js';
import { requireTestbed, runId, type Testbed } from '../support/testbed.js';
import { startLocalRegistry } from '../support/registry/local-registry.js';
import { containersOf, freePort } from './run-support.js';

/** The helper containers of cog push (store-helper.ts), running or not. */
async function helperContainers(testbed: Testbed): Promise<string[]> {
  return (await testbed.docker.run(['ps', '--all', '--quiet', '--filter', 'name=cog-store-'])).stdout.split('\n').filter(Boolean);
}

async function waitFor(condition: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`not so within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

// The most common way to run Docker on Linux, and how CI runners run: not root, but in the
// `docker` group. Build → run → serve → push as that user, against the real engine and registry,
// with none of root's shortcuts (the engine's storage is not readable: push reads layers with
// `docker save`), and the pushed image pulled back and answering.
describe('a user in the docker group who is not root [engine] [registry]', () => {
  let testbed: Testbed;
  let user: DockerGroupUser;
  let project: string;
  let image: string;
  /** What the test bed exports (engine, BuildKit route, CA certificates), passed on as a user's shell would. */
  let env: Record<string, string>;

  beforeAll(async () => {
    testbed = await requireTestbed();
    user = await dockerGroupUser();
    project = copyFixture('hello-world');
    user.own(project);
    image = `${testbed.registry}/cogpack-it/docker-group-user-${runId}:v1`;
    env = Object.fromEntries(
      ['COG_DOCKER', 'DOCKER_HOST', 'COG_CA_CERT'].flatMap((name) => (process.env[name] ? [[name, process.env[name]!]] : [])),
    );
  });

  afterAll(async () => {
    await testbed?.docker.run(['image', 'rm', '--force', image]);
    user?.cleanup();
  });

  /** A cache directory the user owns (a fresh one: what earlier pushes remembered must not decide). */
  function cacheDir(): string {
    const dir = mkdtempSync(path.join(tmpdir(), 'cogpack-user-cache-'));
    user.own(dir);
    return dir;
  }

  /** Pulled from the registry (not what is local), run, and asked for a prediction. */
  async function expectPullsBackAndAnswers(name: string, text: string): Promise<void> {
    expect((await testbed.docker.run(['image', 'rm', name])).exitCode).toBe(0);
    const pulled = await testbed.docker.run(['pull', name]);
    expect(pulled.exitCode, pulled.stderrTail.join('\n')).toBe(0);
    expect(await predictOnce(testbed.docker, name, { text })).toMatchObject({ status: 'succeeded', output: `hello ${text}` });
  }

  /** Paths under `dir` that its owner could not delete: anything not owned by that user. */
  function notOwnedBy(uid: number, dir: string): string[] {
    return readdirSync(dir, { recursive: true, encoding: 'utf8' })
      .map((entry) => path.join(dir, entry))
      .filter((file) => statSync(file).uid !== uid);
  }

  it('runs as a user who is not root and is in the docker group', () => {
    expect(user.uid).not.toBe(0);
    const groups = execFileSync('id', ['-Gn', user.name], { encoding: 'utf8' }).split(/\s+/);
    expect(groups).toContain('docker');
  });

  it('cog doctor: the engine answers, and push will read layers through a helper container', async () => {
    const result = await user.runCog(['doctor'], { cwd: project, env });
    expect(result.exitCode, result.stdout + result.stderr).toBe(0);
    expect(result.stderr).toContain('✓ Docker: Docker engine');
    expect(result.stderr).toMatch(/✓ How cog push reads layers: cog push reads layers from the engine's storage at \S+ through a helper container/);
  });

  it('cog build: the image is built and labelled, and the project stays the user\'s', async () => {
    const result = await user.runCog(['build', '-t', image, '--progress', 'quiet'], { cwd: project, env });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stderr + result.stdout).toContain(`Image built as ${image}`);
    expect(notOwnedBy(user.uid, project)).toEqual([]);
  });

  it('cog run on the built image, then in the project (mounted at /src): no root-owned file left in it', async () => {
    const prebuilt = await user.runCog(['run', image, '-i', 'text=docker group'], { cwd: project, env });
    expect(prebuilt.exitCode, prebuilt.stderr).toBe(0);
    expect(prebuilt.stdout.trim()).toBe('hello docker group');
    const dev = await user.runCog(['run', '-i', 'text=mounted', '--progress', 'quiet'], { cwd: project, env });
    expect(dev.exitCode, dev.stderr).toBe(0);
    expect(dev.stdout.trim()).toBe('hello mounted');
    expect(notOwnedBy(user.uid, project)).toEqual([]);
    expect(await containersOf(testbed.docker, image)).toEqual([]);
  });

  it('cog serve answers predictions; SIGINT stops it and leaves nothing behind', async () => {
    const port = await freePort();
    const serve = user.runCog(['serve', '-p', String(port), '--progress', 'quiet'], { cwd: project, env });
    try {
      await waitUntilReady(port, { timeoutMs: 240_000 });
      const response = await request(`http://127.0.0.1:${port}/predictions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ input: { text: 'served' } }),
      });
      expect(await response.body.json()).toMatchObject({ status: 'succeeded', output: 'hello served' });
    } finally {
      serve.kill('SIGINT');
    }
    const result = await serve;
    expect(result.exitCode, result.stderr.slice(-2000)).toBe(0);
    expect((await testbed.docker.run(['ps', '--all', '--quiet', '--filter', 'name=cog-serve-'])).stdout.trim()).toBe('');
    expect(notOwnedBy(user.uid, project)).toEqual([]);
  });

  it('cog push reads the engine\'s storage through a helper container that leaves nothing behind; the image pulls back and answers READY', async () => {
    const result = await user.runCog(['push', image, '--no-build', '--json', '--debug'], { cwd: project, env });
    expect(result.exitCode, result.stderr.slice(-3000)).toBe(0);
    expect(result.stderr).toMatch(/reading layers from the engine's storage at \S+, through a helper container \(cog-store-[0-9a-f]+\)/);
    const report = JSON.parse(result.stdout) as { digest: string; layerSource: string; layers: Array<{ outcome: string }> };
    expect(report.layerSource).toBe('engine-store');
    expect(report.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    // An earlier run may have left these layers in the registry (then they are mounted or found).
    expect(report.layers.length).toBeGreaterThan(3);
    expect(await helperContainers(testbed)).toEqual([]);
    await expectPullsBackAndAnswers(image, 'pulled');
  });

  it('cog push --layer-source export reads the engine\'s export instead, to a registry that has nothing yet', async () => {
    const fresh = await startLocalRegistry();
    try {
      const target = `${fresh.host}/cogpack-it/export-${runId}:v1`;
      expect((await testbed.docker.run(['tag', image, target])).exitCode).toBe(0);
      const result = await user.runCog(['push', target, '--no-build', '--json', '--debug', '--layer-source', 'export'], { cwd: project, env: { ...env, COGPACK_CACHE_DIR: cacheDir() } });
      expect(result.exitCode, result.stderr.slice(-3000)).toBe(0);
      expect(result.stderr).toMatch(/reading layers with docker save, through the engine's API at unix:\/\/\/var\/run\/docker\.sock/);
      const report = JSON.parse(result.stdout) as { layerSource: string; pushed: number };
      expect(report).toMatchObject({ layerSource: 'docker-save' });
      expect(report.pushed).toBeGreaterThan(3);
      await expectPullsBackAndAnswers(target, 'exported');
    } finally {
      await fresh.stop();
    }
  });

  it('a push killed with SIGKILL leaves no helper container: it goes when the push goes', async () => {
    const fresh = await startLocalRegistry();
    try {
      const target = `${fresh.host}/cogpack-it/killed-${runId}:v1`;
      expect((await testbed.docker.run(['tag', image, target])).exitCode).toBe(0);
      const push = user.runCog(['push', target, '--no-build', '--debug', '--chunk-size', '1MiB'], { cwd: project, env: { ...env, COGPACK_CACHE_DIR: cacheDir() } });
      await waitFor(async () => (await helperContainers(testbed)).length > 0, 60_000);
      push.kill('SIGKILL');
      await push;
      await waitFor(async () => (await helperContainers(testbed)).length === 0, 30_000);
    } finally {
      await fresh.stop();
    }
  });

  // Dropping the docker group takes root (setpriv). Outside CI a developer who is not root skips
  // it; in CI it always runs, and fails there if the runner is not root.
  it.skipIf(process.getuid!() !== 0 && process.env.CI !== 'true')('without the docker group, cog doctor and cog build say how to get access', async () => {
    const doctor = await user.runCog(['doctor'], { cwd: project, env, groups: 'none' });
    expect(doctor.exitCode).not.toBe(0);
    expect(doctor.stderr).toContain('permission denied');
    expect(doctor.stderr).toContain('add it to the docker group');
    const build = await user.runCog(['build', '-t', `${image}-denied`], { cwd: project, env, groups: 'none' });
    expect(build.exitCode).toBe(3);
    expect(build.stderr).toContain('add it to the docker group');
    expect(build.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });
});
