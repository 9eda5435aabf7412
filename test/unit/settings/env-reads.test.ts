import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { variables } from '../../../src/settings/variables.js';
import { repoRoot } from '../../support/paths.js';

// The environment is read in one place (src/settings/), by name from one list: no other file of
// src/ reads process.env or a variable by name, and every listed variable is read somewhere.

function sources(dir: string): Array<{ file: string; text: string }> {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    if (statSync(file).isDirectory()) return sources(file);
    return file.endsWith('.ts') ? [{ file: path.relative(repoRoot, file), text: readFileSync(file, 'utf8') }] : [];
  });
}

const src = sources(path.join(repoRoot, 'src'));
const outside = src.filter(({ file }) => !file.startsWith(path.join('src', 'settings') + path.sep));
const launcher = readFileSync(path.join(repoRoot, 'bin', 'cog.js'), 'utf8');

/** Code without its comments, so a comment may name a variable or process.env. */
const code = (text: string) => text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');

describe('the environment is read through src/settings only', () => {
  it.each(outside)('$file reads no variable itself', ({ text }) => {
    const body = code(text);
    expect(body).not.toMatch(/process\.env/);
    // `env.NAME`, `env['NAME']`, `hostEnv.NAME`: a variable read by name around readEnv.
    expect(body).not.toMatch(/\b\w*[eE]nv(\?)?\.[A-Z][A-Z0-9_]{2,}\b/);
    expect(body).not.toMatch(/\b\w*[eE]nv\[\s*['"`]/);
  });

  it('bin/cog.js reads only listed variables', () => {
    const read = [...launcher.matchAll(/process\.env\.([A-Z_][A-Z0-9_]*)/g)].map((m) => m[1]!);
    expect(read.length).toBeGreaterThan(0);
    for (const name of read) expect(Object.keys(variables)).toContain(name);
  });

  it.each(Object.keys(variables))('%s is read somewhere', (name) => {
    const quoted = new RegExp(`['"\`]${name}['"\`]`);
    const readers = outside.filter(({ text }) => quoted.test(code(text))).map(({ file }) => file);
    expect(readers.length > 0 || launcher.includes(`process.env.${name}`), `${name} is listed but nothing reads it`).toBe(true);
  });
});
