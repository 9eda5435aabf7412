#!/usr/bin/env node
// `cog push` next to `docker push`, same image, same kind of registry, one run (issue #6):
//   - a model-like image of at least 2 GB: OS base, Python dependencies, a weights layer of random
//     bytes, a small code layer (built from fixtures/weights-layers);
//   - cold push of it to a fresh loopback registry: time and MB/s, for each tool (each gets its own
//     registry, so neither finds the other's blobs);
//   - the re-push after editing only predict.py and rebuilding, for each tool;
//   - cogpack's peak memory (max RSS) during the cold push.
// Targets: cold at least 2x faster than docker push; re-push after a code edit under 3 s.
// Usage: npm run build && node bench/push.mjs [weights MiB, default 1900]
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, openSync, closeSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const weightsMiB = Number(process.argv[2] ?? 1900);

const envLines = execFileSync('bash', [path.join(root, 'scripts/testbed.sh'), '--env'], { encoding: 'utf8' });
const env = { ...process.env };
for (const [, key, value] of envLines.matchAll(/^export (\w+)=(.*)$/gm)) env[key] = value;
const docker = env.COG_DOCKER || 'docker';
env.COGPACK_CACHE_DIR = mkdtempSync(path.join(tmpdir(), 'cogpack-bench-cache-'));

const run = (command, args, options = {}) => execFileSync(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', ...options });
const seconds = (f) => {
  const start = process.hrtime.bigint();
  const out = f();
  return { s: Number(process.hrtime.bigint() - start) / 1e9, out };
};
const cog = (args, cwd) => run(process.execPath, [path.join(root, 'bin/cog.js'), ...args], { cwd });

async function freePort() {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** A fresh Debian registry on loopback, its storage in a temp dir. */
async function startRegistry() {
  const dir = mkdtempSync(path.join(tmpdir(), 'cogpack-bench-registry-'));
  const port = await freePort();
  writeFileSync(path.join(dir, 'config.yml'), `version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: ${dir}/data\nhttp:\n  addr: 127.0.0.1:${port}\n`);
  const child = spawn('docker-registry', ['serve', path.join(dir, 'config.yml')], { stdio: 'ignore' });
  for (let i = 0; i < 100; i++) {
    try {
      execFileSync('curl', ['-fsS', `http://127.0.0.1:${port}/v2/`], { stdio: 'ignore' });
      break;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return { host: `127.0.0.1:${port}`, stop: () => { child.kill(); rmSync(dir, { recursive: true, force: true }); } };
}

const project = mkdtempSync(path.join(tmpdir(), 'cogpack-bench-push-'));
cpSync(path.join(root, 'fixtures/weights-layers'), project, { recursive: true, filter: (src) => !src.includes(`${path.sep}.cog`) });
mkdirSync(path.join(project, 'weights'), { recursive: true });
const weightsFile = openSync(path.join(project, 'weights', 'model.bin'), 'w');
for (let i = 0; i < weightsMiB; i++) writeSync(weightsFile, randomBytes(1024 * 1024));
closeSync(weightsFile);

const image = 'cogpack-bench-push:latest';
const registries = [await startRegistry(), await startRegistry()];
const [ours, theirs] = registries.map((r) => `${r.host}/bench/model:latest`);
try {
  console.log(`building a model-like image with ${weightsMiB} MiB of random weights…`);
  cog(['build', '-t', image, '--progress', 'quiet'], project);
  const size = Number(run(docker, ['image', 'inspect', '--format', '{{.Size}}', image]).trim());
  run(docker, ['tag', image, ours]);
  run(docker, ['tag', image, theirs]);

  // GNU time prints the peak resident memory (KiB) of the push as the last line of stderr.
  const cogCold = seconds(() =>
    spawnSync('/usr/bin/time', ['-f', '%M', process.execPath, path.join(root, 'bin/cog.js'), 'push', ours, '--no-build', '--json'], { cwd: project, env, encoding: 'utf8' }),
  );
  if (cogCold.out.status !== 0) throw new Error(`cog push failed:\n${cogCold.out.stderr}`);
  const cogReport = JSON.parse(cogCold.out.stdout);
  const peakKiB = Number(cogCold.out.stderr.trim().split('\n').at(-1));
  const dockerCold = seconds(() => run(docker, ['push', theirs]));

  appendFileSync(path.join(project, 'predict.py'), `\n# edited ${Date.now()}\n`);
  cog(['build', '-t', image, '--progress', 'quiet'], project);
  run(docker, ['tag', image, ours]);
  run(docker, ['tag', image, theirs]);
  const cogWarm = seconds(() => cog(['push', ours, '--no-build', '--json'], project));
  const dockerWarm = seconds(() => run(docker, ['push', theirs]));

  const mb = size / 1e6;
  const row = (name, a, b) => console.log(`${name.padEnd(30)} ${a.padStart(16)} ${b.padStart(16)}`);
  console.log(`\nimage ${(mb / 1000).toFixed(2)} GB (${cogReport.layers.length} layers; cogpack read them via ${cogReport.layerSource})`);
  row('', 'cogpack', 'docker push');
  row('cold push', `${cogCold.s.toFixed(1)} s`, `${dockerCold.s.toFixed(1)} s`);
  row('cold throughput (image MB/s)', `${(mb / cogCold.s).toFixed(0)} MB/s`, `${(mb / dockerCold.s).toFixed(0)} MB/s`);
  row('re-push after a code edit', `${cogWarm.s.toFixed(2)} s`, `${dockerWarm.s.toFixed(2)} s`);
  console.log(`cold speed-up: ${(dockerCold.s / cogCold.s).toFixed(2)}x (target >= 2x); re-push ${cogWarm.s < 3 ? 'under' : 'OVER'} 3 s`);
  console.log(`cogpack layers: ${cogReport.layers.map((l) => `${l.encoding}`).join(', ')}`);
  console.log(`cogpack peak memory during the cold push: ${(peakKiB / 1024).toFixed(0)} MiB (target under 300 MiB)`);
} finally {
  for (const registry of registries) registry.stop();
  execFileSync(docker, ['image', 'rm', '--force', image, ours, theirs, 'cogpack-bench-push-weights:latest'], { env, stdio: 'ignore' });
  rmSync(project, { recursive: true, force: true });
  rmSync(env.COGPACK_CACHE_DIR, { recursive: true, force: true });
}
