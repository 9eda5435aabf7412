import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCog } from '../support/cli-process.js';
import { dockerGroupUser, type DockerGroupUser } from '../support/docker-group-user.js';
import { copyFixture } from '../support/project-copy.js';
import { startFaultProxy, type FaultProxy, type ProxyFault, type ProxyFaultContext } from '../support/registry/fault-proxy.js';
import { startLocalRegistry, type LocalRegistry } from '../support/registry/local-registry.js';
import { requireTestbed, runId, type Testbed } from '../support/testbed.js';

interface PushJson {
  digest: string;
  bytesSent: number;
  layers: Array<{ size: number; outcome: string; retries?: number; restarts?: number }>;
}

/**
 * A bad network between cog push and two real registries with different session behaviour:
 * Debian's docker-registry (distribution 2.8, which forgets an upload session after a cut or a
 * lost answer) and distribution v3 (which keeps it). A fault proxy fails about 40 % of the
 * requests that carry blob bytes (5xx before the registry sees them, 5xx after it kept them,
 * connections cut mid-body), answers 429 with Retry-After to some others and stalls one. Each push
 * must end with the digest of a clean push, as root and as a user in the docker group.
 */
describe('cog push on a bad network [engine] [registry]', () => {
  let testbed: Testbed;
  let user: DockerGroupUser;
  let project: string;
  const image = `cogpack-it-bad-network:${runId}`;
  let cleanDigest: string;
  let cleanBytes: number;
  const registries: LocalRegistry[] = [];
  const proxies: FaultProxy[] = [];
  const chunk = 16 * 1024 * 1024;

  /** What the test bed exports (engine, CA certificates), passed on as a user's shell would. */
  const userEnv = () => Object.fromEntries(['COG_DOCKER', 'DOCKER_HOST', 'COG_CA_CERT'].flatMap((name) => (process.env[name] ? [[name, process.env[name]!]] : [])));

  /** A fresh registry of that version, its own name for the image, and a cache nobody used. */
  async function target(version: '2.8' | '3', faults?: (context: ProxyFaultContext) => ProxyFault | undefined) {
    const registry = await startLocalRegistry({ version });
    registries.push(registry);
    const proxy = faults ? await startFaultProxy(registry.host, faults) : undefined;
    if (proxy) proxies.push(proxy);
    const name = `${proxy?.host ?? registry.host}/bad-network/model-${runId}:v1`;
    expect((await testbed.docker.run(['tag', image, name])).exitCode).toBe(0);
    const cache = mkdtempSync(path.join(tmpdir(), 'cogpack-bad-network-cache-'));
    user.own(cache);
    return { registry, proxy, name, cache };
  }

  async function push(who: 'root' | 'user', name: string, cache: string) {
    const argv = ['push', name, '--no-build', '--json', '--chunk-size', '16MiB', '--request-timeout', '3'];
    const env = { COGPACK_CACHE_DIR: cache };
    const started = performance.now();
    const result = who === 'root' ? await runCog(argv, { cwd: project, env }) : await user.runCog(argv, { cwd: project, env: { ...userEnv(), ...env } });
    return { ...result, seconds: (performance.now() - started) / 1000 };
  }

  beforeAll(async () => {
    testbed = await requireTestbed();
    user = await dockerGroupUser();
    project = copyFixture('weights-layers');
    mkdirSync(path.join(project, 'weights'), { recursive: true });
    writeFileSync(path.join(project, 'weights', 'model.bin'), randomBytes(40 * 1024 * 1024));
    user.own(project);
    const built = await runCog(['build', '-t', image, '--progress', 'quiet'], { cwd: project });
    expect(built.exitCode, built.stderr).toBe(0);
    const clean = await target('2.8');
    const pushed = await push('root', clean.name, clean.cache);
    expect(pushed.exitCode, pushed.stderr.slice(-2000)).toBe(0);
    const report = JSON.parse(pushed.stdout) as PushJson;
    cleanDigest = report.digest;
    cleanBytes = report.bytesSent;
  });

  afterAll(async () => {
    for (const proxy of proxies) await proxy.close();
    for (const registry of registries) await registry.stop();
    await testbed?.docker.run(['image', 'rm', '--force', image, image.replace(':', '-weights:')]);
    if (project) rmSync(project, { recursive: true, force: true });
    user?.cleanup();
  });

  for (const version of ['2.8', '3'] as const) {
    for (const who of ['root', 'user'] as const) {
      it(`distribution ${version}, as ${who === 'root' ? 'root' : 'a docker-group user'}: completes with the digest of a clean push`, async () => {
        const { proxy, name, cache } = await target(version, badNetwork(seedFor(version, who)));
        const result = await push(who, name, cache);
        expect(result.exitCode, result.stderr.slice(-3000)).toBe(0);
        const report = JSON.parse(result.stdout) as PushJson;
        expect(report.digest).toBe(cleanDigest);
        const faults = proxy!.log.filter((entry) => entry.outcome === 'cut' || (typeof entry.outcome === 'number' && entry.outcome >= 500 && entry.upstreamStatus !== entry.outcome));
        expect(faults.length, 'the fault profile did not fire').toBeGreaterThan(2);
        const resent = proxy!.log.filter((entry) => entry.method === 'PATCH' || entry.method === 'PUT').reduce((sum, entry) => sum + entry.forwardedBytes, 0) - cleanBytes;
        if (version === '3') {
          // The session survives every fault: at most the chunk at hand is sent again, per fault,
          // and no blob sent in chunks starts over (a blob sent in one request may: v3 answers a
          // PUT sent again after a fault with 416, having kept part of the first).
          expect(resent).toBeLessThanOrEqual(faults.length * chunk);
          expect(report.layers.filter((layer) => layer.size > chunk).every((layer) => (layer.restarts ?? 0) === 0)).toBe(true);
        }
        expect(report.layers.some((layer) => (layer.retries ?? 0) + (layer.restarts ?? 0) > 0)).toBe(true);
      }, 600_000);
    }
  }

  it('every blob request failing: a clear error within the documented budget, and no manifest', async () => {
    const { registry, name, cache } = await target('2.8', (context) => (context.hasBody ? { kind: 'status', status: 503 } : undefined));
    const result = await push('root', name, cache);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/^error: could not push (layer \d+|the image config) to 127\.0\.0\.1:\d+\/bad-network\/model-\S+: (PATCH|PUT) \S+ on 127\.0\.0\.1:\d+: 503 Service Unavailable: INJECTED injected 503 by the fault proxy \(after 10 attempts\)$/m);
    expect(result.stderr).not.toMatch(/internal error|\n\s+at /);
    // docs/push.md: a registry that refuses every upload request ends the push within about 1.5
    // minutes (10 attempts, the waits between them at most 91.5 s in all).
    expect(result.seconds).toBeLessThan(150);
    const tags = await fetch(`http://${registry.host}/v2/bad-network/model-${runId}/tags/list`);
    expect(tags.status).toBe(404); // the repository has blobs, but no manifest was ever put
  }, 300_000);
});

