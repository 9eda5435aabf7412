import { randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCog } from '../support/cli-process.js';
import { dockerGroupUser, type DockerGroupUser } from '../support/docker-group-user.js';
import { copyFixture } from '../support/project-copy.js';
import { startFaultProxy, type FaultProxy } from '../support/registry/fault-proxy.js';
import { startLocalRegistry, type LocalRegistry } from '../support/registry/local-registry.js';
import { predictOnce } from '../support/serve.js';
import { requireTestbed, runId, type Testbed } from '../support/testbed.js';
import { startCog } from './run-support.js';

interface PushJson {
  digest: string;
  pushed: number;
  layerSource: string;
  layers: Array<{ outcome: string; size: number; encoding: string }>;
}

/**
 * `cog push` the way users type it: it builds, then pushes (no --no-build), before and after a
 * code-only edit, as root and as a user in the docker group; Ctrl-C in the middle of a push; and
 * a remote engine (DOCKER_HOST=tcp://…).
 */
describe('cog push as users type it [engine] [registry]', () => {
  let testbed: Testbed;
  let user: DockerGroupUser;
  const registries: LocalRegistry[] = [];
  const proxies: FaultProxy[] = [];
  const projects: string[] = [];
  const images: string[] = [];
  const weightsBytes = 24 * 1024 * 1024;

  const userEnv = () => Object.fromEntries(['COG_DOCKER', 'DOCKER_HOST', 'COG_CA_CERT'].flatMap((name) => (process.env[name] ? [[name, process.env[name]!]] : [])));

  function project(): string {
    const dir = copyFixture('weights-layers');
    mkdirSync(path.join(dir, 'weights'), { recursive: true });
    writeFileSync(path.join(dir, 'weights', 'model.bin'), randomBytes(weightsBytes));
    user.own(dir);
    projects.push(dir);
    return dir;
  }

  async function registry(): Promise<LocalRegistry> {
    const started = await startLocalRegistry();
    registries.push(started);
    return started;
  }

  function cacheDir(): string {
    const dir = mkdtempSync(path.join(tmpdir(), 'cogpack-push-cache-'));
    user.own(dir);
    return dir;
  }

  async function cog(who: 'root' | 'user', argv: string[], cwd: string, env: Record<string, string>) {
    return who === 'root' ? runCog(argv, { cwd, env }) : user.runCog(argv, { cwd, env: { ...userEnv(), ...env } });
  }

  /** Pulled from the registry (not what is local), started, asked: the weights fixture answers with the size it read. */
  async function expectPullsBackAndAnswers(name: string): Promise<void> {
    expect((await testbed.docker.run(['image', 'rm', name])).exitCode).toBe(0);
    const pulled = await testbed.docker.run(['pull', name]);
    expect(pulled.exitCode, pulled.stderrTail.join('\n')).toBe(0);
    expect(await predictOnce(testbed.docker, name, {})).toMatchObject({ status: 'succeeded', output: 1024 * 1024 });
  }

  beforeAll(async () => {
    testbed = await requireTestbed();
    user = await dockerGroupUser();
  });

  afterAll(async () => {
    for (const proxy of proxies) await proxy.close();
    for (const started of registries) await started.stop();
    for (const name of images) await testbed?.docker.run(['image', 'rm', '--force', name, name.replace(/:([^:/]+)$/, '-weights:$1')]);
    for (const dir of projects) rmSync(dir, { recursive: true, force: true });
    user?.cleanup();
  });

  for (const who of ['root', 'user'] as const) {
    it(`plain cog push as ${who === 'root' ? 'root' : 'a docker-group user'}: builds and pushes; after a code-only edit only the code layer goes up`, async () => {
      const dir = project();
      const name = `${(await registry()).host}/typed/${who}-${runId}:v1`;
      images.push(name);
      const env = { COGPACK_CACHE_DIR: cacheDir() };
      const first = await cog(who, ['push', name, '--json', '--progress', 'quiet'], dir, env);
      expect(first.exitCode, first.stderr.slice(-3000)).toBe(0);
      const before = JSON.parse(first.stdout) as PushJson;
      expect(before.pushed).toBe(before.layers.length);
      const weights = before.layers.find((layer) => layer.encoding === 'none' && layer.size > weightsBytes);
      expect(weights, 'the weights have a layer of their own').toBeDefined();

      appendFileSync(path.join(dir, 'predict.py'), '\n# a code-only edit\n');
      const second = await cog(who, ['push', name, '--json', '--progress', 'quiet'], dir, env);
      expect(second.exitCode, second.stderr.slice(-3000)).toBe(0);
      const after = JSON.parse(second.stdout) as PushJson;
      expect(after.digest).not.toBe(before.digest);
      expect(after.pushed).toBe(1); // the code layer
      expect(after.layers.at(-1)?.outcome).toBe('pushed');
      expect(after.layers.slice(0, -1).every((layer) => layer.outcome === 'exists')).toBe(true);
      await expectPullsBackAndAnswers(name);
    });
  }

  it('Ctrl-C in the middle of a push: exit 130 with what is in the registry, no manifest, every open upload session closed; the next push skips what was confirmed', async () => {
    const dir = project();
    const source = `cogpack-it-cancel:${runId}`;
    images.push(source);
    const built = await runCog(['build', '-t', source, '--progress', 'quiet'], { cwd: dir });
    expect(built.exitCode, built.stderr).toBe(0);
    const target = await registry();
    // A slow link (each chunk waits 200 ms): the push is still going when it is interrupted.
    const slow = await startFaultProxy(target.host, (context) => (context.hasBody ? { kind: 'delay', ms: 200 } : undefined));
    proxies.push(slow);
    const repository = `typed/cancel-${runId}`;
    const name = `${slow.host}/${repository}:v1`;
    images.push(name);
    expect((await testbed.docker.run(['tag', source, name])).exitCode).toBe(0);
    const env = { COGPACK_CACHE_DIR: cacheDir() };

    const push = startCog(['push', name, '--no-build', '--chunk-size', '1MiB', '--concurrency', '1', '--debug'], { cwd: dir, env });
    const confirmed = new Set<string>();
    await waitFor(() => {
      for (const match of push.stderr().matchAll(/(layer \d+\/\d+)\s+pushed/g)) confirmed.add(match[1]!);
      return confirmed.size >= 2;
    });
    process.kill(push.pid, 'SIGINT');
    const cancelled = await push.exited;
    expect(cancelled.exitCode).toBe(130);
    expect(cancelled.stderr).toMatch(/^error: push cancelled: \d+ of \d+ layer\(s\) are in the registry \([^)]+ sent\); no manifest was written, so the tag is unchanged$/m);
    expect(cancelled.stderr).toContain('hint: run the same cog push again to finish: it skips every layer the registry already has');
    // (--debug prints the abort's own stack as the cause; what matters is that it is no bug report.)
    expect(cancelled.stderr).not.toMatch(/internal error|This is a bug/);
    expect((await fetch(`http://${target.host}/v2/${repository}/tags/list`)).status).toBe(404);
    expect(confirmed.size, 'the push was interrupted before its end').toBeLessThan(cancelled.stderr.match(/layer \d+\/(\d+)/)?.[1] ? Number(cancelled.stderr.match(/layer \d+\/(\d+)/)![1]) : Infinity);
    // It closed (DELETE) every upload session it had open, and the registry answered each. What
    // the registry may still hold of one (the partial data of a chunk the cancel cut short, which
    // distribution 2.8 can still be writing when the DELETE comes) is the registry's to purge.
    const uploads = path.join(target.storageDir, 'docker', 'registry', 'v2', 'repositories', ...repository.split('/'), '_uploads');
    const left = existsSync(uploads) ? readdirSync(uploads) : [];
    const deleted = new Map([...cancelled.stderr.matchAll(/DELETE http:\/\/\S+\/blobs\/uploads\/([0-9a-f-]+)\?\S* → (\d+)/g)].map(([, id, status]) => [id!, status!]));
    for (const id of left) expect(['204', '404'], `session ${id} was left without a DELETE`).toContain(deleted.get(id));

    const again = await runCog(['push', name, '--no-build'], { cwd: dir, env });
    expect(again.exitCode, again.stderr.slice(-2000)).toBe(0);
    for (const layer of confirmed) {
      expect(again.stderr).toMatch(new RegExp(`${layer.replace('/', '\\/')}\\s+exists`));
      expect(again.stderr).not.toMatch(new RegExp(`${layer.replace('/', '\\/')}\\s+pushed`));
    }
  });

  it('a remote engine (DOCKER_HOST=tcp://…): layers come from its export over its API, though this machine could read the storage', async () => {
    const tcp = process.env.COGPACK_TEST_DOCKER_TCP;
    if (!tcp) throw new Error('COGPACK_TEST_DOCKER_TCP is not set: the test bed starts the engine on a loopback TCP port too');
    const dir = project();
    const source = `cogpack-it-remote:${runId}`;
    images.push(source);
    const built = await runCog(['build', '-t', source, '--progress', 'quiet'], { cwd: dir });
    expect(built.exitCode, built.stderr).toBe(0);
    const name = `${(await registry()).host}/typed/remote-${runId}:v1`;
    images.push(name);
    expect((await testbed.docker.run(['tag', source, name])).exitCode).toBe(0);
    const result = await runCog(['push', name, '--no-build', '--json', '--debug'], { cwd: dir, env: { COGPACK_CACHE_DIR: cacheDir(), DOCKER_HOST: tcp } });
    expect(result.exitCode, result.stderr.slice(-3000)).toBe(0);
    expect(result.stderr).toContain(`reading layers with docker save: the engine is not local (${tcp}); through the engine's API at ${tcp}`);
    expect((JSON.parse(result.stdout) as PushJson).layerSource).toBe('docker-save');
    await expectPullsBackAndAnswers(name);
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`not so within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
