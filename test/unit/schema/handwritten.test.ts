import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load.js';
import { generateSchemaJson } from '../../../src/schema/index.js';
import { fixture } from '../../support/paths.js';

// Checked against something other than itself: predictors from upstream Cog's tests and docs,
// whose Input and Output components were written by hand (fixtures/upstream-examples/README.md),
// and the exact substrings upstream's own tests grep the label for.
const examplesDir = fixture('upstream-examples');
const examples = readdirSync(examplesDir).filter((name) => existsSync(path.join(examplesDir, name, 'cog.yaml'))).sort();

async function labelOf(name: string): Promise<string> {
  const { config } = loadConfig({ file: path.join(examplesDir, name, 'cog.yaml') });
  return (await generateSchemaJson({ projectDir: config.projectDir, predict: config.predict, train: config.train })).json;
}

describe('schemas written by hand from Cog\'s documentation and upstream\'s examples', () => {
  it('has a handful of them', () => {
    expect(examples.length).toBeGreaterThanOrEqual(5);
  });

  it.each(examples)('%s: the components are the hand-written ones, key order included', async (name) => {
    const expected = JSON.parse(readFileSync(path.join(examplesDir, name, 'expected.json'), 'utf8')) as Record<string, unknown>;
    const schemas = (JSON.parse(await labelOf(name)) as { components: { schemas: Record<string, unknown> } }).components.schemas;
    for (const [component, written] of Object.entries(expected)) {
      // JSON.stringify keeps key order: the comparison is of order as well as content.
      expect(JSON.stringify(schemas[component]), component).toBe(JSON.stringify(written));
    }
  });

  it.each(examples.filter((name) => existsSync(path.join(examplesDir, name, 'upstream-greps.txt'))))('%s: the label holds what upstream\'s test greps for', async (name) => {
    const label = await labelOf(name);
    const greps = readFileSync(path.join(examplesDir, name, 'upstream-greps.txt'), 'utf8').split('\n').filter(Boolean);
    for (const substring of greps) expect(label).toContain(substring);
  });
});
