#!/usr/bin/env node
// `cog debug --json` latency on the fixtures: the whole config → resolution → Dockerfile path,
// including Node start-up and the cog-base availability check, as a user or a CI script sees it.
// Target (issue #3): under 300 ms. Run after `npm run build`: `node bench/debug.mjs [runs]`.
// The peer, upstream Cog, cannot be installed on this project's machines (its Go module is
// refused by the module proxy), so only our number is printed.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const runs = Number(process.argv[2] ?? 15);
const fixtures = ['hello-world', 'gpu-torch'];
const targetMs = 300;

function once(cwd) {
  const start = process.hrtime.bigint();
  execFileSync(process.execPath, [path.join(root, 'bin/cog.js'), 'debug', '--json'], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  return Number(process.hrtime.bigint() - start) / 1e6;
}

const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
console.log(`cog debug --json, ${runs} runs per fixture (first run warms Node's compile cache and is not counted)`);
console.log('fixture        median    p90    max   target');
let worst = 0;
for (const name of fixtures) {
  const cwd = path.join(root, 'fixtures', name);
  once(cwd);
  const times = Array.from({ length: runs }, () => once(cwd)).sort((a, b) => a - b);
  const median = quantile(times, 0.5);
  worst = Math.max(worst, median);
  console.log(`${name.padEnd(13)} ${median.toFixed(0).padStart(6)} ms ${quantile(times, 0.9).toFixed(0).padStart(4)} ms ${times.at(-1).toFixed(0).padStart(4)} ms  < ${targetMs} ms`);
}
console.log(worst < targetMs ? `ok: every median under ${targetMs} ms` : `MISSED: a median is ${worst.toFixed(0)} ms`);
