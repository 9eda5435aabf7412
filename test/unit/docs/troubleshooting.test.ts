import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../support/paths.js';

// Every message the troubleshooting page lists is asserted by some test: the page cannot drift
// into describing errors nothing produces.
const page = readFileSync(path.join(repoRoot, 'docs/troubleshooting.md'), 'utf8');
const messages = [...page.matchAll(/^\| `([^`]+)` \|/gm)].map((m) => m[1]!);

function testSources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    if (statSync(file).isDirectory()) return testSources(file);
    return file.endsWith('.test.ts') && !file.endsWith('troubleshooting.test.ts') ? [readFileSync(file, 'utf8')] : [];
  });
}
const sources = testSources(path.join(repoRoot, 'test'));

describe('docs/troubleshooting.md', () => {
  it('lists the errors users meet', () => {
    expect(messages.length).toBeGreaterThanOrEqual(20);
  });

  it.each(messages)('"%s" is asserted by a test', (message) => {
    // Tests write messages as string literals or regular expressions.
    const asRegex = message.replace(/[.*+?^${}()|[\]\\/]/g, (c) => `\\${c}`);
    expect(sources.some((source) => source.includes(message) || source.includes(asRegex))).toBe(true);
  });
});
