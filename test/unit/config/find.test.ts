import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findConfigFile } from '../../../src/config/find.js';
import { UserError } from '../../../src/errors.js';

function project(): string {
  const root = mkdtempSync(path.join(tmpdir(), 'cogpack-find-'));
  writeFileSync(path.join(root, 'cog.yaml'), 'build:\n  python_version: "3.12"\n');
  mkdirSync(path.join(root, 'a', 'b'), { recursive: true });
  return root;
}

describe('findConfigFile', () => {
  it('finds cog.yaml in the directory itself', () => {
    const root = project();
    expect(findConfigFile(root)).toEqual({ file: path.join(root, 'cog.yaml'), projectDir: root });
  });

  it('searches upward from a subdirectory', () => {
    const root = project();
    expect(findConfigFile(path.join(root, 'a', 'b')).projectDir).toBe(root);
  });

  it('honours another file name (-f)', () => {
    const root = project();
    writeFileSync(path.join(root, 'other.yaml'), 'build: {python_version: "3.12"}\n');
    expect(findConfigFile(path.join(root, 'a'), 'other.yaml').file).toBe(path.join(root, 'other.yaml'));
  });

  it('says where it looked when there is none', () => {
    const empty = mkdtempSync(path.join(tmpdir(), 'cogpack-none-'));
    expect(() => findConfigFile(empty)).toThrow(UserError);
    expect(() => findConfigFile(empty)).toThrow(`cog.yaml not found in ${empty} (or in any parent directories)`);
  });
});
