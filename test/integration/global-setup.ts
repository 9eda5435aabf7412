import { execFileSync } from 'node:child_process';
import { repoRoot } from '../support/paths.js';

/** Integration tests also run the installed entry point (bin/cog.js → dist/): compile it first. */
export default function setup(): void {
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { cwd: repoRoot, stdio: 'inherit' });
}
