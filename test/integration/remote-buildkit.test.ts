import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCog } from '../support/cli-process.js';
import { copyFixture } from '../support/project-copy.js';
import { startLocalRegistry, type LocalRegistry } from '../support/registry/local-registry.js';
import { predictOnce } from '../support/serve.js';
import { requireTestbed, runId, type Testbed } from '../support/testbed.js';

interface PushJson {
  digest: string;
  layerSource: string;
  layers: Array<{ encoding: string; size: number; outcome: string }>;
}

/**
 * A BuildKit daemon as a remote builder: the test bed's buildkitd on loopback TCP (and one with
 * mutual TLS), which sees none of the engine's images (base images come from the loopback registry
 * through COG_IMAGE_MIRRORS), and a build cache kept in the registry.
 */
describe('builds on a BuildKit daemon [engine] [registry] [buildkitd]', () => {
  let testbed: Testbed;
  const projects: string[] = [];
  const images: string[] = [];
  const registries: LocalRegistry[] = [];
  let daemon: string;
  let tlsDaemon: string;
  let tlsDir: string;
  let buildctl: string;

  /** What the daemon needs from the environment: buildctl, and the base images' mirror. */
  const remoteEnv = (extra: Record<string, string> = {}) => ({
    COG_BUILDCTL: buildctl,
    COG_IMAGE_MIRRORS: `docker.io=${process.env.COGPACK_TEST_HUB_MIRROR}`,
    COGPACK_CACHE_DIR: mkdtempSync(path.join(tmpdir(), 'cogpack-remote-cache-')),
    ...extra,
  });

  function project(fixture: string, weightsBytes = 0): string {
    const dir = copyFixture(fixture);
    if (weightsBytes > 0) {
      mkdirSync(path.join(dir, 'weights'), { recursive: true });
      writeFileSync(path.join(dir, 'weights', 'model.bin'), randomBytes(weightsBytes));
    }
    projects.push(dir);
    return dir;
  }

  /** Pulled from the registry (nothing of it local before), started, asked. */
  async function expectPullsAndAnswers(name: string, input: Record<string, unknown>, output: unknown): Promise<void> {
    await testbed.docker.run(['image', 'rm', name]);
    const pulled = await testbed.docker.run(['pull', name]);
    expect(pulled.exitCode, pulled.stderrTail.join('\n')).toBe(0);
    images.push(name);
    expect(await predictOnce(testbed.docker, name, input)).toMatchObject({ status: 'succeeded', output });
  }

  /** Temporary names a build left in the local engine (there must be none). */
  async function leftovers(): Promise<string[]> {
    return (await testbed.docker.run(['image', 'ls', '--format', '{{.Repository}}:{{.Tag}}', 'cog-tmp'])).stdout.split('\n').filter(Boolean);
  }

  beforeAll(async () => {
    testbed = await requireTestbed();
    const missing = ['COGPACK_TEST_BUILDKITD', 'COGPACK_TEST_BUILDKITD_TLS', 'COGPACK_TEST_BUILDKIT_TLS_DIR', 'COGPACK_TEST_BUILDCTL', 'COGPACK_TEST_HUB_MIRROR'].filter((name) => !process.env[name]);
    if (missing.length > 0) throw new Error(`${missing.join(', ')} not set: scripts/testbed.sh starts the BuildKit daemons and exports them`);
    daemon = process.env.COGPACK_TEST_BUILDKITD!;
    tlsDaemon = process.env.COGPACK_TEST_BUILDKITD_TLS!;
    tlsDir = process.env.COGPACK_TEST_BUILDKIT_TLS_DIR!;
    buildctl = process.env.COGPACK_TEST_BUILDCTL!;
  });

  afterAll(async () => {
    for (const registry of registries) await registry.stop();
    for (const name of images) await testbed?.docker.run(['image', 'rm', '--force', name]);
    for (const dir of projects) rmSync(dir, { recursive: true, force: true });
  });

  it('BUILDKIT_HOST=tcp://… cog push: hello-world built on the daemon, streamed from its export into the registry, pulled back and answering', async () => {
    const dir = project('hello-world');
    const name = `${testbed.registry}/remote/hello-${runId}:v1`;
    const result = await runCog(['push', name, '--json', '--progress', 'quiet', '--debug'], { cwd: dir, env: remoteEnv({ BUILDKIT_HOST: daemon }) });
    expect(result.exitCode, result.stderr.slice(-3000)).toBe(0);
    expect(result.stderr).toContain(`engine route: BuildKit daemon at ${daemon} (BUILDKIT_HOST)`);
    const report = JSON.parse(result.stdout) as PushJson;
    expect(report.layerSource).toBe('buildkit-export');
    // The base image's layers were in the registry already (the mirror): mounted, not sent.
    expect(report.layers[0]?.outcome).toBe('mounted');
    expect((await testbed.docker.run(['image', 'inspect', name])).exitCode, 'nothing was loaded into the local engine').not.toBe(0);
    await expectPullsAndAnswers(name, { text: 'remote' }, 'hello remote');
  });

  it('the weights fixture on the daemon: the weights still in a layer of their own, pushed and pulled back', async () => {
    const weights = 20 * 1024 * 1024;
    const dir = project('weights-layers', weights);
    const name = `${testbed.registry}/remote/weights-${runId}:v1`;
    const result = await runCog(['push', name, '--json', '--progress', 'quiet'], { cwd: dir, env: remoteEnv({ BUILDKIT_HOST: daemon }) });
    expect(result.exitCode, result.stderr.slice(-3000)).toBe(0);
    const report = JSON.parse(result.stdout) as PushJson;
    const weightsLayer = report.layers.find((layer) => layer.encoding === 'none' && layer.size > weights);
    expect(weightsLayer, 'a layer holding the weights alone').toBeDefined();
    expect(report.layers.at(-1)!.size).toBeLessThan(100_000); // the code layer stays small
    await expectPullsAndAnswers(name, {}, 1024 * 1024);
  });

  it('cog build on the daemon loads the image into the local engine, labelled; cog run works on the project', async () => {
    const dir = project('hello-world');
    const name = `cogpack-it-remote-build:${runId}`;
    images.push(name);
    const built = await runCog(['build', '-t', name, '--json', '--progress', 'quiet', '--buildkit-host', daemon], { cwd: dir, env: remoteEnv() });
    expect(built.exitCode, built.stderr.slice(-3000)).toBe(0);
    expect(JSON.parse(built.stdout)).toMatchObject({ image: name, location: 'engine', imageId: expect.stringMatching(/^sha256:/) });
    const labels = JSON.parse((await testbed.docker.run(['image', 'inspect', '--format', '{{json .Config.Labels}}', name])).stdout) as Record<string, string>;
    expect(labels['run.cog.pip_freeze']).toMatch(/^cog==/m);
    expect(labels['run.cog.openapi_schema']).toContain('"Input"');
    const run = await runCog(['run', '-i', 'text=dev'], { cwd: dir, env: remoteEnv({ BUILDKIT_HOST: daemon }) });
    expect(run.exitCode, run.stderr.slice(-3000)).toBe(0);
    expect(run.stdout.trim()).toBe('hello dev');
    expect(await leftovers()).toEqual([]);
  });

  it('cog build on the daemon with no local engine: the image stays in the daemon\'s cache, and says so', async () => {
    const dir = project('hello-world');
    const result = await runCog(['build', '-t', `cogpack-it-remote-nowhere:${runId}`, '--json', '--progress', 'quiet'], {
      cwd: dir,
      env: remoteEnv({ BUILDKIT_HOST: daemon, DOCKER_HOST: 'unix:///nonexistent/docker.sock' }),
    });
    expect(result.exitCode, result.stderr.slice(-3000)).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ location: 'builder', imageId: '' });
    expect(result.stderr).toContain(`no local engine to load cogpack-it-remote-nowhere:${runId} into: it stays in the BuildKit daemon's cache at ${daemon}`);
  });

  it('a runner with an empty builder rebuilds after a code edit from the registry cache alone (over mutual TLS)', async () => {
    const dir = project('weights-layers', 12 * 1024 * 1024);
    const cache = `${testbed.registry}/remote/cache-${runId}:buildcache`;
    const tls = ['--buildkit-host', tlsDaemon, '--buildkit-tls-dir', tlsDir];
    const first = await runCog(['build', '-t', `cogpack-it-remote-cache:${runId}`, '--progress', 'plain', ...tls, '--cache-to', `type=registry,ref=${cache},mode=max`], { cwd: dir, env: remoteEnv() });
    images.push(`cogpack-it-remote-cache:${runId}`);
    expect(first.exitCode, first.stderr.slice(-3000)).toBe(0);
    // An empty builder, and an engine without the image: what a fresh CI runner has.
    execFileSync(buildctl, ['--addr', tlsDaemon, '--tlscacert', `${tlsDir}/ca.pem`, '--tlscert', `${tlsDir}/cert.pem`, '--tlskey', `${tlsDir}/key.pem`, 'prune', '--all'], { stdio: 'ignore' });
    await testbed.docker.run(['image', 'rm', '--force', `cogpack-it-remote-cache:${runId}`]);
    appendFileSync(path.join(dir, 'predict.py'), '\n# a code edit\n');
    const second = await runCog(['build', '-t', `cogpack-it-remote-cache:${runId}`, '--progress', 'plain', ...tls, '--cache-from', `type=registry,ref=${cache}`], { cwd: dir, env: remoteEnv() });
    expect(second.exitCode, second.stderr.slice(-3000)).toBe(0);
    const steps = stepOutcomes(second.stderr);
    for (const step of ['uv pip install', 'COPY --from=weights']) {
      expect(steps.find(([name]) => name.includes(step))?.[1], `${step} came from the cache`).toBe('CACHED');
    }
    expect(steps.find(([name]) => name.includes('COPY . /src'))?.[1]).toBe('built');
  });

  it('an unreachable daemon, a bad certificate, a cache the registry refuses: exit 3 or 1 with the address and what to do, nothing left half-built', async () => {
    const dir = project('hello-world');
    const unreachable = await runCog(['build', '-t', `cogpack-it-remote-fail:${runId}`, '--buildkit-host', 'tcp://127.0.0.1:1'], { cwd: dir, env: remoteEnv() });
    expect(unreachable.exitCode).toBe(3);
    expect(unreachable.stderr).toMatch(/^error: cannot reach the BuildKit daemon at tcp:\/\/127\.0\.0\.1:1 \(--buildkit-host\): /m);
    expect(unreachable.stderr).toMatch(/^hint: start buildkitd there, or fix the address/m);

    const untrusted = await runCog(['build', '-t', `cogpack-it-remote-fail:${runId}`, '--buildkit-host', tlsDaemon], { cwd: dir, env: remoteEnv() });
    expect(untrusted.exitCode).toBe(3);
    expect(untrusted.stderr).toContain(`cannot reach the BuildKit daemon at ${tlsDaemon}`);

    const locked = await startLocalRegistry({ htpasswd: { username: 'ci', password: 'secret-pass' } });
    registries.push(locked);
    const refused = await runCog(['build', '-t', `cogpack-it-remote-fail:${runId}`, '--progress', 'quiet', '--buildkit-host', daemon, '--cache-to', `type=registry,ref=${locked.host}/cache:x`], { cwd: dir, env: remoteEnv() });
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toMatch(/^error: build on the BuildKit daemon at tcp:\/\/127\.0\.0\.1:\d+ failed/m);
    expect(refused.stderr).toMatch(/401|unauthorized|authorization/i);
    for (const result of [unreachable, untrusted, refused]) expect(result.stderr).not.toMatch(/internal error|\n\s+at /);
    expect((await testbed.docker.run(['image', 'inspect', `cogpack-it-remote-fail:${runId}`])).exitCode).not.toBe(0);
    expect(await leftovers()).toEqual([]);
  });

  it('the classic route refuses the cache flags plainly', async () => {
    const dir = project('hello-world');
    const result = await runCog(['build', '-t', `cogpack-it-classic-cache:${runId}`, '--cache-to', 'type=inline'], { cwd: dir, env: { COGPACK_CACHE_DIR: mkdtempSync(path.join(tmpdir(), 'c-')) } });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain("error: --cache-to and --cache-from need BuildKit's own client");
  });
});

/**
 * Each build step BuildKit reported, and whether it came from the cache: `[name, 'CACHED' | 'built']`.
 * A step built in any of the builds of the output (the daemon route runs two) counts as built.
 */
function stepOutcomes(progress: string): Array<[string, 'CACHED' | 'built']> {
  const occurrences: Array<{ name: string; cached: boolean }> = [];
  const byId = new Map<string, { name: string; cached: boolean }>();
  for (const line of progress.split('\n')) {
    const step = /^#(\d+) (\[.+)$/.exec(line);
    if (step) {
      const occurrence = { name: step[2]!, cached: false };
      occurrences.push(occurrence);
      byId.set(step[1]!, occurrence);
    }
    const hit = /^#(\d+) CACHED$/.exec(line);
    if (hit && byId.has(hit[1]!)) byId.get(hit[1]!)!.cached = true;
  }
  const built = new Map<string, boolean>();
  for (const { name, cached } of occurrences) built.set(name, (built.get(name) ?? false) || !cached);
  return [...built.entries()].map(([name, wasBuilt]) => [name, wasBuilt ? 'built' : 'CACHED']);
}
