#!/usr/bin/env node
// Pushing a model-like image, every way it is read, next to the peer tools, from one run:
//   - the image: OS base, Python dependencies, a weights layer of random bytes (1.5 GiB by
//     default), a small code layer (fixtures/weights-layers, built by cogpack);
//   - the floor: `docker save` to /dev/null, what reading an image out of the engine costs; and
//     the registry's: one PUT of the weights file by curl, what writing into the registry costs;
//   - cold pushes, each to a fresh loopback registry: cogpack as root (the engine's storage),
//     cogpack as a user in the docker group (the storage through a helper container, and the
//     engine's export with --layer-source export), `docker push`, and skopeo (docker-daemon:);
//   - cogpack's peak memory (max RSS) on each of its cold pushes;
//   - the re-push after editing only predict.py and rebuilding, as root and as the user.
// Targets (issue 11): the docker-group user at most 1.3x the floor (so at least 2x faster than
// docker push and 1.3x faster than skopeo); root at most 1.1x the floor; re-push under 3 s;
// peak memory under 300 MB.
// Usage: npm run build && node bench/push.mjs [weights MiB, default 1536]   (as root; sets up the test bed)
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, closeSync, cpSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchUser } from './docker-group-user.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const weightsMiB = Number(process.argv[2] ?? 1536);

const envLines = execFileSync('bash', [path.join(root, 'scripts/testbed.sh'), '--env'], { encoding: 'utf8' });
const env = { ...process.env };
for (const [, key, value] of envLines.matchAll(/^export (\w+)=(.*)$/gm)) env[key] = value;
const docker = env.COG_DOCKER || 'docker';
const userEnv = Object.fromEntries(['COG_DOCKER', 'DOCKER_HOST', 'COG_CA_CERT'].filter((k) => env[k]).map((k) => [k, env[k]]));

const run = (command, args, options = {}) => execFileSync(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', ...options });
const timed = (f) => {
  const start = process.hrtime.bigint();
  const out = f();
  return { seconds: Number(process.hrtime.bigint() - start) / 1e9, out };
};

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
    if (spawnSync('curl', ['-fsS', `http://127.0.0.1:${port}/v2/`], { stdio: 'ignore' }).status === 0) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return { host: `127.0.0.1:${port}`, stop: () => { child.kill(); rmSync(dir, { recursive: true, force: true }); } };
}

/**
 * Before each timed run: what earlier runs wrote (a registry's gigabytes) is flushed to disk, so
 * one tool's writeback does not slow the next one down.
 */
function settle() {
  spawnSync('sync');
}

/** `cog push` as root, timed, with its peak memory (GNU time prints it as stderr's last line). */
function cogAsRoot(argv, cwd, cacheDir) {
  const started = process.hrtime.bigint();
  const result = spawnSync('/usr/bin/time', ['-f', '%M', process.execPath, path.join(root, 'bin/cog.js'), ...argv], { cwd, env: { ...env, COGPACK_CACHE_DIR: cacheDir }, encoding: 'utf8' });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, seconds, peakKiB: Number(result.stderr.trim().split('\n').at(-1)) };
}

function checked(result, what) {
  if (result.status !== 0) throw new Error(`${what} failed:\n${result.stderr.slice(-3000)}`);
  return result;
}

const project = mkdtempSync(path.join(tmpdir(), 'cogpack-bench-push-'));
cpSync(path.join(root, 'fixtures/weights-layers'), project, { recursive: true, filter: (src) => !src.includes(`${path.sep}.cog`) });
mkdirSync(path.join(project, 'weights'), { recursive: true });
const weightsFile = openSync(path.join(project, 'weights', 'model.bin'), 'w');
for (let i = 0; i < weightsMiB; i++) writeSync(weightsFile, randomBytes(1024 * 1024));
closeSync(weightsFile);

const image = 'cogpack-bench-push:latest';
const user = benchUser(root);
const userDir = user.ownedDir('cogpack-bench-user-');
const registries = [];
const names = [image, 'cogpack-bench-push-weights:latest'];
const target = async () => {
  const registry = await startRegistry();
  registries.push(registry);
  settle();
  const name = `${registry.host}/bench/model:latest`;
  run(docker, ['tag', image, name]);
  names.push(name);
  return name;
};

