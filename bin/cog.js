#!/usr/bin/env node
// The installed `cog` (and `cogpack`) command. All behaviour lives in src/cli.ts.
import { spawn } from 'node:child_process';
import module from 'node:module';

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 19)) {
  process.stderr.write(`error: cogpack needs Node.js 22.19 or later; this is ${process.version}\nhint: install a current Node.js (https://nodejs.org), or use scripts/ensure-node.sh from the repository\n`);
  process.exit(2);
}

// `cog push` holds a 96 MiB chunk buffer while streams churn through: a small young generation
// keeps V8 from reserving ~60 MiB more heap than it uses, one malloc arena keeps the gzip threads
// from each growing their own, and a fixed mmap threshold keeps glibc from raising its own after
// the first freed 1 MiB buffer and then keeping every later one on a heap it never gives back
// (30-40 MB of a 1.9 GB push's peak, measured). All must be set at start-up, so push runs in a
// child Node with them (about 40 ms more, against seconds of pushing).
const tuned = '--max-semi-space-size=1';
if (process.argv[2] === 'push' && !process.execArgv.includes(tuned)) {
  const child = spawn(process.execPath, [tuned, ...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit',
    env: { MALLOC_ARENA_MAX: '1', MALLOC_MMAP_THRESHOLD_: '131072', ...process.env, COGPACK_PARENT_PID: String(process.pid) },
  });
  // Ctrl-C reaches the child from the terminal; a SIGTERM or SIGHUP sent to this process is passed on.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal === 'SIGINT' ? 130 : signal === 'SIGHUP' ? 129 : 143)));
} else {
  if (process.env.COGPACK_PARENT_PID) {
    // The wrapper above was killed outright (SIGKILL): stop as if interrupted rather than run on unseen.
    const parent = Number(process.env.COGPACK_PARENT_PID);
    const watch = setInterval(() => {
      if (process.ppid === parent) return;
      clearInterval(watch);
      process.kill(process.pid, 'SIGTERM');
    }, 500).unref();
  }
  // Cache compiled code between runs (Node >= 22.1): halves start-up time, which is most of what
  // a quick command like `cog debug` costs.
  module.enableCompileCache?.();
  const { runCli } = await import('../dist/cli.js');
  await runCli(process.argv.slice(2));
}
