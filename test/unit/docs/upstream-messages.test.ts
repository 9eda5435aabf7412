import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../support/paths.js';

// Every upstream sentence docs/upstream-messages.md says cogpack reproduces is asserted by some
// test: the table cannot list a sentence nothing produces.
const page = readFileSync(path.join(repoRoot, 'docs/upstream-messages.md'), 'utf8');
// A cell is `sentence`, or ``sentence`` when the sentence holds a backtick.
const sentences = [...page.matchAll(/^\| (?:``(.+?) ``|`(.+?)`) \|/gm)].map((m) => (m[1] ?? m[2])!);

function testSources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    if (statSync(file).isDirectory()) return testSources(file);
    return file.endsWith('.test.ts') && !file.endsWith('upstream-messages.test.ts') ? [readFileSync(file, 'utf8')] : [];
  });
}
// Fixture expectations are assertions too (fixtures/configs/*/expected.txt).
function expectedFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    if (statSync(file).isDirectory()) return expectedFiles(file);
    return /expected(-warnings)?\.txt$/.test(name) ? [readFileSync(file, 'utf8')] : [];
  });
}
const sources = [...testSources(path.join(repoRoot, 'test')), ...expectedFiles(path.join(repoRoot, 'fixtures'))];

/** How a test may write the sentence: as is, in a JS string with escaped quotes, or in a regex. */
function spellings(sentence: string): string[] {
  return [
    sentence,
    sentence.replaceAll("'", "\\'"),
    sentence.replaceAll('"', '\\"'),
    sentence.replace(/[.*+?^${}()|[\]\\/]/g, (c) => `\\${c}`),
  ];
}

describe('docs/upstream-messages.md', () => {
  it('lists the sentences scripts match', () => {
    expect(sentences.length).toBeGreaterThanOrEqual(30);
  });

  it.each(sentences)('"%s" is asserted by a test', (sentence) => {
    expect(sources.some((source) => spellings(sentence).some((spelling) => source.includes(spelling)))).toBe(true);
  });
});