/** A seed per case, printed when a case fails (the fault sequence repeats with it). */
function seedFor(version: string, who: string): number {
  return [...`${version}-${who}`].reduce((hash, c) => (hash * 31 + c.charCodeAt(0)) >>> 0, 7);
}

/**
 * The fault profile, repeatable from its seed: of the requests that carry blob bytes, 15 % get a
 * 5xx before the registry sees them, 15 % a 5xx after it kept the bytes, 10 % a cut mid-body; of
 * the others, 5 % a 429 with Retry-After: 1; the third POST stalls.
 */
function badNetwork(seed: number): (context: ProxyFaultContext) => ProxyFault | undefined {
  let state = seed;
  const random = () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state / 2 ** 32;
  };
  return (context) => {
    const draw = random();
    if (!context.hasBody) {
      if (context.method === 'POST' && context.methodCount === 3) return { kind: 'stall' };
      return draw < 0.05 ? { kind: 'status', status: 429, headers: { 'Retry-After': '1' } } : undefined;
    }
    if (draw < 0.15) return { kind: 'status', status: [500, 502, 503][Math.floor(random() * 3)]! };
    if (draw < 0.3) return { kind: 'status', status: 502, when: 'after-forward' };
    if (draw < 0.4) return { kind: 'cut', afterBytes: Math.floor(random() * (context.length ?? 1024 * 1024)) };
    return undefined;
  };
}