try {
  console.log(`building a model-like image with ${weightsMiB} MiB of random weights…`);
  checked(cogAsRoot(['build', '-t', image, '--progress', 'quiet'], project, mkdtempSync(path.join(tmpdir(), 'cogpack-bench-cache-'))), 'cog build');
  const size = Number(run(docker, ['image', 'inspect', '--format', '{{.Size}}', image]).trim());
  names.push(run(docker, ['image', 'inspect', '--format', '{{.Id}}', image]).trim()); // the edit's rebuild leaves it untagged
  const mb = size / 1e6;

  settle();
  const floor = timed(() => spawnSync(docker, ['save', image], { env, stdio: ['ignore', 'ignore', 'inherit'] })).seconds;

  // The registry's own floor: what it takes to ingest the weights file (most of the image) in one
  // PUT streamed by curl from the page cache, with no engine in the way; scaled to the image.
  // And both at once, as a push must: `docker save` streamed by curl into one upload (the digest
  // computed on the way by sha256sum), the least any push that reads the export could take.
  const weightsPath = path.join(project, 'weights', 'model.bin');
  const weightsBytes = weightsMiB * 2 ** 20;
  const weightsDigest = `sha256:${run('sha256sum', [weightsPath]).split(' ')[0]}`;
  const ingestRegistry = await startRegistry();
  let ingest;
  let pipeline;
  try {
    const upload = () => {
      const session = run('curl', ['-fsS', '-D', '-', '-o', '/dev/null', '-X', 'POST', `http://${ingestRegistry.host}/v2/bench/ingest/blobs/uploads/`]);
      return new URL(/^location: (.+)$/im.exec(session)[1].trim(), `http://${ingestRegistry.host}`);
    };
    const location = upload();
    location.searchParams.set('digest', weightsDigest);
    run('cat', [weightsPath], { stdio: ['ignore', 'ignore', 'ignore'] }); // in the page cache, as the engine's files are for the others
    settle();
    ingest = timed(() => run('curl', ['-fsS', '-o', '/dev/null', '-X', 'PUT', '-H', 'Content-Type: application/octet-stream', '-T', weightsPath, location.href])).seconds;
    const streamed = upload();
    settle();
    pipeline = timed(() => {
      // One PATCH with the whole stream, then the closing PUT with the digest sha256sum saw.
      const script = `"$0" save "$1" | tee >(sha256sum > "$2") | curl -fsS -D - -o /dev/null -X PATCH -H 'Content-Type: application/octet-stream' -T - "$3"; wait $!`;
      const headers = run('bash', ['-o', 'pipefail', '-c', script, docker, image, path.join(project, '.bench-save-digest'), streamed.href]);
      const close = new URL(/^location: (.+)$/im.exec(headers)[1].trim(), `http://${ingestRegistry.host}`);
      close.searchParams.set('digest', `sha256:${readFileSync(path.join(project, '.bench-save-digest'), 'utf8').split(' ')[0]}`);
      run('curl', ['-fsS', '-o', '/dev/null', '-X', 'PUT', close.href]);
    }).seconds;
  } finally {
    ingestRegistry.stop();
  }
  const ingestRate = weightsBytes / ingest;
  const ingestFloor = size / ingestRate;

  const rootTarget = await target();
  const rootCache = mkdtempSync(path.join(tmpdir(), 'cogpack-bench-cache-'));
  const rootCold = checked(cogAsRoot(['push', rootTarget, '--no-build', '--json'], project, rootCache), 'cog push as root');
  const userTarget = await target();
  const userCache = user.ownedDir('cogpack-bench-user-cache-');
  const userCold = checked(user.cog(['push', userTarget, '--no-build', '--json'], { cwd: userDir, env: { ...userEnv, COGPACK_CACHE_DIR: userCache } }), 'cog push as the docker-group user');
  const exportTarget = await target();
  const userExport = checked(
    user.cog(['push', exportTarget, '--no-build', '--json', '--layer-source', 'export'], { cwd: userDir, env: { ...userEnv, COGPACK_CACHE_DIR: user.ownedDir('cogpack-bench-user-cache-') } }),
    'cog push --layer-source export as the docker-group user',
  );
  const dockerTarget = await target();
  const dockerCold = timed(() => run(docker, ['push', dockerTarget])).seconds;
  const skopeoTarget = await target();
  const skopeoCold = timed(() => run('skopeo', ['copy', '--quiet', '--dest-tls-verify=false', `docker-daemon:${image}`, `docker://${skopeoTarget}`])).seconds;
  // The registries that take no re-push go now: their data need not be flushed during the next runs.
  for (const registry of [registries[2], registries[4]]) registry.stop();

  // A code-only edit, rebuilt, pushed again where the previous version went.
  appendFileSync(path.join(project, 'predict.py'), `\n# edited ${Date.now()}\n`);
  checked(cogAsRoot(['build', '-t', image, '--progress', 'quiet'], project, mkdtempSync(path.join(tmpdir(), 'cogpack-bench-cache-'))), 'cog build after the edit');
  for (const name of [rootTarget, userTarget, dockerTarget]) run(docker, ['tag', image, name]);
  settle();
  settle();
  const rootWarm = checked(cogAsRoot(['push', rootTarget, '--no-build', '--json'], project, rootCache), 'cog re-push as root');
  settle();
  const userWarm = checked(user.cog(['push', userTarget, '--no-build', '--json'], { cwd: userDir, env: { ...userEnv, COGPACK_CACHE_DIR: userCache } }), 'cog re-push as the user');
  settle();
  const dockerWarm = timed(() => run(docker, ['push', dockerTarget])).seconds;

  const report = (result) => JSON.parse(result.stdout);
  console.log(`\nimage ${(mb / 1000).toFixed(2)} GB, ${report(rootCold).layers.length} layers; floor (docker save > /dev/null): ${floor.toFixed(1)} s`);
  const row = (name, seconds, peakKiB) =>
    console.log(`${name.padEnd(52)} ${`${seconds.toFixed(1)} s`.padStart(8)} ${`${(mb / seconds).toFixed(0)} MB/s`.padStart(9)} ${`${(seconds / floor).toFixed(2)}x`.padStart(7)}${peakKiB ? `   peak ${(peakKiB / 1024).toFixed(0)} MiB` : ''}`);
  console.log(`registry's ingest (one PUT of the ${weightsMiB} MiB weights file, curl): ${(ingestRate / 1e6).toFixed(0)} MB/s; the image at that rate: ${ingestFloor.toFixed(1)} s`);
  console.log(`both at once (docker save | curl, one streamed upload, no compression): ${pipeline.toFixed(1)} s`);
  console.log(`${'cold push, each to a fresh registry'.padEnd(52)} ${'time'.padStart(8)} ${'rate'.padStart(9)} ${'/floor'.padStart(7)}`);
  row(`cogpack as root (${report(rootCold).layerSource})`, rootCold.seconds, rootCold.peakKiB);
  row(`cogpack as a docker-group user (${report(userCold).layerSource}, helper)`, userCold.seconds, userCold.peakKiB);
  row(`cogpack as a docker-group user (--layer-source export)`, userExport.seconds, userExport.peakKiB);
  row('docker push', dockerCold);
  row('skopeo copy docker-daemon:', skopeoCold);
  console.log('\nre-push after editing only predict.py');
  console.log(`  cogpack as root ${rootWarm.seconds.toFixed(2)} s, as the docker-group user ${userWarm.seconds.toFixed(2)} s, docker push ${dockerWarm.toFixed(2)} s`);
  const ok = (pass) => (pass ? 'met' : 'MISSED');
  console.log('\ntargets');
  console.log(`  docker-group user <= 1.3x the floor: ${(userCold.seconds / floor).toFixed(2)}x ${ok(userCold.seconds <= 1.3 * floor)}`);
  console.log(`  docker-group user vs docker push >= 2x: ${(dockerCold / userCold.seconds).toFixed(2)}x ${ok(dockerCold >= 2 * userCold.seconds)}; vs skopeo >= 1.3x: ${(skopeoCold / userCold.seconds).toFixed(2)}x ${ok(skopeoCold >= 1.3 * userCold.seconds)}`);
  console.log(`  root <= 1.1x the floor: ${(rootCold.seconds / floor).toFixed(2)}x ${ok(rootCold.seconds <= 1.1 * floor)}`);
  console.log(`  re-push under 3 s: root ${ok(rootWarm.seconds < 3)}, docker-group user ${ok(userWarm.seconds < 3)}`);
  const peak = Math.max(rootCold.peakKiB, userCold.peakKiB, userExport.peakKiB) / 1024;
  console.log(`  against docker save streamed into the registry (${pipeline.toFixed(1)} s): root ${(rootCold.seconds / pipeline).toFixed(2)}x, docker-group user ${(userCold.seconds / pipeline).toFixed(2)}x`);
  console.log(`  peak memory under 300 MiB (largest layer ${(Math.max(...report(rootCold).layers.map((l) => l.size)) / 2 ** 20).toFixed(0)} MiB): ${peak.toFixed(0)} MiB ${ok(peak < 300)}`);
} finally {
  for (const registry of registries) registry.stop(); // stopping twice is harmless
  spawnSync(docker, ['image', 'rm', '--force', ...names], { env, stdio: 'ignore' });
  rmSync(project, { recursive: true, force: true });
  rmSync(userDir, { recursive: true, force: true });
  user.cleanup();
}
