#!/usr/bin/env node
// Reading an image's layers out of the local engine, and compressing them, on this machine:
//   docker save > /dev/null        the engine's own export (the floor for any docker-save reader)
//   source docker-save             cogpack parsing that stream, every layer sha256-verified
//   source engine-store            layers rebuilt from the engine's storage (tar-split), verified,
//                                  1 and 2 layers at a time; then the code layer alone
//   gzip encoder                   level 1, 1 and 2 worker threads, on the weights (random) and on
//                                  the other layers (code, packages: compressible)
// The image is model-like: the fixture weights-layers built by cogpack with a random weights file.
// Usage: npm run build && node bench/layers.mjs [weights MiB, default 1024]   (sets up the test bed)
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, cpSync, rmSync, writeFileSync, openSync, writeSync, closeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const weightsMiB = Number(process.argv[2] ?? 1024);

const envLines = execFileSync('bash', [path.join(root, 'scripts/testbed.sh'), '--env'], { encoding: 'utf8' });
for (const [, key, value] of envLines.matchAll(/^export (\w+)=(.*)$/gm)) process.env[key] = value;
const dockerBin = process.env.COG_DOCKER || 'docker';

const { createDockerCli } = await import(path.join(root, 'dist/docker/process.js'));
const { inspectLocalImage } = await import(path.join(root, 'dist/image/inspect.js'));
const { openLayerSource } = await import(path.join(root, 'dist/image/open-source.js'));
const { createLayerEncoder, chooseLayerEncoding } = await import(path.join(root, 'dist/image/compress.js'));
const { peekStream } = await import(path.join(root, 'dist/image/sample.js'));

// The image: weights-layers with a random weights file of the asked size (built once, by name).
const image = `cogpack-bench-layers:w${weightsMiB}`;
const docker = createDockerCli();
if ((await docker.run(['image', 'inspect', image])).exitCode !== 0) {
  const project = mkdtempSync(path.join(tmpdir(), 'cogpack-bench-layers-'));
  cpSync(path.join(root, 'fixtures', 'weights-layers'), project, { recursive: true });
  mkdirSync(path.join(project, 'weights'));
  const fd = openSync(path.join(project, 'weights', 'model.bin'), 'w');
  for (let i = 0; i < weightsMiB; i++) writeSync(fd, randomBytes(1 << 20));
  closeSync(fd);
  console.error(`building ${image} (${weightsMiB} MiB of weights)…`);
  execFileSync(process.execPath, [path.join(root, 'bin/cog.js'), 'build', '-t', image, '--progress', 'quiet'], { cwd: project, stdio: ['ignore', 'ignore', 'inherit'] });
  rmSync(project, { recursive: true, force: true });
}

const local = await inspectLocalImage(docker, image);
const sizes = new Map();
const mb = (bytes) => (bytes / 1e6).toFixed(0);
const rate = (bytes, ms) => `${(bytes / 1e6 / (ms / 1000)).toFixed(0)} MB/s`;
// Peak RSS of this process during each measured step (sampled), to show memory stays bounded.
let peakRss = 0;
setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 25).unref();
const time = async (f) => {
  peakRss = process.memoryUsage().rss;
  const start = performance.now();
  const value = await f();
  return [performance.now() - start, value];
};
const dropCaches = () => {
  try {
    execFileSync('sync');
    writeFileSync('/proc/sys/vm/drop_caches', '3');
    return true;
  } catch {
    return false;
  }
};

async function readWith(source, wanted, concurrency) {
  let bytes = 0;
  await source.forEachLayer(wanted, async (diffId, stream) => {
    let n = 0;
    for await (const chunk of stream) n += chunk.length;
    sizes.set(diffId, n);
    bytes += n;
  }, { concurrency });
  return bytes;
}

const rows = [];
const row = (what, bytes, ms, note = '') => {
  rows.push([what, `${mb(bytes)} MB`, `${(ms / 1000).toFixed(2)} s`, rate(bytes, ms), `${mb(peakRss)} MB`, note]);
  console.error(rows.at(-1).join('  '));
};

// docker save alone, into /dev/null.
{
  const [ms] = await time(() => new Promise((resolve, reject) => {
    const child = spawn(dockerBin, ['save', local.id], { stdio: ['ignore', 'ignore', 'inherit'] });
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`docker save: ${code}`))));
  }));
  const total = Number(JSON.parse(execFileSync(dockerBin, ['image', 'inspect', '--format', '{{json .Size}}', local.id], { encoding: 'utf8' })));
  row('docker save > /dev/null', total, ms, 'image size as the engine reports it');
}
const save = await openLayerSource(docker, local, { prefer: 'docker-save' });
const store = await openLayerSource(docker, local, { prefer: 'engine-store' });
{
  const [ms, bytes] = await time(() => readWith(save, local.diffIds));
  row('source docker-save, all layers', bytes, ms);
}
const cold = dropCaches();
{
  const [ms, bytes] = await time(() => readWith(store, local.diffIds, 1));
  row('source engine-store, all layers, 1 at a time', bytes, ms, cold ? 'page cache dropped first' : 'page cache warm (could not drop it)');
}
{
  const [ms, bytes] = await time(() => readWith(store, local.diffIds, 2));
  row('source engine-store, all layers, 2 at a time', bytes, ms, 'page cache warm');
}
const code = local.diffIds.at(-1);
{
  const [ms, bytes] = await time(() => readWith(store, [code], 1));
  row('source engine-store, code layer only', bytes, ms);
}
{
  const [ms, bytes] = await time(() => readWith(save, [code], 1));
  row('source docker-save, code layer only', bytes, ms, 'the engine still exports the whole image');
}

// The encoder, fed from the engine store (which reads faster than gzip compresses).
const weights = [...sizes.entries()].sort((a, b) => b[1] - a[1])[0][0];
const others = local.diffIds.filter((d) => d !== weights);
for (const workers of [1, 2]) {
  for (const [label, wanted] of [['weights layer (random)', [weights]], ['other layers (code, packages)', others]]) {
    let input = 0;
    let output = 0;
    const [ms] = await time(() => store.forEachLayer(wanted, async (_diffId, stream) => {
      await pipeline(stream, async function* (source) {
        for await (const chunk of source) {
          input += chunk.length;
          yield chunk;
        }
      }, createLayerEncoder('gzip', { level: 1, workers }), async (source) => {
        for await (const chunk of source) output += chunk.length;
      });
    }, { concurrency: 1 }));
    row(`gzip -1, ${workers} worker(s), ${label}`, input, ms, `ratio ${(output / input).toFixed(3)}`);
  }
}

// What chooseLayerEncoding says of each layer, from its first 4 MiB.
const choices = [];
await store.forEachLayer(local.diffIds, async (diffId, stream) => {
  const peeked = await peekStream(stream);
  choices.push(`${diffId.slice(7, 19)} ${mb(sizes.get(diffId))} MB → ${chooseLayerEncoding(peeked.sample)}`);
  for await (const _chunk of peeked.stream);
}, { concurrency: 1 });

const rss = process.resourceUsage().maxRSS * 1024;
const os = await import('node:os');
console.log(`\nimage ${image} (${local.diffIds.length} layers), node ${process.version}, ${os.availableParallelism()} cores, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}\n`);
console.log('| what | bytes | time | rate | peak RSS | note |\n|---|---|---|---|---|---|');
for (const r of rows) console.log(`| ${r.join(' | ')} |`);
console.log(`\nencoding chosen from the first 4 MiB:\n${choices.map((c) => `  ${c}`).join('\n')}`);
console.log(`\npeak RSS of this process over the whole run: ${mb(rss)} MB`);
