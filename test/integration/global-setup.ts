import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { repoRoot } from '../support/paths.js';

/** Integration tests also run the installed entry point (bin/cog.js → dist/): build it first. */
export default function setup(): void {
  execFileSync(process.execPath, [path.join(repoRoot, 'scripts', 'build.mjs')], { cwd: repoRoot, stdio: 'inherit' });
}
