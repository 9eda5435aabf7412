#!/usr/bin/env node
// Rebuilds of a model with weights, `cog build` next to BuildKit driven directly on the very
// Dockerfiles and contexts cogpack generated, on both BuildKit routes, from one run:
//   routes     classic (DOCKER_BUILDKIT=1 with Debian's docker 20.10), buildx (the plugin the
//              test bed builds, with the docker 28 client), and a BuildKit daemon reached with
//              buildctl (the test bed's buildkitd, as a remote builder; the image loaded back)
//   weights    fixtures/weights-layers with a random weights file of 1 GiB, then 4 GiB
//   no-op      nothing changed
//   code edit  predict.py changed: only the code layer is rebuilt
// BuildKit alone runs the same two builds cogpack runs (the weights image, then the model), so the
// difference is cogpack's own work: planning from cog.yaml, labels, naming. Target (issue 11): at
// most 1 s, whatever the size of the weights (the daemon route, which builds twice to read the pip
// freeze and loads the image back, is shown without a BuildKit-alone column).
// Then, on the daemon: a cold builder (its cache pruned) rebuilding after a code edit, without and
// with --cache-from a registry cache the first build exported (issue 14).
// Usage: npm run build && node bench/build.mjs [runs, default 3] [weights GiB list, default 1,4]
import { execFileSync, spawnSync } from 'node:child_process';
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

const daemonEnv = {
  ...base,
  BUILDKIT_HOST: base.COGPACK_TEST_BUILDKITD,
  COG_BUILDCTL: base.COGPACK_TEST_BUILDCTL,
  COG_IMAGE_MIRRORS: `docker.io=${base.COGPACK_TEST_HUB_MIRROR}`,
};
const rows = [];
const daemonRows = [];
const images = [];
// Every image ID a build left (a rebuild under the same name leaves the previous one dangling):
// all removed at the end, with the daemon's cache, so runs do not fill the disk (4 GiB each).
const imageIds = new Set();
const track = (...names) => {
  for (const name of names) {
    const id = execFileSync(base.COG_DOCKER, ['image', 'inspect', '--format', '{{.Id}}', name], { env: base, encoding: 'utf8' }).trim();
    imageIds.add(id);
  }
};
const tracked = (build, ...names) => () => {
  const ms = build();
  track(...names);
  return ms;
};
try {
  for (const gib of sizes) {
    const dir = project(gib);
    try {
      for (const route of routes) {
        const image = `cogpack-bench-build-${route.name}:${gib}g`;
        images.push(image, `cogpack-bench-build-${route.name}-weights:${gib}g`, `${image}-direct`, `${image}-direct-weights`);
        const cog = tracked(() => timed(process.execPath, [path.join(root, 'bin/cog.js'), 'build', '-t', image, '--progress', 'quiet'], dir, route.env), image);
        // BuildKit alone: the weights image from its context, then the model, as cogpack staged them.
        const buildkit = tracked(
          () =>
            timed(route.docker, [...route.build, '--progress', 'plain', '-f', '.cog/build/weights/Dockerfile', '-t', `${image}-direct-weights`, '.cog/build/weights/context'], dir, route.env) +
            timed(route.docker, [...route.build, '--progress', 'plain', '-f', '.cog/build/Dockerfile', '-t', `${image}-direct`, '.'], dir, route.env),
          `${image}-direct-weights`,
          `${image}-direct`,
        );
        const edit = () => appendFileSync(path.join(dir, 'predict.py'), `\n# edit ${process.hrtime.bigint()}\n`);
        const first = cog(); // the first build sends the weights once, and stages .cog/build for the direct builds
        buildkit();
        rows.push({ gib, route: route.name, first, noop: [median(cog), median(buildkit)], edit: [median(() => (edit(), cog())), median(() => (edit(), buildkit()))] });
      }
      const image = `cogpack-bench-build-daemon:${gib}g`;
      images.push(image);
      const onDaemon = tracked(() => timed(process.execPath, [path.join(root, 'bin/cog.js'), 'build', '-t', image, '--progress', 'quiet'], dir, daemonEnv), image);
      const first = onDaemon();
      daemonRows.push({ gib, first, noop: median(onDaemon), edit: median(() => (appendFileSync(path.join(dir, 'predict.py'), `\n# edit ${process.hrtime.bigint()}\n`), onDaemon())) });
    } finally {
      rmSync(dir, { recursive: true, force: true });
      // This size's weights sit in the engine's build cache and in the daemon's several times over
      // (contexts, layers, the load): gone before the next size, or 4 GiB runs fill a 60 GB disk.
      // (A bench for the test bed's engine: other builds' cache goes too.)
      spawnSync(base.COG_DOCKER, ['builder', 'prune', '--all', '--force'], { env: base, stdio: 'ignore' });
      spawnSync(base.COGPACK_TEST_BUILDCTL, ['--addr', base.COGPACK_TEST_BUILDKITD, 'prune', '--all'], { stdio: 'ignore' });
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
  console.log('\non the BuildKit daemon (remote route; the image loaded back into the engine)');
  for (const row of daemonRows) console.log(`${`${row.gib} GiB`.padEnd(8)} daemon    ${s(row.first).padStart(11)}   no-op ${s(row.noop)}   code edit ${s(row.edit)}`);

  // A cold builder: the daemon's cache pruned, as on a fresh CI runner with a remote builder.
  {
    const dir = project(sizes[0]);
    const cacheRef = `${base.COGPACK_TEST_REGISTRY}/bench/build-cache:${process.pid}`;
    const image = 'cogpack-bench-build-cold:latest';
    images.push(image);
    const build = (...extra) => tracked(() => timed(process.execPath, [path.join(root, 'bin/cog.js'), 'build', '-t', image, '--progress', 'quiet', ...extra], dir, daemonEnv), image)();
    const prune = () => execFileSync(base.COGPACK_TEST_BUILDCTL, ['--addr', base.COGPACK_TEST_BUILDKITD, 'prune', '--all'], { stdio: 'ignore' });
    const edit = () => appendFileSync(path.join(dir, 'predict.py'), `\n# edit ${process.hrtime.bigint()}\n`);
    build('--cache-to', `type=registry,ref=${cacheRef},mode=max`);
    prune();
    edit();
    const without = build();
    prune();
    edit();
    const withCache = build('--cache-from', `type=registry,ref=${cacheRef}`);
    rmSync(dir, { recursive: true, force: true });
    console.log(`\ncold builder, ${sizes[0]} GiB of weights, after a code edit: ${s(without)} without --cache-from, ${s(withCache)} with it (the registry cache)`);
  }

  const worst = Math.max(...rows.flatMap((row) => [row.noop[0] - row.noop[1], row.edit[0] - row.edit[1]]));
  console.log(worst <= 1000 ? `ok: cogpack's overhead at most 1 s (worst ${s(worst)})` : `MISSED: overhead up to ${s(worst)}`);
} finally {
  const leftover = [...images, ...imageIds];
  // Some names may never have been built (a failed run): each removal is tried, none may stop the clean-up.
  if (leftover.length > 0) spawnSync(base.COG_DOCKER, ['image', 'rm', '--force', ...leftover], { env: base, stdio: 'ignore' });
  spawnSync(base.COGPACK_TEST_BUILDCTL, ['--addr', base.COGPACK_TEST_BUILDKITD, 'prune', '--all'], { stdio: 'ignore' });
  spawnSync(base.COG_DOCKER, ['builder', 'prune', '--all', '--force'], { env: base, stdio: 'ignore' });
  console.log("\n(the bench's images and the build caches of the engine and the daemon are removed)");
}
