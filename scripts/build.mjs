#!/usr/bin/env node
// Compiles src/ to dist/ and copies the data files the compiled code reads at run time (the
// compatibility matrices). `npm run build` and the integration tests' set-up both run this.
import { execFileSync } from 'node:child_process';
import { cpSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
for (const dataDir of ['compat/data']) {
  rmSync(path.join(root, 'dist', dataDir), { recursive: true, force: true });
  cpSync(path.join(root, 'src', dataDir), path.join(root, 'dist', dataDir), { recursive: true });
}
