import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fixture } from './paths.js';

/** A private copy of a fixture project (without its .cog state), for tests that edit files. */
export function copyFixture(name: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), `cogpack-${name}-`));
  cpSync(fixture(name), dir, { recursive: true, filter: (src) => !src.split(path.sep).includes('.cog') });
  return dir;
}
