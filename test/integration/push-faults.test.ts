import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCog } from '../support/cli-process.js';
import { repoRoot } from '../support/paths.js';
import { copyFixture } from '../support/project-copy.js';
import { startFaultProxy, type FaultProxy, type ProxyFault } from '../support/registry/fault-proxy.js';
import { requireTestbed, runId, type Testbed } from '../support/testbed.js';

interface PushJson {
  digest: string;
  layers: Array<{ outcome: string }>;
}

// Pushes that meet every kind of registry trouble still complete, and produce exactly the manifest
// a clean push does; a push killed halfway does not upload again what it had confirmed.
describe('cog push under faults [engine] [registry]', () => {
  let testbed: Testbed;
  let project: string;
  let proxy: FaultProxy | undefined;
  const source = `cogpack-it-faults-src:${runId}`;
  const names: string[] = [source];
  const cacheEnv = () => ({ COGPACK_CACHE_DIR: mkdtempSync(path.join(tmpdir(), 'cogpack-faults-cache-')) });

  async function push(target: string, env: Record<string, string>, extra: string[] = []) {
    await testbed.docker.run(['tag', source, target]);
    names.push(target);
    return runCog(['push', target, '--no-build', '--json', '--chunk-size', '4MiB', ...extra], { cwd: project, env });
  }

  beforeAll(async () => {
    testbed = await requireTestbed();
    // A model-like image: base, dependencies, 20 MiB of random "weights" (pushed uncompressed,
    // in several chunks), and the code.
    project = copyFixture('weights-layers');
    mkdirSync(path.join(project, 'weights'), { recursive: true });
    writeFileSync(path.join(project, 'weights', 'model.bin'), randomBytes(20 * 1024 * 1024));
    const built = await runCog(['build', '-t', source, '--progress', 'quiet'], { cwd: project });
    expect(built.exitCode, built.stderr).toBe(0);
  });

  afterAll(async () => {
    await proxy?.close();
    for (const name of names) await testbed?.docker.run(['image', 'rm', '--force', name]);
    await testbed?.docker.run(['image', 'rm', '--force', source.replace(':', '-weights:')]);
    if (project) rmSync(project, { recursive: true, force: true });
  });

  it('500/502/503 before and after the registry saw a chunk, a cut mid-chunk, 429 with Retry-After, a stall: same digest as a clean push', async () => {
    const clean = await push(`${testbed.registry}/faults/clean-${runId}`, cacheEnv());
    expect(clean.exitCode, clean.stderr.slice(-1500)).toBe(0);
    const cleanDigest = (JSON.parse(clean.stdout) as PushJson).digest;

    const schedule: Record<string, ProxyFault> = {
      'PATCH 2': { kind: 'status', status: 500 },
      'PATCH 4': { kind: 'status', status: 502, when: 'after-forward' },
      'PATCH 6': { kind: 'cut', afterBytes: 1024 * 1024 },
      'PATCH 9': { kind: 'status', status: 503, headers: { 'Retry-After': '1' } },
      'POST 3': { kind: 'status', status: 429, headers: { 'Retry-After': '2' } },
      'PUT 3': { kind: 'stall' },
    };
    proxy = await startFaultProxy(testbed.registry, ({ method, methodCount }) => schedule[`${method} ${methodCount}`]);
    const faulty = await push(`${proxy.host}/faults/faulty-${runId}`, cacheEnv(), ['--request-timeout', '3']);
    expect(faulty.exitCode, faulty.stderr.slice(-3000)).toBe(0);
    expect((JSON.parse(faulty.stdout) as PushJson).digest).toBe(cleanDigest);
    // Every fault did happen.
    const outcomes = proxy.log.map((entry) => `${entry.method} ${String(entry.outcome)}`);
    for (const expected of ['PATCH 500', 'PATCH 502', 'PATCH cut', 'PATCH 503', 'POST 429', 'PUT stall']) expect(outcomes).toContain(expected);
  }, 300_000);

  it('SIGKILL in the middle of a push, then push again: what was confirmed is not uploaded again', async () => {
    const target = `${testbed.registry}/faults/killed-${runId}`;
    await testbed.docker.run(['tag', source, target]);
    names.push(target);
    const env = cacheEnv();
    const child = execa(process.execPath, [path.join(repoRoot, 'bin/cog.js'), 'push', target, '--no-build', '--chunk-size', '4MiB', '--concurrency', '1'], {
      cwd: project,
      env,
      reject: false,
      stdin: 'ignore',
    });
    const confirmed = new Set<string>();
    let killed = false;
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      for (const match of stderr.matchAll(/(layer \d+\/\d+)\s+pushed/g)) confirmed.add(match[1]!);
      if (confirmed.size >= 3 && !killed) killed = child.kill('SIGKILL');
    });
    const first = await child;
    expect(first.signal).toBe('SIGKILL');
    expect(confirmed.size).toBeGreaterThanOrEqual(3);

    const again = await runCog(['push', target, '--no-build'], { cwd: project, env });
    expect(again.exitCode, again.stderr.slice(-1500)).toBe(0);
    for (const layer of confirmed) {
      expect(again.stderr, `first run:\n${stderr}\nsecond run:\n${again.stderr}`).toMatch(new RegExp(`${layer.replace('/', '\\/')}\\s+exists`));
      expect(again.stderr).not.toMatch(new RegExp(`${layer.replace('/', '\\/')}\\s+pushed`));
    }
  }, 300_000);
});
