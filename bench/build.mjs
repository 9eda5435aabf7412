#!/usr/bin/env node
// `cog build` timings on a fixture, next to BuildKit driven directly (`DOCKER_BUILDKIT=1 docker build`
// on the very Dockerfile and context cogpack generated), from one run on one machine:
//   cold        every step executed (--no-cache for both; BuildKit's cache mounts stay warm)
//   warm        nothing changed
//   code edit   predict.py changed: only the code layer is rebuilt
// cogpack's overhead is the difference of the medians (target, issue #4: at most 1 s).
// Usage: npm run build && node bench/build.mjs [fixture] [runs]   (sets up the test bed itself)
import { execFileSync } from 'node:child_process';
import { appendFileSync, cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const fixture = process.argv[2] ?? 'hello-world';
const runs = Number(process.argv[3] ?? 5);

// The test bed's variables (engine, docker CLI, CA certificates), as scripts/test.sh uses them.
const envLines = execFileSync('bash', [path.join(root, 'scripts/testbed.sh'), '--env'], { encoding: 'utf8' });
const env = { ...process.env };
for (const [, key, value] of envLines.matchAll(/^export (\w+)=(.*)$/gm)) env[key] = value;
const docker = env.COG_DOCKER || 'docker';

const project = mkdtempSync(path.join(tmpdir(), `cogpack-bench-${fixture}-`));
cpSync(path.join(root, 'fixtures', fixture), project, { recursive: true, filter: (src) => !src.includes(`${path.sep}.cog`) });

function timed(command, args) {
  const start = process.hrtime.bigint();
  execFileSync(command, args, { cwd: project, env, stdio: ['ignore', 'ignore', 'pipe'] });
  return Number(process.hrtime.bigint() - start) / 1e6;
}
const cog = (...args) => timed(process.execPath, [path.join(root, 'bin/cog.js'), 'build', '-t', 'cogpack-bench', '--progress', 'quiet', ...args]);
// BuildKit alone, on what cogpack generated (the Dockerfile, its ignore file, the context).
const buildkit = (...args) =>
  timed(docker, ['build', '--progress', 'plain', '-f', '.cog/build/Dockerfile', '-t', 'cogpack-bench-direct', ...args, '.']);
env.DOCKER_BUILDKIT = '1';
const median = (f) => {
  const times = Array.from({ length: runs }, f).sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
};
const editCode = () => appendFileSync(path.join(project, 'predict.py'), `\n# edit ${Date.now()}\n`);

try {
  cog(); // stages .cog/build for the direct builds and warms Node's compile cache
  const rows = [
    ['cold (--no-cache)', cog('--no-cache'), buildkit('--no-cache')],
    ['warm (no change)', median(() => cog()), median(() => buildkit())],
    ['code edit', median(() => (editCode(), cog())), median(() => (editCode(), buildkit()))],
  ];
  console.log(`cog build of fixtures/${fixture}: cogpack vs BuildKit directly (median of ${runs}; cold: one run)`);
  console.log('case                  cogpack     BuildKit    overhead');
  for (const [name, ours, theirs] of rows) {
    console.log(`${name.padEnd(20)} ${(ours / 1000).toFixed(2).padStart(7)} s  ${(theirs / 1000).toFixed(2).padStart(7)} s  ${((ours - theirs) / 1000).toFixed(2).padStart(7)} s`);
  }
  const worst = Math.max(...rows.slice(1).map(([, ours, theirs]) => ours - theirs));
  console.log(worst <= 1000 ? 'ok: overhead at most 1 s' : `MISSED: overhead ${(worst / 1000).toFixed(2)} s`);
  console.log('cogpack does more per build than BuildKit alone: plans from cog.yaml, checks for a cog-base image, labels (config, git, pip freeze), and names the image only when all of it worked.');
} finally {
  execFileSync(docker, ['image', 'rm', '--force', 'cogpack-bench', 'cogpack-bench-direct'], { env, stdio: 'ignore' });
  rmSync(project, { recursive: true, force: true });
}
