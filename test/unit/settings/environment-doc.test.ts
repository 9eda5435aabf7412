import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { readmeMarkers, renderEnvironmentReference, renderReadmeEnvironmentTable } from '../../../src/commands/environment-doc.js';
import { repoRoot } from '../../support/paths.js';

it('docs/environment.md is generated from the list of variables and up to date', async () => {
  const text = renderEnvironmentReference();
  for (const row of ['| `COG_PUSH_CONCURRENCY` | a whole number from 1 to 256 | `3` | `--concurrency` of `cog push` |', '| `BUILDKIT_PROGRESS` |', '## Pushing']) {
    expect(text).toContain(row);
  }
  await expect(text).toMatchFileSnapshot('../../../docs/environment.md');
});

it("README.md's table of variables is the generated one", () => {
  const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
  const start = readme.indexOf(readmeMarkers.start);
  const end = readme.indexOf(readmeMarkers.end);
  expect(start, 'README.md has the markers').toBeGreaterThan(0);
  expect(readme.slice(start + readmeMarkers.start.length, end).trim()).toBe(renderReadmeEnvironmentTable());
});
