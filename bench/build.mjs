#!/usr/bin/env node
// Rebuilds of a model with weights, `cog build` next to BuildKit driven directly on the very
// Dockerfiles and contexts cogpack generated, on both BuildKit routes, from one run:
//   routes     classic (DOCKER_BUILDKIT=1 with Debian's docker 20.10) and buildx (the plugin the
//              test bed builds, with the docker 28 client)
//   weights    fixtures/weights-layers with a random weights file of 1 GiB, then 4 GiB
//   no-op      nothing changed
//   code edit  predict.py changed: only the code layer is rebuilt
// BuildKit alone runs the same two builds cogpack runs (the weights image, then the model), so the
// difference is cogpack's own work: planning from cog.yaml, labels, naming. Target (issue 11): at
// most 1 s, whatever the size of the weights.
// Usage: npm run build && node bench/build.mjs [runs, default 3] [weights GiB list, default 1,4]
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, closeSync, cpSync, mkdirSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const runs = Number(process.argv[2] ?? 3);
const sizes = (process.argv[3] ?? '1,4').split(',').map(Number);

// The test bed's variables (engine, docker CLIs, CA certificates), as scripts/test.sh uses them.
const envLines = execFileSync('bash', [path.join(root, 'scripts/testbed.sh'), '--env'], { encoding: 'utf8' });
const base = { ...process.env };
for (const [, key, value] of envLines.matchAll(/^export (\w+)=(.*)$/gm)) base[key] = value;
const routes = [
  { name: 'classic', env: { ...base, DOCKER_BUILDKIT: '1' }, docker: base.COG_DOCKER, build: ['build'] },
  {
    name: 'buildx',
    env: { ...base, COG_DOCKER: base.COGPACK_TEST_BUILDX_DOCKER, DOCKER_CONFIG: base.COGPACK_TEST_BUILDX_CONFIG },
    docker: base.COGPACK_TEST_BUILDX_DOCKER,
    build: ['buildx', 'build', '--load'],
  },
];

function timed(command, args, cwd, env) {
  const start = process.hrtime.bigint();
  execFileSync(command, args, { cwd, env, stdio: ['ignore', 'ignore', 'pipe'] });
  return Number(process.hrtime.bigint() - start) / 1e6;
}
const median = (f) => {
  const times = Array.from({ length: runs }, f).sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
};

function project(gib) {
  const dir = mkdtempSync(path.join(tmpdir(), 'cogpack-bench-build-'));
  cpSync(path.join(root, 'fixtures', 'weights-layers'), dir, { recursive: true, filter: (src) => !src.includes(`${path.sep}.cog`) });
  mkdirSync(path.join(dir, 'weights'));
  const fd = openSync(path.join(dir, 'weights', 'model.bin'), 'w');
  const block = randomBytes(1 << 20);
  for (let i = 0; i < gib * 1024; i++) writeSync(fd, block.map((byte) => byte ^ i)); // not one repeated MiB
  closeSync(fd);
  return dir;
}

const rows = [];
const images = [];
for (const gib of sizes) {
  const dir = project(gib);
  try {
    for (const route of routes) {
      const image = `cogpack-bench-build-${route.name}:${gib}g`;
      images.push(image, `cogpack-bench-build-${route.name}-weights:${gib}g`, `${image}-direct`, `${image}-direct-weights`);
      const cog = () => timed(process.execPath, [path.join(root, 'bin/cog.js'), 'build', '-t', image, '--progress', 'quiet'], dir, route.env);
      // BuildKit alone: the weights image from its context, then the model, as cogpack staged them.
      const buildkit = () =>
        timed(route.docker, [...route.build, '--progress', 'plain', '-f', '.cog/build/weights/Dockerfile', '-t', `${image}-direct-weights`, '.cog/build/weights/context'], dir, route.env) +
        timed(route.docker, [...route.build, '--progress', 'plain', '-f', '.cog/build/Dockerfile', '-t', `${image}-direct`, '.'], dir, route.env);
      const edit = () => appendFileSync(path.join(dir, 'predict.py'), `\n# edit ${process.hrtime.bigint()}\n`);
      const first = cog(); // the first build sends the weights once, and stages .cog/build for the direct builds
      buildkit();
      rows.push({ gib, route: route.name, first, noop: [median(cog), median(buildkit)], edit: [median(() => (edit(), cog())), median(() => (edit(), buildkit()))] });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

console.log(`cog build of fixtures/weights-layers with random weights: cogpack vs BuildKit alone on the same Dockerfiles (median of ${runs})`);
console.log('weights  route     first build   no-op: cogpack  BuildKit  overhead   code edit: cogpack  BuildKit  overhead');
const s = (ms) => `${(ms / 1000).toFixed(2)} s`;
for (const row of rows) {
  console.log(
    `${`${row.gib} GiB`.padEnd(8)} ${row.route.padEnd(9)} ${s(row.first).padStart(11)}   ${s(row.noop[0]).padStart(14)} ${s(row.noop[1]).padStart(9)} ${s(row.noop[0] - row.noop[1]).padStart(9)}   ${s(row.edit[0]).padStart(18)} ${s(row.edit[1]).padStart(9)} ${s(row.edit[0] - row.edit[1]).padStart(9)}`,
  );
}
const worst = Math.max(...rows.flatMap((row) => [row.noop[0] - row.noop[1], row.edit[0] - row.edit[1]]));
console.log(worst <= 1000 ? `ok: cogpack's overhead at most 1 s (worst ${s(worst)})` : `MISSED: overhead up to ${s(worst)}`);
execFileSync(base.COG_DOCKER, ['image', 'rm', '--force', ...images], { env: base, stdio: 'ignore' });
