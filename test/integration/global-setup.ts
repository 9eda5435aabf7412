import { execFileSync, spawnSync } from 'node:child_process';
import path from 'node:path';
import { repoRoot } from '../support/paths.js';

/**
 * The names tests give images: `cogpack-it…` and `bad-network/…` (on loopback registries or
 * not), and the dev images of `cog run`/`serve` on the temp copies of fixtures (`cog-cogpack-…`).
 */
const testImageName = /^(?:127\.0\.0\.1:\d+\/)?(?:cogpack-it|bad-network\/)|^cog-cogpack-/;

/**
 * Integration tests also run the installed entry point (bin/cog.js → dist/): build it first.
 * At the end, the images this run's tests named are removed: tags pile up otherwise (a push test
 * tags its image once per loopback registry), and a machine's engine is not the tests' to fill.
 * Names are compared with those there at the start, not creation times: a build from BuildKit's
 * cache keeps the creation time of the first one (the demo's, hours before).
 */
export default function setup(): () => void {
  execFileSync(process.execPath, [path.join(repoRoot, 'scripts', 'build.mjs')], { cwd: repoRoot, stdio: 'inherit' });
  const before = new Set(testImages());
  return () => {
    const made = testImages().filter((name) => !before.has(name));
    if (made.length > 0) spawnSync(process.env.COG_DOCKER || 'docker', ['image', 'rm', '--force', ...made], { stdio: 'ignore' });
  };
}

/** The engine's images with a name tests give; none when there is no engine. */
function testImages(): string[] {
  const listed = spawnSync(process.env.COG_DOCKER || 'docker', ['image', 'ls', '--format', '{{.Repository}}:{{.Tag}}'], { encoding: 'utf8' });
  if (listed.status !== 0) return [];
  return listed.stdout.split('\n').filter((name) => name && !name.endsWith(':<none>') && testImageName.test(name));
}
