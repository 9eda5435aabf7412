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
 * At the end, the images this run's tests made are removed: tags pile up otherwise (a push test
 * tags its image once per loopback registry), and a machine's engine is not the tests' to fill.
 */
export default function setup(): () => void {
  execFileSync(process.execPath, [path.join(repoRoot, 'scripts', 'build.mjs')], { cwd: repoRoot, stdio: 'inherit' });
  const started = Date.now();
  return () => {
    const docker = process.env.COG_DOCKER || 'docker';
    const listed = spawnSync(docker, ['image', 'ls', '--format', '{{.Repository}}:{{.Tag}}\t{{.CreatedAt}}'], { encoding: 'utf8' });
    if (listed.status !== 0) return; // no engine: nothing was made
    const made = listed.stdout
      .split('\n')
      .map((line) => line.split('\t'))
      .filter(([name, created]) => name && !name.endsWith(':<none>') && testImageName.test(name) && Date.parse(created!.replace(/ [A-Z]+$/, '')) >= started - 60_000)
      .map(([name]) => name!);
    if (made.length > 0) spawnSync(docker, ['image', 'rm', '--force', ...made], { stdio: 'ignore' });
  };
}
